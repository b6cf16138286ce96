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
}
