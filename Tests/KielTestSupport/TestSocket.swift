#if canImport(Glibc)
import Glibc
#endif

/// A blocking IPv4 TCP socket for checking services from tests, independent of the library
/// under test. Not thread-safe: one test uses one socket.
public final class TestSocket {
    private var fd: Int32

    /// Connects to `host` (a dotted IPv4 address) and `port`, waiting at most `timeoutSeconds`
    /// for each read or write.
    public init(host: String, port: Int, timeoutSeconds: Int = 10) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestServicesError("socket() failed: errno \(errno)") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            _ = Glibc.close(fd)
            throw TestServicesError("not an IPv4 address: \(host)")
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            _ = Glibc.close(fd)
            throw TestServicesError("connect to \(host):\(port) failed: errno \(code)")
        }
    }

    deinit { close() }

    /// Writes all of `bytes`.
    public func write(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw TestServicesError("send failed: errno \(errno)") }
            sent += n
        }
    }

    /// Reads until the peer closes the connection (or `limit` bytes arrived).
    public func readToEnd(limit: Int = 1 << 20) throws -> [UInt8] {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while result.count < limit {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { break }
            guard n > 0 else { throw TestServicesError("recv failed: errno \(errno)") }
            result += buffer[..<n]
        }
        return result
    }

    /// Closes the socket; later calls do nothing.
    public func close() {
        if fd >= 0 {
            _ = Glibc.close(fd)
            fd = -1
        }
    }

    /// Sends a ZooKeeper four-letter command (`ruok`, `srvr`, ...) and returns the answer.
    public static func fourLetterWord(_ word: String, host: String, port: Int) throws -> String {
        let socket = try TestSocket(host: host, port: port)
        try socket.write(Array(word.utf8))
        return String(decoding: try socket.readToEnd(), as: UTF8.self)
    }
}
