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
        let base = FileManager.default.temporaryDirectory
            .appendingPathComponent("kiel-test-\(UUID().uuidString)").path
        let outPath = base + ".stdout", errPath = base + ".stderr"
        defer {
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw TestServicesError("cannot run \(executable): \(String(cString: strerror(spawned)))")
        }

        var status: Int32 = 0
        let deadline = Date(timeIntervalSinceNow: timeout)
        var timedOut = false
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { break }
            if result < 0 && errno != EINTR {
                throw TestServicesError("waitpid for \(executable) failed: errno \(errno)")
            }
            if !timedOut && Date() > deadline {
                timedOut = true
                kill(pid, SIGKILL)
            }
            usleep(10_000)
        }

        let stdout = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let exited = (status & 0x7f) == 0
        let code = exited ? (status >> 8) & 0xff : status & 0x7f
        guard exited && code == 0 else {
            let stderr = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
            let command = ([executable] + arguments.map { $0.contains("\n") ? "<code>" : $0 })
                .joined(separator: " ")
            let how = timedOut ? "killed after \(Int(timeout)) s" : exited ? "exit \(code)" : "signal \(code)"
            throw TestServicesError("\(command) failed (\(how))\nstderr: \(stderr)\nstdout: \(stdout)")
        }
        return stdout
    }
}
