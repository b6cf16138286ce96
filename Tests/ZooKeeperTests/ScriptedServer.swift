import Foundation
import KielIO
#if canImport(Glibc)
import Glibc
#endif
@testable import ZooKeeper

/// A scripted ZooKeeper server on the test's loop, for faults a real server won't produce on
/// demand: going silent, answering garbage. It answers the handshake with a fixed session and,
/// while `answerPings` is true, answers pings. Loop-confined.
final class ScriptedServer {
    let loop: IOLoop
    let listenFD: Int32
    let port: Int
    var sessionTimeoutMs: Int32 = 600
    let sessionID: Int64 = 0x4242
    var answerPings = true
    /// Answer handshakes that resume a session with "expired" (timeout 0), as a real server does
    /// for a session it has dropped.
    var expireResumes = false
    /// Called for each request frame after the handshake: (xid, type, connection fd).
    var onRequest: ((Int32, Int32, Int32) -> Void)?
    private(set) var connectRequests: [ConnectRequest] = []
    /// When each connect request arrived, on the loop's clock.
    private(set) var connectTimes: [Deadline] = []
    private(set) var pings = 0
    private var buffers: [Int32: [UInt8]] = [:]

    init(loop: IOLoop) throws {
        self.loop = loop
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) }
        }
        guard bound == 0, listen(fd, 8) == 0 else { throw ZKTestFailure("bind/listen failed") }
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        listenFD = fd
        port = Int(UInt16(bigEndian: addr.sin_port))
        loop.addHandler(listenFD, events: .read) { [unowned self] _ in self.accept() }
    }

    var connectString: String { "127.0.0.1:\(port)" }

    func shutdown() {
        for fd in buffers.keys { drop(fd) }
        loop.removeHandler(listenFD)
        Glibc.close(listenFD)
    }

    func drop(_ fd: Int32) {
        loop.removeHandler(fd)
        Glibc.close(fd)
        buffers[fd] = nil
    }

    func send(_ fd: Int32, _ payload: [UInt8]) {
        var w = JuteWriter()
        w.writeInt32(Int32(payload.count))
        w.writeRaw(payload)
        _ = w.bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    private func accept() {
        let fd = Glibc.accept(listenFD, nil, nil)
        guard fd >= 0 else { return }
        handshaken.remove(fd)
        loop.addHandler(fd, events: .read) { [unowned self] _ in self.readable(fd) }
        buffers[fd] = []
    }

    private func readable(_ fd: Int32) {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return drop(fd) }
        buffers[fd, default: []] += chunk[0..<count]
        while var buffer = buffers[fd], buffer.count >= 4 {
            var r = JuteReader(buffer)
            let length = Int(r.readInt32())
            guard buffer.count >= 4 + length else { break }
            let frame = Array(buffer[4..<4 + length])
            buffer.removeFirst(4 + length)
            buffers[fd] = buffer
            handle(frame, fd)
        }
    }

    private func handle(_ frame: [UInt8], _ fd: Int32) {
        var r = JuteReader(frame)
        if !handshaken.contains(fd) {
            handshaken.insert(fd)
            let request = ConnectRequest(protocolVersion: r.readInt32(), lastZxidSeen: r.readInt64(),
                                         timeout: r.readInt32(), sessionID: r.readInt64(),
                                         password: r.readBuffer() ?? [])
            connectRequests.append(request)
            connectTimes.append(loop.now)
            var w = JuteWriter()
            let expired = expireResumes && request.sessionID != 0
            ConnectResponse(protocolVersion: 0, timeout: expired ? 0 : sessionTimeoutMs,
                            sessionID: expired ? 0 : sessionID,
                            password: [UInt8](repeating: 7, count: 16)).encode(into: &w)
            send(fd, w.bytes)
            return
        }
        let xid = r.readInt32()
        let type = r.readInt32()
        if xid == SpecialXid.ping {
            pings += 1
            if answerPings {
                var w = JuteWriter()
                ReplyHeader(xid: xid, zxid: 0, err: 0).encode(into: &w)
                send(fd, w.bytes)
            }
            return
        }
        onRequest?(xid, type, fd)
    }

    private var handshaken = Set<Int32>()
}
