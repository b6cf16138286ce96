import Foundation
import Glibc
import XCTest
@testable import KielIO

final class FramedStreamTests: XCTestCase {
    func testEchoRoundTripsIPv4() throws {
        let server = try LoopbackServer.echo()
        let loop = try IOLoop()
        let stream = try connectNow(loop, host: server.host, port: server.port)
        let recorder = StreamRecorder()
        recorder.attach(stream)
        let payloads: [[UInt8]] = [[], [1], pattern(1000), Array("hello".utf8)]
        for payload in payloads { stream.send(payload) }
        spin(loop) { recorder.frames.count == payloads.count }
        XCTAssertEqual(recorder.frames, payloads)
        stream.close()
        XCTAssertFalse(stream.isOpen)
        spin(loop) { recorder.closes.count == 1 }
        XCTAssertEqual(recorder.closes.count, 1)
        XCTAssertNil(recorder.closes[0])
    }

    /// `sendRaw` bytes go out exactly as given, interleaved in order with framed sends.
    func testSendRawKeepsTheCallersFraming() throws {
        let server = try LoopbackServer.echo()
        let loop = try IOLoop()
        let stream = try connectNow(loop, host: server.host, port: server.port)
        let recorder = StreamRecorder()
        recorder.attach(stream)
        stream.send([1])
        stream.sendRaw(framed([2, 2]) + framed([3, 3, 3]))
        stream.send([4])
        spin(loop) { recorder.frames.count == 4 }
        XCTAssertEqual(recorder.frames, [[1], [2, 2], [3, 3, 3], [4]])
        stream.close()
    }

    /// A failure known at once (a port out of range) still completes on a later turn.
    func testInvalidPortFailsOnALaterTurn() throws {
        let loop = try IOLoop()
        var result: Result<FramedStream, IOError>?
        FramedStream.connect(loop: loop, host: "127.0.0.1", port: 70_000, timeout: .seconds(5)) { result = $0 }
        XCTAssertNil(result, "never completes inside connect()")
        spin(loop) { result != nil }
        guard case .failure(let error)? = result else { return XCTFail("got \(String(describing: result))") }
        XCTAssertEqual(error, .connectFailed(host: "127.0.0.1", port: 70_000, errno: EINVAL))
        XCTAssertTrue(loop.timers.nextDeadline() == nil, "the connect timeout is cancelled")
    }

    func testEchoRoundTripIPv6AndNameResolution() throws {
        let server6 = try LoopbackServer(ipv6: true) { conn in
            Blocking.readChunks(conn) { Blocking.writeAll(conn, $0) }
        }
        let loop = try IOLoop()
        let stream6 = try connectNow(loop, host: "[::1]", port: server6.port)
        let server4 = try LoopbackServer.echo()
        // "localhost" goes through getaddrinfo on a background thread.
        let named = try connectNow(loop, host: "localhost", port: server4.port)
        XCTAssertEqual(stream6.host, "[::1]")
        for stream in [stream6, named] {
            let recorder = StreamRecorder()
            recorder.attach(stream)
            stream.send([9, 8, 7])
            spin(loop) { recorder.frames.count == 1 }
            XCTAssertEqual(recorder.frames, [[9, 8, 7]])
            stream.close()
        }
    }

    func testUnresolvableNameFails() throws {
        let loop = try IOLoop()
        XCTAssertThrowsError(try connectNow(loop, host: "no-such-host.invalid", port: 1)) { error in
            guard case .resolveFailed(let host, _)? = error as? IOError else {
                return XCTFail("unexpected \(error)")
            }
            XCTAssertEqual(host, "no-such-host.invalid")
        }
    }

    func testPipelinedSmallFramesKeepOrder() throws {
        let server = try LoopbackServer.echo()
        let loop = try IOLoop()
        let stream = try connectNow(loop, host: server.host, port: server.port)
        let recorder = StreamRecorder()
        recorder.attach(stream)
        let count = 20_000
        for index in 0..<count {
            stream.send(withUnsafeBytes(of: UInt32(index).bigEndian, Array.init))
        }
        spin(loop) { recorder.frames.count == count }
        let decoded = recorder.frames.map { $0.reduce(0) { $0 << 8 | Int($1) } }
        XCTAssertEqual(decoded, Array(0..<count))
        stream.close()
    }

    func testManyFramesInOneWrite() throws {
        let payloads = (0..<500).map { pattern($0 % 37, seed: UInt8($0 % 256)) }
        let blob = payloads.flatMap(framed)
        let server = try LoopbackServer { conn in
            Blocking.writeAll(conn, blob)
            Blocking.readChunks(conn) { _ in }
        }
        let loop = try IOLoop()
        let stream = try connectNow(loop, host: server.host, port: server.port)
        let recorder = StreamRecorder()
        recorder.attach(stream)
        spin(loop) { recorder.frames.count == payloads.count }
        XCTAssertEqual(recorder.frames, payloads)
        stream.close()
    }

