import Foundation
import Glibc
import XCTest
@testable import KielIO

/// Runs `loop` turn by turn until `condition` holds; fails the test if it never does. The
/// limit only stops a broken test from hanging: nothing asserts on elapsed time.
func spin(_ loop: IOLoop, limit: Duration = .seconds(20), file: StaticString = #filePath, line: UInt = #line,
          until condition: () -> Bool) {
    let giveUp = Deadline.now() + limit
    while !condition() {
        if Deadline.now() > giveUp {
            XCTFail("condition not reached", file: file, line: line)
            return
        }
        loop.runOnce(timeout: .milliseconds(20))
    }
}

/// Frames `payload` the way the stream does: 4-byte big-endian length first.
func framed(_ payload: [UInt8]) -> [UInt8] {
    let n = UInt32(payload.count)
    return [UInt8(n >> 24), UInt8((n >> 16) & 0xFF), UInt8((n >> 8) & 0xFF), UInt8(n & 0xFF)] + payload
}

/// Recognisable bytes with a 251-byte period (prime, so frame boundaries never line up with
/// it); built by doubling so multi-megabyte payloads are cheap even in debug builds.
func pattern(_ count: Int, seed: UInt8 = 0) -> [UInt8] {
    var bytes = (0..<min(count, 251)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) }
    bytes.reserveCapacity(count)
    while bytes.count < count {
        bytes.append(contentsOf: bytes.prefix(count - bytes.count))
    }
    return bytes
}

/// Blocking socket calls for the test servers (they run on their own threads).
enum Blocking {
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            offset += n
        }
    }

    /// Reads until EOF or error, handing each chunk to `body`.
    static func readChunks(_ fd: Int32, _ body: ([UInt8]) -> Void) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return }
            body(Array(buffer[0..<n]))
        }
    }
}

/// A plain blocking TCP server on loopback for tests: accepts connections on a thread and
/// runs `serve` for each one on its own thread, then closes the connection.
final class LoopbackServer: Sendable {
    let listenFD: Int32
    let port: Int
    let host: String

    init(ipv6: Bool = false, backlog: Int32 = 16, acceptConnections: Bool = true,
         serve: @escaping @Sendable (Int32) -> Void) throws {
        let family = ipv6 ? AF_INET6 : AF_INET
        let fd = socket(family, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemCallError(call: "socket", errno: errno) }
        var on: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        var boundPort = 0
        if ipv6 {
            var sa = sockaddr_in6()
            sa.sin6_family = sa_family_t(AF_INET6)
            sa.sin6_addr = in6addr_loopback
            let rc = withUnsafePointer(to: &sa) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
            guard rc == 0 else { close(fd); throw SystemCallError(call: "bind", errno: errno) }
            var len = socklen_t(MemoryLayout<sockaddr_in6>.size)
            _ = withUnsafeMutablePointer(to: &sa) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
            }
            boundPort = Int(UInt16(bigEndian: sa.sin6_port))
            host = "::1"
        } else {
            var sa = sockaddr_in()
            sa.sin_family = sa_family_t(AF_INET)
            sa.sin_addr.s_addr = in_addr_t(0x7F00_0001).bigEndian
            let rc = withUnsafePointer(to: &sa) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard rc == 0 else { close(fd); throw SystemCallError(call: "bind", errno: errno) }
            var len = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &sa) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
            }
            boundPort = Int(UInt16(bigEndian: sa.sin_port))
            host = "127.0.0.1"
        }
        guard listen(fd, backlog) == 0 else { close(fd); throw SystemCallError(call: "listen", errno: errno) }
        listenFD = fd
        port = boundPort
        guard acceptConnections else { return }
        let thread = Thread {
            while true {
                let conn = accept(fd, nil, nil)
                if conn < 0 { return }
                var one: Int32 = 1
                setsockopt(conn, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                Thread {
                    serve(conn)
                    close(conn)
                }.start()
            }
        }
        thread.start()
    }

    /// Stops accepting (the accept thread sees an error and ends).
    func shutdownListener() {
        shutdown(listenFD, Int32(SHUT_RDWR))
        close(listenFD)
    }

    deinit { shutdownListener() }

    /// Echoes every byte back until the client closes.
    static func echo() throws -> LoopbackServer {
        try LoopbackServer { conn in
            Blocking.readChunks(conn) { Blocking.writeAll(conn, $0) }
        }
    }
}

/// Collects what a stream delivers, for assertions.
final class StreamRecorder {
    var frames: [[UInt8]] = []
    var closes: [IOError?] = []

    func attach(_ stream: FramedStream) {
        stream.onFrame = { [self] in self.frames.append($0) }
        stream.onClose = { [self] in self.closes.append($0) }
    }
}

/// Connects on `loop` and runs it until the connect completes.
func connectNow(_ loop: IOLoop, host: String, port: Int, timeout: Duration = .seconds(10),
                maxFrameSize: Int = 100 << 20) throws -> FramedStream {
    try loop.runUntilComplete(timeout: .seconds(30)) { (done: @escaping (Result<FramedStream, any Error>) -> Void) in
        FramedStream.connect(loop: loop, host: host, port: port, timeout: timeout, maxFrameSize: maxFrameSize) {
            done($0.mapError { $0 })
        }
    }
}
