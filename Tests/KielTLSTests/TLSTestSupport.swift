import CLinux
import Foundation
import Glibc
import KielIO
import KielTestSupport
import KielTLS
import XCTest

/// A blocking TCP echo server on loopback (each connection on its own thread), for stunnel
/// to forward to: what the client sends through TLS comes back through TLS.
final class EchoServer: @unchecked Sendable {
    let port: Int
    private let listener: Int32

    init() throws {
        port = try ChildProcess.freePort()
        listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = in_addr_t(0x7F00_0001).bigEndian
        address.sin_port = UInt16(port).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 16) == 0 else { throw SystemCallError(call: "bind/listen", errno: errno) }
        let fd = listener
        Thread {
            while true {
                let connection = accept(fd, nil, nil)
                if connection < 0 { return }
                Thread {
                    var buffer = [UInt8](repeating: 0, count: 65536)
                    while true {
                        let count = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
                        if count <= 0 { break }
                        var offset = 0
                        while offset < count {
                            let sent = buffer.withUnsafeBytes { send(connection, $0.baseAddress! + offset, count - offset, Int32(MSG_NOSIGNAL)) }
                            if sent <= 0 { break }
                            offset += sent
                        }
                    }
                    close(connection)
                }.start()
            }
        }.start()
    }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    deinit { stop() }
}

/// Drives `loop` the way a service with its own epoll loop does (`attachHost`), until
/// `condition` holds. The limit only stops a broken test from hanging.
func hostDrive(_ loop: IOLoop, until condition: () -> Bool, file: StaticString = #filePath, line: UInt = #line) {
    let epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
    defer { close(epoll) }
    var watched = Set<Int32>()
    var next: Deadline?
    loop.attachHost(watch: { fd, events in
        var event = epoll_event()
        event.events = (events.contains(.read) ? EPOLLIN.rawValue : 0) | (events.contains(.write) ? EPOLLOUT.rawValue : 0)
        event.data.fd = fd
        if events.isEmpty {
            if watched.remove(fd) != nil { epoll_ctl(epoll, EPOLL_CTL_DEL, fd, nil) }
        } else {
            epoll_ctl(epoll, watched.insert(fd).inserted ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &event)
        }
    }, deadline: { next = $0 })
    defer { loop.detachHost() }
    let giveUp = Deadline.now() + .seconds(30)
    var ready = [epoll_event](repeating: epoll_event(), count: 16)
    while !condition() {
        if Deadline.now() > giveUp { return XCTFail("the host loop never got there", file: file, line: line) }
        let wait = next.map { Int32(max(0, min(100, (($0 - loop.now) / .milliseconds(1)).rounded(.up)))) } ?? 100
        let count = epoll_wait(epoll, &ready, Int32(ready.count), wait)
        for event in ready.prefix(Int(max(count, 0))) where watched.contains(event.data.fd) {
            var io: IOEvents = []
            if event.events & EPOLLIN.rawValue != 0 { io.insert(.read) }
            if event.events & EPOLLOUT.rawValue != 0 { io.insert(.write) }
            if event.events & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 { io.insert(.error) }
            loop.hostReady(fd: event.data.fd, events: io)
        }
        if let d = next, d <= loop.now { loop.hostDeadlineReached() }
    }
}

/// Runs `loop` turn by turn until `condition` holds (the limit only stops a broken test).
func spin(_ loop: IOLoop, file: StaticString = #filePath, line: UInt = #line, until condition: () -> Bool) {
    let giveUp = Deadline.now() + .seconds(30)
    while !condition() {
        if Deadline.now() > giveUp { return XCTFail("condition not reached", file: file, line: line) }
        loop.runOnce(timeout: .milliseconds(20))
    }
}

/// Connects through TLS and runs the loop until the handshake is done or failed.
func connectTLS(_ loop: IOLoop, port: Int, host: String = "127.0.0.1", _ configuration: TLSConfiguration,
                timeout: Duration = .seconds(10)) throws -> (Result<FramedStream, IOError>, TLSLayer) {
    let layer = try TLSContext(configuration).makeLayer(host: host)
    var outcome: Result<FramedStream, IOError>?
    FramedStream.connect(loop: loop, host: host, port: port, timeout: timeout, layer: layer) { outcome = $0 }
    spin(loop) { outcome != nil }
    return (outcome ?? .failure(.closed), layer)
}

/// The TLS failure a stream or connect reported, if it was one.
func tlsFailure(_ error: IOError?) -> TLSError? {
    guard case .layerFailed(let failure)? = error else { return nil }
    return failure.underlying as? TLSError
}

/// Recognisable bytes of any length.
func pattern(_ count: Int, seed: Int = 0) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ seed &+ $0 / 251) }
}