    func testFrameSplitAcrossWritesByteByByte() throws {
        let payloads = [pattern(300), [42], []]
        let blob = payloads.flatMap(framed)
        let server = try LoopbackServer { conn in
            for byte in blob {
                Blocking.writeAll(conn, [byte])
                usleep(200)
            }
            Blocking.readChunks(conn) { _ in }
        }
        let loop = try IOLoop()
        let stream = try connectNow(loop, host: server.host, port: server.port)
        let recorder = StreamRecorder()
        recorder.attach(stream)
        spin(loop) { recorder.frames.count == payloads.count }
        XCTAssertEqual(recorder.frames, payloads)
        XCTAssertTrue(recorder.closes.isEmpty)
        stream.close()
    }

    func testOversizedFrameClosesWithError() throws {
        let server = try LoopbackServer { conn in
            Blocking.writeAll(conn, framed([1, 2]) + [0x00, 0x0F, 0x42, 0x40])  // 1,000,000 bytes declared
            Blocking.readChunks(conn) { _ in }
        }
        let loop = try IOLoop()
        let stream = try connectNow(loop, host: server.host, port: server.port, maxFrameSize: 1024)
        let recorder = StreamRecorder()
        recorder.attach(stream)
        spin(loop) { !recorder.closes.isEmpty }
        XCTAssertEqual(recorder.frames, [[1, 2]], "frames before the bad one are delivered")
        XCTAssertEqual(recorder.closes.count, 1)
        XCTAssertEqual(recorder.closes.first ?? nil, .frameTooLarge(size: 1_000_000, limit: 1024))
        XCTAssertFalse(stream.isOpen)
    }

    func testNegativeFrameSizeClosesWithError() throws {
        let server = try LoopbackServer { conn in
            Blocking.writeAll(conn, [0xFF, 0xFF, 0xFF, 0xFE])
            Blocking.readChunks(conn) { _ in }
        }
        let loop = try IOLoop()
        let stream = try connectNow(loop, host: server.host, port: server.port)
        let recorder = StreamRecorder()
        recorder.attach(stream)
        spin(loop) { !recorder.closes.isEmpty }
        XCTAssertEqual(recorder.closes.first ?? nil, .negativeFrameSize(-2))
        XCTAssertTrue(recorder.frames.isEmpty)
    }

    func testPeerCloseReportedExactlyOnce() throws {
        let server = try LoopbackServer { conn in
            Blocking.writeAll(conn, framed([7, 7]))
        }
        let loop = try IOLoop()
        let stream = try connectNow(loop, host: server.host, port: server.port)
        let recorder = StreamRecorder()
        recorder.attach(stream)
        spin(loop) { !recorder.closes.isEmpty }
        XCTAssertEqual(recorder.frames, [[7, 7]])
        stream.close()
        stream.send([1])
        for _ in 0..<3 { loop.runOnce(timeout: .zero) }
        XCTAssertEqual(recorder.closes.count, 1)
        XCTAssertEqual(recorder.closes.first ?? nil, .closedByPeer)
    }

    func testWritingToADeadPeerIsAnErrorNotSIGPIPE() throws {
        let server = try LoopbackServer { _ in }  // closes at once
        let loop = try IOLoop()
        let stream = try connectNow(loop, host: server.host, port: server.port)
        var closes: [IOError?] = []
        stream.onClose = { closes.append($0) }
        // Keep writing until the kernel reports the reset; the process must survive it.
        spin(loop) {
            if stream.isOpen { stream.send(pattern(4096)) }
            return !closes.isEmpty
        }
        XCTAssertEqual(closes.count, 1)
        XCTAssertNotNil(closes.first ?? nil)
    }

