// The `kiel` command-line tool: metadata, produce and consume, in the spirit of kcat.
#if canImport(Glibc)
import Glibc
#endif

do {
    let command = try CommandLineSyntax.parse(Array(CommandLine.arguments.dropFirst()))
    exit(Runner.run(command))
} catch {
    FileHandleOutput.stderr("kiel: \(error.description)\n")
    exit(2)
}
