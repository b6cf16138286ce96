import Glibc
import XCTest
@testable import KielIO

/// Passes bytes through unchanged (TLS's place in the stream, without the encryption).
private final class PassLayer: StreamLayer {
    var isEstablished: Bool { true }
    func start(wire: inout [UInt8]) throws(IOError) {}
    func receive(_ bytes: UnsafeRawBufferPointer, plaintext: inout [UInt8], wire: inout [UInt8]) throws(IOError) {
        plaintext.append(contentsOf: bytes)
    }
    func send(_ plaintext: UnsafeRawBufferPointer, wire: inout [UInt8]) throws(IOError) -> Int {
        wire.append(contentsOf: plaintext)
        return plaintext.count
    }
}

/// Large frames are read in place and their arrays reused once the receiver lets go.
final class FrameAssemblyTests: XCTestCase {
    private func makePair(_ loop: IOLoop, layer: (any StreamLayer)? = nil) -> (FramedStream, Int32) {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds), 0)
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        let stream = FramedStream(loop: loop, fd: fds[0], host: "pair", port: 0, maxFrameSize: 64 << 20, layer: layer)
        return (stream, fds[1])
    }

    func testTheStorageCheckSeesOtherHolders() {
        // Each answer is taken outside the assertion: an autoclosure would read `bytes`
        // through a temporary copy of it.
        var empty: [UInt8] = []
        let emptyAlone = FrameAssembly.holdsStorageAlone(&empty)
        XCTAssertFalse(emptyAlone, "the shared empty array is never written into")
        var bytes = pattern(1000)
        let fresh = FrameAssembly.holdsStorageAlone(&bytes)
        var copy: [UInt8]? = bytes
        let copied = FrameAssembly.holdsStorageAlone(&bytes)
        copy = nil
        let copyGone = FrameAssembly.holdsStorageAlone(&bytes)
        var view: ArraySlice<UInt8>? = bytes[10..<20]
        let viewed = FrameAssembly.holdsStorageAlone(&bytes)
        view = nil
        let viewGone = FrameAssembly.holdsStorageAlone(&bytes)
        XCTAssertEqual([fresh, copied, copyGone, viewed, viewGone], [true, false, true, false, true])
        XCTAssertNil(copy)
        XCTAssertNil(view)
    }

    /// A receiver that lets go of each frame gets the next one in the same memory; one that
    /// keeps a frame keeps its bytes as they were.
    func testAReleasedFrameIsReadIntoAgainAndAKeptOneIsLeftAlone() throws {
        let loop = try IOLoop()
        let (stream, peer) = makePair(loop)
        defer { close(peer) }
        var addresses: [UnsafeRawPointer?] = []
        var sums: [Int] = []
        var kept: [[UInt8]] = []
        var keepNext = false
        stream.onFrame = { frame in
            addresses.append(frame.withUnsafeBytes { $0.baseAddress })
            sums.append(frame.reduce(0) { $0 &+ Int($1) })
            if keepNext { kept.append(frame) }
        }
        let sizes = [1 << 20, 1 << 20, 900_000, 1 << 20, 1 << 20, 1 << 20]
        let payloads = sizes.enumerated().map { pattern($1, seed: UInt8($0)) }
        for (index, payload) in payloads.enumerated() {
            keepNext = index == 3
            let writer = Thread { Blocking.writeAll(peer, framed(payload)) }
            writer.start()
            spin(loop) { addresses.count == index + 1 }
        }
        XCTAssertEqual(sums, payloads.map { $0.reduce(0) { $0 &+ Int($1) } })
        XCTAssertEqual(addresses[1], addresses[0], "the first frame's array, let go of, takes the second")
        XCTAssertEqual(addresses[2], addresses[0], "and a smaller one")
        XCTAssertEqual(addresses[3], addresses[0])
        XCTAssertNotEqual(addresses[4], addresses[3], "the kept frame is not read into")
        XCTAssertEqual(addresses[5], addresses[4])
        XCTAssertEqual(kept, [payloads[3]])
        XCTAssertTrue(stream.isOpen)
        stream.close()
    }

    /// Frames on both sides of the threshold, cut at seeded places, some kept and some let go
    /// of, through the plain reader and through a layer that hands bytes over in pieces.
    func testSeededLargeAndSmallFramesArriveWhole() throws {
        let loop = try IOLoop()
        var generator = SplitMix(seed: 7)
        for round in 0..<4 {
            let (stream, peer) = makePair(loop, layer: round % 2 == 0 ? nil : PassLayer())
            defer { close(peer) }
            var sums: [Int] = []
            var kept: [[UInt8]] = []
            stream.onFrame = { frame in
                sums.append(frame.reduce(0) { $0 &+ Int($1) } &+ frame.count)
                if frame.count % 3 == 0 { kept.append(frame) }
            }
            let payloads = (0..<30).map { index in
                let large = generator.next() % 2 == 0
                let size = Int(generator.next() % (large ? 400_000 : 70_000))
                return pattern(size, seed: UInt8(truncatingIfNeeded: index + round))
            }
            let blob = payloads.flatMap(framed)
            let cuts = (0..<60).map { _ in Int(generator.next() % UInt64(blob.count)) }.sorted()
            let writer = Thread {
                var offset = 0
                for cut in cuts + [blob.count] where cut > offset {
                    Blocking.writeAll(peer, Array(blob[offset..<cut]))
                    offset = cut
                    usleep(200)
                }
            }
            writer.start()
            spin(loop) { sums.count == payloads.count }
            XCTAssertEqual(sums, payloads.map { $0.reduce(0) { $0 &+ Int($1) } &+ $0.count }, "round \(round)")
            XCTAssertEqual(kept, payloads.filter { $0.count % 3 == 0 }, "kept frames keep their bytes")
            XCTAssertTrue(stream.isOpen)
            stream.close()
        }
    }
    /// A write that fails inside `flushNow` is reported on the loop's next turn, not from
    /// inside the call (whose caller is in the middle of its own work).
    func testAFailedFlushNowIsReportedLaterOnce() throws {
        let loop = try IOLoop()
        let (stream, peer) = makePair(loop)
        let recorder = StreamRecorder()
        recorder.attach(stream)
        close(peer)
        stream.send([1, 2, 3])
        stream.flushNow()
        XCTAssertTrue(recorder.closes.isEmpty, "nothing reported from inside flushNow")
        spin(loop) { recorder.closes.count == 1 }
        XCTAssertNotNil(recorder.closes.first ?? nil)
        XCTAssertFalse(stream.isOpen)
    }
}
