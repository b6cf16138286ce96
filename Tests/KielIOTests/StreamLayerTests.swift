import Glibc
import XCTest
@testable import KielIO

/// A layer that passes bytes through unchanged, except that the byte 0xFF is the peer's
/// "close" (as TLS's close_notify is): it decodes what came before it, then throws.
private final class ClosingLayer: StreamLayer {
    var isEstablished: Bool { true }
    func start(wire: inout [UInt8]) throws(IOError) {}
    func receive(_ bytes: UnsafeRawBufferPointer, plaintext: inout [UInt8], wire: inout [UInt8]) throws(IOError) {
        for byte in bytes {
            if byte == 0xFF { throw .closedByPeer }
            plaintext.append(byte)
        }
    }
    func send(_ plaintext: UnsafeRawBufferPointer, wire: inout [UInt8]) throws(IOError) -> Int {
        wire.append(contentsOf: plaintext)
        return plaintext.count
    }
}

final class StreamLayerTests: XCTestCase {
    /// The peer's last answer and its close arrive in one read: the answer is delivered first,
    /// then the close (a broker answering an authentication failure and hanging up).
    func testWhatTheLayerDecodedBeforeFailingIsDelivered() throws {
        let loop = try IOLoop()
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds), 0)
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        defer { close(fds[1]) }
        let stream = FramedStream(loop: loop, fd: fds[0], host: "pair", port: 0, maxFrameSize: 1 << 20,
                                  layer: ClosingLayer())
        let recorder = StreamRecorder()
        recorder.attach(stream)
        Blocking.writeAll(fds[1], framed([1, 2, 3]) + framed([4]) + [0xFF])
        spin(loop) { recorder.closes.count == 1 }
        XCTAssertEqual(recorder.frames, [[1, 2, 3], [4]])
        XCTAssertEqual(recorder.closes.count, 1)
        XCTAssertFalse(stream.isOpen)
    }
}
