import Glibc
import KielIO

/// A loopback TCP service the host accepts and answers itself on its own epoll set; KielIO
/// plays no part. `respond` gets the bytes received so far on one connection, removes the
/// ones it answers, and returns the reply. Main thread only.
final class LoopbackService {
    let name: String
    let port: Int
    private let host: EpollHost
    private let listenFD: Int32
    private let respond: (inout [UInt8]) -> [UInt8]
    private var received: [Int32: [UInt8]] = [:]

    init(name: String, host: EpollHost, respond: @escaping (inout [UInt8]) -> [UInt8]) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemCallError(call: "socket", errno: errno) }
        var address = loopbackAddress(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard listening else {
            let code = errno
            close(fd)
            throw SystemCallError(call: "bind/listen", errno: code)
        }
        self.name = name
        self.port = Int(UInt16(bigEndian: address.sin_port))
        self.host = host
        self.listenFD = fd
        self.respond = respond
        host.watch(fd) { [unowned self] in self.acceptConnection() }
    }

    func shutdown() {
        for fd in received.keys { hangUp(fd) }
        host.unwatch(listenFD)
        close(listenFD)
    }

    private func acceptConnection() {
        let fd = accept(listenFD, nil, nil)
        guard fd >= 0 else { return }
        _ = fcntl(fd, F_SETFL, O_NONBLOCK)
        log("\(name): accepted connection fd \(fd)")
        received[fd] = []
        host.watch(fd) { [unowned self] in self.readable(fd) }
    }

    private func readable(_ fd: Int32) {
        var chunk = [UInt8](repeating: 0, count: 4096)
        let count = recv(fd, &chunk, chunk.count, 0)
        if count < 0 && (errno == EAGAIN || errno == EINTR) { return }
        guard count > 0 else { return hangUp(fd) }
        received[fd, default: []].append(contentsOf: chunk[..<count])
        let reply = respond(&received[fd, default: []])
        // The replies here are a few bytes: a loopback socket's send buffer takes them whole.
        if !reply.isEmpty { _ = send(fd, reply, reply.count, Int32(MSG_NOSIGNAL)) }
    }

    private func hangUp(_ fd: Int32) {
        log("\(name): connection fd \(fd) closed")
        received[fd] = nil
        host.unwatch(fd)
        close(fd)
    }
}

func loopbackAddress(port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port)).bigEndian
    address.sin_addr.s_addr = in_addr_t(INADDR_LOOPBACK).bigEndian
    return address
}

/// Asks a line-based service one question over a plain blocking socket (for a worker thread).
func askBlocking(port: Int, _ question: String) -> String {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
    defer { close(fd) }
    var address = loopbackAddress(port: port)
    let connected = withUnsafePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
        }
    }
    let bytes = Array(question.utf8)
    guard connected, send(fd, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count else {
        return "failed: errno \(errno)"
    }
    var reply = [UInt8](repeating: 0, count: 256)
    // One short line over loopback arrives in one read.
    let count = recv(fd, &reply, reply.count, 0)
    return count > 0 ? String(decoding: reply[..<count], as: UTF8.self) : "no answer"
}