    func testConnectRefused() throws {
        // Bind a port and close it without listening: nothing accepts there.
        let probe = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var sa = sockaddr_in()
        sa.sin_family = sa_family_t(AF_INET)
        sa.sin_addr.s_addr = in_addr_t(0x7F00_0001).bigEndian
        _ = withUnsafePointer(to: &sa) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(probe, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &sa) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(probe, $0, &len) }
        }
        let port = Int(UInt16(bigEndian: sa.sin_port))
        close(probe)
        let loop = try IOLoop()
        XCTAssertThrowsError(try connectNow(loop, host: "127.0.0.1", port: port)) { error in
            XCTAssertEqual(error as? IOError, .connectFailed(host: "127.0.0.1", port: port, errno: ECONNREFUSED))
            XCTAssertEqual("\(error)", "connect failed: connection refused (errno 111)")
        }
    }

    func testConnectTimesOutAgainstAFullBacklog() throws {
        // A listener that never accepts, with its queue filled: further handshakes stall.
        let server = try LoopbackServer(backlog: 0, acceptConnections: false) { _ in }
        var fillers: [Int32] = []
        defer { for fd in fillers { close(fd) } }
        for _ in 0..<3 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue), 0)
            var sa = sockaddr_in()
            sa.sin_family = sa_family_t(AF_INET)
            sa.sin_port = in_port_t(UInt16(server.port)).bigEndian
            sa.sin_addr.s_addr = in_addr_t(0x7F00_0001).bigEndian
            _ = withUnsafePointer(to: &sa) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            fillers.append(fd)
        }
        usleep(50_000)
        // Virtual time: the timeout fires when the test says, not after a real wait.
        let clock = TestClock()
        let loop = try IOLoop(clock: .manual(clock))
        var result: Result<FramedStream, IOError>?
        FramedStream.connect(loop: loop, host: server.host, port: server.port, timeout: .seconds(3)) { result = $0 }
        XCTAssertNil(result, "never completes inside connect()")
        for _ in 0..<5 { loop.runOnce(timeout: .milliseconds(10)) }
        XCTAssertNil(result, "the handshake must still be pending")
        clock.advance(by: .seconds(3))
        spin(loop) { result != nil }
        guard case .failure(let error)? = result else { return XCTFail("got \(String(describing: result))") }
        XCTAssertEqual(error, .connectTimedOut(host: server.host, port: server.port))
        XCTAssertEqual(loop.handlers.count, 1, "only the wake-up fd remains registered")
    }

    func testLargeFrameSurvivesPartialWrites() throws {
        let gate = DispatchSemaphore(value: 0)
        let server = try LoopbackServer { conn in
            gate.wait()  // let the client's socket buffer fill up first
            Blocking.readChunks(conn) { Blocking.writeAll(conn, $0) }
        }
        let loop = try IOLoop()
        let stream = try connectNow(loop, host: server.host, port: server.port)
        let recorder = StreamRecorder()
        recorder.attach(stream)
        let big = pattern(16 << 20, seed: 5)
        stream.send(big)
        stream.send([1, 2, 3])
        for _ in 0..<3 { loop.runOnce(timeout: .milliseconds(10)) }
        XCTAssertGreaterThan(stream.bufferedOutputBytes, 0, "the kernel cannot take 16 MB at once")
        XCTAssertTrue(loop.handlers[stream.fileDescriptor]?.events.contains(.write) ?? false,
                      "write interest while output is pending")
        gate.signal()
        spin(loop) { recorder.frames.count == 2 }
        XCTAssertEqual(recorder.frames.first?.count, big.count)
        XCTAssertTrue(recorder.frames.first == big)
        XCTAssertEqual(recorder.frames.last, [1, 2, 3])
        XCTAssertEqual(stream.bufferedOutputBytes, 0)
        XCTAssertEqual(loop.handlers[stream.fileDescriptor]?.events, .read, "write interest dropped once drained")
        stream.close()
    }
}

final class FramedStreamCloseTests: XCTestCase {
    /// The first frame arrives in two pieces (so it is reassembled from carried-over bytes),
    /// followed in the same read by more frames; closing from the first frame's handler
    /// stops delivery at once.
    func testCloseInsideOnFrameStopsDelivery() throws {
        let first = framed(pattern(100))
        let rest = Array(first[50...]) + framed([2]) + framed([3])
        let server = try LoopbackServer { conn in
            Blocking.writeAll(conn, Array(first[..<50]))
            usleep(30_000)
            Blocking.writeAll(conn, rest)
            Blocking.readChunks(conn) { _ in }
        }
        let loop = try IOLoop()
        let stream = try connectNow(loop, host: server.host, port: server.port)
        var frames: [[UInt8]] = []
        var closes: [IOError?] = []
        stream.onFrame = { frame in
            frames.append(frame)
            stream.close()
        }
        stream.onClose = { closes.append($0) }
        spin(loop) { !closes.isEmpty }
        XCTAssertEqual(frames, [pattern(100)])
        XCTAssertEqual(closes.count, 1)
        XCTAssertNil(closes.first ?? IOError.closed)
    }

    func testSendAfterCloseIsIgnoredAndCloseIsIdempotent() throws {
        let server = try LoopbackServer.echo()
        let loop = try IOLoop()
        let stream = try connectNow(loop, host: server.host, port: server.port)
        var closes = 0
        stream.onClose = { _ in closes += 1 }
        stream.close()
        stream.close()
        XCTAssertEqual(closes, 0, "onClose never runs inside close()")
        stream.send([1, 2, 3])
        XCTAssertEqual(stream.bufferedOutputBytes, 0)
        for _ in 0..<3 { loop.runOnce(timeout: .zero) }
        XCTAssertEqual(closes, 1)
    }
}
