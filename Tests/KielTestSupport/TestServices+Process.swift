import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension TestServices {
    /// Runs `executable` with `arguments` (stdin from /dev/null) and returns its stdout; throws
    /// with its stderr when it exits non-zero, and kills it after `timeout` seconds.
    ///
    /// Uses posix_spawn and waitpid rather than Foundation's Process: a command that leaves a
    /// daemon behind (the ZooKeeper control script starts a server) must not keep the caller
    /// waiting, and output goes to files so nothing depends on who still holds a pipe open.
    public static func run(_ executable: String, _ arguments: [String],
                           timeout: TimeInterval = 120) throws -> String {
        let dir = try ChildProcess.scratchDirectory("run")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let process = try ChildProcess(executable, arguments, logs: dir)
        let (exited, code, timedOut) = process.waitForExit(timeout: timeout)
        let stdout = process.stdout()
        guard exited && code == 0 else {
            let command = ([executable] + arguments.map { $0.contains("\n") ? "<code>" : $0 }).joined(separator: " ")
            let how = timedOut ? "killed after \(Int(timeout)) s" : exited ? "exit \(code)" : "signal \(code)"
            throw TestServicesError("\(command) failed (\(how))\nstderr: \(process.stderr())\nstdout: \(stdout)")
        }
        return stdout
    }
}
