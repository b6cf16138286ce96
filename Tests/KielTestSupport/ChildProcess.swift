import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A helper process that runs beside a test (a broker, a proxy) until `stop()`: started with
/// posix_spawn, its output in files under a scratch folder, stopped with SIGTERM (then SIGKILL)
/// and reaped. Call from any thread; `stop()` may be called more than once.
public final class ChildProcess: @unchecked Sendable {
    public let pid: pid_t
    public let stdoutPath: String
    public let stderrPath: String
    private let lock = NSLock()
    private var stopped = false

    public init(_ executable: String, _ arguments: [String], logs dir: String, unsetting: [String] = []) throws {
        stdoutPath = dir + "/stdout"
        stderrPath = dir + "/stderr"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let env = ProcessInfo.processInfo.environment.filter { !unsetting.contains($0.key) }
            .map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { env.forEach { free($0) } }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, env)
        guard spawned == 0 else {
            throw TestServicesError("cannot run \(executable): \(String(cString: strerror(spawned)))")
        }
        self.pid = pid
    }

    /// Waits until the process printed a line starting with `prefix` on stdout and returns it.
    public func waitForOutput(prefix: String, timeout: TimeInterval) throws -> String {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while Date() < deadline {
            let text = (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) { return String(line) }
            if hasExited { break }
            usleep(20_000)
        }
        stop()
        throw TestServicesError("\(stdoutPath): no line starting with '\(prefix)'; stderr: \(stderr())")
    }

    /// Waits for the process to exit, killing it after `timeout` seconds. Returns its exit code
    /// (or signal), and whether it was killed for taking too long.
    public func waitForExit(timeout: TimeInterval) -> (exited: Bool, code: Int32, timedOut: Bool) {
        var status: Int32 = 0
        let deadline = Date(timeIntervalSinceNow: timeout)
        var timedOut = false
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { break }
            if result < 0 && errno != EINTR { return (false, -1, timedOut) }
            if !timedOut && Date() > deadline {
                timedOut = true
                kill(pid, SIGKILL)
            }
            usleep(10_000)
        }
        lock.withLock { stopped = true }
        let exited = (status & 0x7f) == 0
        return (exited, exited ? (status >> 8) & 0xff : status & 0x7f, timedOut)
    }

    /// What the process wrote on stdout so far.
    public func stdout() -> String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }

    /// What the process wrote on stderr so far.
    public func stderr() -> String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    private var hasExited: Bool {
        var status: Int32 = 0
        return lock.withLock { stopped } || waitpid(pid, &status, WNOHANG) == pid
    }

    public func stop() {
        let first = lock.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        kill(pid, SIGTERM)
        var status: Int32 = 0
        for _ in 0..<250 {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid || (r < 0 && errno == ECHILD) { return }
            usleep(20_000)
        }
        kill(pid, SIGKILL)
        _ = waitpid(pid, &status, 0)
    }

    deinit { stop() }

    /// A loopback port nobody listens on right now (the kernel's choice).
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestServicesError("socket: errno \(errno)") }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0
            }
        }
        guard bound else { throw TestServicesError("bind: errno \(errno)") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// Waits until something accepts connections on 127.0.0.1:`port`.
    public static func waitForPort(_ port: Int, timeout: TimeInterval) throws {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while Date() < deadline {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            addr.sin_port = UInt16(port).bigEndian
            let ok = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
            close(fd)
            if ok { return }
            usleep(20_000)
        }
        throw TestServicesError("nothing accepted connections on 127.0.0.1:\(port) within \(timeout) s")
    }

    /// A new, empty folder under the system's temporary folder.
    public static func scratchDirectory(_ name: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kiel-\(name)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
