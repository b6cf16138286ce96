import Glibc
import XCTest
@testable import KielIO

/// Drives a stream over a local socketpair, so byte-exact chunking is in the test's hands.
final class FrameReaderTests: XCTestCase {
    private func makePair(_ loop: IOLoop, maxFrameSize: Int = 1 << 20) -> (FramedStream, Int32) {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds), 0)
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        let stream = FramedStream(loop: loop, fd: fds[0], host: "pair", port: 0, maxFrameSize: maxFrameSize)
        return (stream, fds[1])
    }

    func testSeededRandomChunkingReassemblesEveryFrame() throws {
        let loop = try IOLoop()
        var generator = SplitMix(seed: 2024)
        for round in 0..<20 {
            let (stream, peer) = makePair(loop)
            defer { close(peer) }
            let recorder = StreamRecorder()
            recorder.attach(stream)
            let payloads = (0..<50).map { index in
                pattern(Int(generator.next() % 3000), seed: UInt8(truncatingIfNeeded: index + round))
            }
            let blob = payloads.flatMap(framed)
            var offset = 0
            while offset < blob.count {
                let size = min(blob.count - offset, 1 + Int(generator.next() % 700))
                Blocking.writeAll(peer, Array(blob[offset..<(offset + size)]))
                offset += size
                loop.runOnce(timeout: .zero)
            }
            spin(loop) { recorder.frames.count == payloads.count }
            XCTAssertEqual(recorder.frames, payloads, "round \(round)")
            XCTAssertTrue(recorder.closes.isEmpty)
            stream.close()
        }
    }

    func testGarbageInputEndsInAnErrorNeverACrash() throws {
        let loop = try IOLoop()
        var generator = SplitMix(seed: 99)
        for _ in 0..<50 {
            let (stream, peer) = makePair(loop, maxFrameSize: 4096)
            let recorder = StreamRecorder()
            recorder.attach(stream)
            let garbage = (0..<2048).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            Blocking.writeAll(peer, garbage)
            close(peer)
            spin(loop) { recorder.closes.count == 1 }
            XCTAssertNotNil(recorder.closes.first ?? nil, "garbage or EOF is an error")
            XCTAssertFalse(stream.isOpen)
        }
    }

    /// A peer that announces a large frame and then sends next to nothing costs what it
    /// sent, not what it announced.
    func testAnAnnouncedLengthIsNotReservedBeforeItsBytesArrive() throws {
        let loop = try IOLoop()
        let (stream, peer) = makePair(loop, maxFrameSize: 128 << 20)
        defer { close(peer) }
        let recorder = StreamRecorder()
        recorder.attach(stream)
        Blocking.writeAll(peer, [0x06, 0x40, 0x00, 0x00] + [1, 2, 3, 4])   // announces 100 MiB
        spin(loop) { stream.pendingBufferCapacity > 0 }
        XCTAssertLessThanOrEqual(stream.pendingBufferCapacity, (64 << 10) + 64, "64 KiB, and what malloc rounds it up to")
        XCTAssertTrue(stream.isOpen)

        // As the frame comes in, the buffer grows with it (at most about twice what arrived).
        // Small writes, each read before the next: the loop runs on this thread.
        let chunk = [UInt8](repeating: 7, count: 16 << 10)
        for _ in 0..<64 {
            Blocking.writeAll(peer, chunk)
            loop.runOnce(timeout: .milliseconds(50))
        }
        XCTAssertGreaterThanOrEqual(stream.pendingBufferCapacity, 1 << 20)
        XCTAssertLessThanOrEqual(stream.pendingBufferCapacity, 2 * (8 + 64 * chunk.count))
        XCTAssertTrue(recorder.frames.isEmpty && recorder.closes.isEmpty)
        stream.close()

        // An announced length over the limit still fails at once, before its bytes.
        let (small, smallPeer) = makePair(loop, maxFrameSize: 1024)
        defer { close(smallPeer) }
        let refused = StreamRecorder()
        refused.attach(small)
        Blocking.writeAll(smallPeer, [0x00, 0x00, 0x04, 0x01])
        spin(loop) { refused.closes.count == 1 }
        XCTAssertEqual(refused.closes.first ?? nil, .frameTooLarge(size: 1025, limit: 1024))
    }

    func testAFrameDripFedOneByteAtATimeArrivesWhole() throws {
        let loop = try IOLoop()
        let (stream, peer) = makePair(loop)
        defer { close(peer) }
        let recorder = StreamRecorder()
        recorder.attach(stream)
        let payloads = [pattern(3000, seed: 1), [], pattern(5, seed: 2)]
        var maxCapacity = 0
        for byte in payloads.flatMap(framed) {
            Blocking.writeAll(peer, [byte])
            loop.runOnce(timeout: .milliseconds(50))
            maxCapacity = max(maxCapacity, stream.pendingBufferCapacity)
        }
        spin(loop) { recorder.frames.count == payloads.count }
        XCTAssertEqual(recorder.frames, payloads)
        XCTAssertTrue(recorder.closes.isEmpty)
        XCTAssertLessThanOrEqual(maxCapacity, 2 * (4 + 3000) + 64, "grown with the bytes, never past twice the frame")
        stream.close()
    }
}
