// The `kiel` command-line tool: metadata, produce and consume, in the spirit of kcat.
#if canImport(Glibc)
import Glibc
#endif

import Foundation
import Kiel

// KIEL_LOG=debug|info|warning shows the library's log on standard error.
if let name = ProcessInfo.processInfo.environment["KIEL_LOG"],
   let level = [("debug", LogLevel.debug), ("info", .info), ("warning", .warning)].first(where: { $0.0 == name })?.1 {
    KielLog.setHandler(level: level) { level, message in FileHandleOutput.stderr("% \(level): \(message)\n") }
}

do {
    let command = try CommandLineSyntax.parse(Array(CommandLine.arguments.dropFirst()))
    exit(Runner.run(command))
} catch {
    FileHandleOutput.stderr("kiel: \(error.description)\n")
    exit(2)
}
