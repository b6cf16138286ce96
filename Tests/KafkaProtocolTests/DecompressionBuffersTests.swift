import KielTestSupport
import XCTest
@testable import KafkaProtocol
@testable import KafkaCompression

/// A consumer's decompressed batches land in arrays kept from earlier batches once nothing
/// holds those any more, and only then: records still viewing an array keep their bytes. Told
/// by the buffers' own counts and by bytes allocated (AllocationCounter), never by time.
final class DecompressionBuffersTests: XCTestCase {
    static let compressed: [CompressionCodec] = [.gzip, .snappy, .lz4, .zstd]

    override func setUp() {
        XCTAssertTrue(Allocations.areCounted, "the allocation counter must see this process's mallocs")
    }

    /// A batch of `count` records of compressible text (about 1000 bytes each), the values
    /// differing by `seed`.
    static func batch(_ codec: CompressionCodec, baseOffset: Int64, count: Int = 300, seed: UInt8) throws -> [UInt8] {
        var builder = RecordBatchBuilder(compression: codec, baseOffset: baseOffset)
        for i in 0..<count { builder.append(timestamp: 7, key: nil, value: value(i, seed: seed)) }
        return try builder.build()
    }

    static func value(_ i: Int, seed: UInt8) -> [UInt8] {
        (0..<1000).map { j in j % 16 < 8 ? UInt8(ascii: "a") &+ seed : UInt8(truncatingIfNeeded: (i &* 31 &+ j) % 16) &+ 48 }
    }

    static func decode(_ bytes: [UInt8], _ buffers: inout DecompressionBuffers) -> DecodedRecords {
        var budget = DecodeBudget.forFetch(maxBytes: 1 << 20)
        return RecordBatchDecoder(topic: "t", partition: 0).decodeUntilError(bytes, in: bytes.indices, remaining: &budget,
                                                                               buffers: &buffers)
    }

    func testAFreedBatchArrayIsDecompressedIntoAgain() throws {
        for codec in Self.compressed {
            var buffers = DecompressionBuffers(maxBytes: 16 << 20)
            let first = try Self.batch(codec, baseOffset: 0, seed: 0)
            let second = try Self.batch(codec, baseOffset: 300, seed: 1)
            do {
                let result = Self.decode(first, &buffers)
                XCTAssertNil(result.error, "\(codec)")
                XCTAssertEqual(result.records.count, 300, "\(codec)")
            }
            XCTAssertEqual(buffers.allocated, 1, "\(codec)")
            XCTAssertEqual(buffers.reused, 0, "\(codec)")
            // The first batch's records are gone: the second lands in its array and allocates
            // far less than its 300 KB of records (their structures, not their bytes).
            let (result, peak) = Allocations.peak { Self.decode(second, &buffers) }
            XCTAssertNil(result.error, "\(codec)")
            XCTAssertEqual(buffers.reused, 1, "\(codec)")
            XCTAssertEqual(buffers.allocated, 1, "\(codec)")
            XCTAssertEqual(result.records.map(\.offset), Array(300..<600), "\(codec)")
            XCTAssertEqual(result.records.map { $0.value! }, (0..<300).map { Self.value($0, seed: 1) }, "\(codec)")
            XCTAssertLessThan(peak, 150_000, "\(codec)")
            // Without kept arrays the same batch costs its bytes again.
            var none = DecompressionBuffers.none
            let (_, fresh) = Allocations.peak { Self.decode(second, &none) }
            XCTAssertGreaterThan(fresh, 300_000, "\(codec)")
        }
    }

    func testAnArrayStillViewedIsNotWrittenInto() throws {
        for codec in Self.compressed {
            var buffers = DecompressionBuffers(maxBytes: 16 << 20)
            let held = Self.decode(try Self.batch(codec, baseOffset: 0, seed: 0), &buffers).records
            let views = held.map { $0.valueBytes! }
            let copies = views.map { Array($0) }
            let second = Self.decode(try Self.batch(codec, baseOffset: 300, seed: 1), &buffers)
            XCTAssertNil(second.error, "\(codec)")
            XCTAssertEqual(buffers.reused, 0, "\(codec): the first array is still viewed")
            XCTAssertEqual(buffers.allocated, 2, "\(codec)")
            XCTAssertEqual(views.map { Array($0) }, copies, "\(codec): the views kept their bytes")
            XCTAssertEqual(held.map { $0.value! }, (0..<300).map { Self.value($0, seed: 0) }, "\(codec)")
            XCTAssertEqual(second.records.map { $0.value! }, (0..<300).map { Self.value($0, seed: 1) }, "\(codec)")
        }
    }

    func testKeptArraysAreBoundedAndLetGo() throws {
        // Room for one batch's array only: the second (while the first is viewed) pushes it out.
        let one = try Self.batch(.lz4, baseOffset: 0, seed: 0)
        var buffers = DecompressionBuffers(maxBytes: 400_000)
        var held: [Record]? = Self.decode(one, &buffers).records
        XCTAssertGreaterThan(buffers.bytesKept, 300_000)
        _ = Self.decode(try Self.batch(.lz4, baseOffset: 300, seed: 1), &buffers)
        XCTAssertLessThanOrEqual(buffers.bytesKept, 400_000 + one.count)
        held = nil
        XCTAssertNil(held)
        _ = Self.decode(one, &buffers)
        XCTAssertEqual(buffers.reused, 1, "the second batch's array, free again, was kept")
        buffers.removeAll()
        XCTAssertEqual(buffers.bytesKept, 0)
        // Keeping nothing: every output is new.
        var none = DecompressionBuffers.none
        for _ in 0..<3 { _ = Self.decode(one, &none) }
        XCTAssertEqual(none.reused, 0)
        XCTAssertEqual(none.bytesKept, 0)
    }

    func testAMuchLargerKeptArrayIsNotUsedForASmallBatch() throws {
        var buffers = DecompressionBuffers(maxBytes: 16 << 20)
        _ = Self.decode(try Self.batch(.lz4, baseOffset: 0, seed: 0), &buffers)
        let small = Self.decode(try Self.batch(.lz4, baseOffset: 300, count: 10, seed: 1), &buffers)
        XCTAssertEqual(small.records.count, 10)
        XCTAssertEqual(buffers.reused, 0, "records of 10 KB must not keep a 300 KB array alive")
    }

    /// Bombs decoded with a free kept array at hand fail as they do without one, within the
    /// same memory.
    func testBombsFailAlikeWithKeptArrays() throws {
        let budget = DecodeBudget(bytes: 1 << 20, records: 1 << 20)
        let chunk = (1 << 20) / Bomb.minimalRecord.count
        for codec in Self.compressed {
            var buffers = DecompressionBuffers(maxBytes: 64 << 20)
            // A megabyte of honest records first, so a free array of about the budget is kept.
            let honest = try Bomb.batch(codec, chunkRecords: chunk - 1000, chunks: 1)
            var whole = budget
            do {
                let decoded = RecordBatchDecoder(topic: "t", partition: 3, budget: budget)
                    .decodeUntilError(honest, in: honest.indices, remaining: &whole, buffers: &buffers)
                XCTAssertNil(decoded.error, "\(codec)")
                XCTAssertEqual(buffers.allocated, 1, "\(codec)")
            }
            var bomb = try Bomb.batch(codec, chunkRecords: chunk, chunks: 32, baseOffset: 100)
            for i in 0..<4 { bomb[57 + i] = UInt8(truncatingIfNeeded: Int32(1000) >> (24 - 8 * i)) }
            patchV2CRC(&bomb, at: 0)
            let decoder = RecordBatchDecoder(topic: "t", partition: 3, budget: budget)
            var remaining = budget
            let (result, peak) = Allocations.peak {
                decoder.decodeUntilError(bomb, in: bomb.indices, remaining: &remaining, buffers: &buffers)
            }
            XCTAssertEqual(result.error, .decodeBudgetExceeded(topic: "t", partition: 3, offset: 100,
                                                               what: "decompressed bytes", limit: 1 << 20), "\(codec)")
            XCTAssertTrue(result.batches.isEmpty, "\(codec)")
            XCTAssertLessThanOrEqual(peak, 2 * bomb.count + 2 * budget.bytes + (512 << 10), "\(codec)")
            // The decompressors themselves, straight.
            let payload = try Bomb.payload(codec, chunkRecords: chunk, chunks: 32)
            let outcome = Result { () throws(CompressionError) in try codec.decompress(payload, maxSize: 1 << 20, buffers: &buffers) }
            XCTAssertEqual(outcome.failureValue, .outputTooLarge(codec, limit: 1 << 20), "\(codec)")
            // A kept array larger than the limit is no way past it either.
            let over = Result { () throws(CompressionError) in
                try codec.decompress(try codec.compress(Bomb.records(chunk)), maxSize: (1 << 20) - 100, buffers: &buffers)
            }
            XCTAssertEqual(over.failureValue, .outputTooLarge(codec, limit: (1 << 20) - 100), "\(codec)")
        }
    }

    /// A zstd frame streamed without its size: its block headers bound it, so it too lands in
    /// a kept array; a bound that falls short of the content still decodes (the general way).
    func testAZstdFrameWithoutItsSizeIsDecodedIntoAKeptArray() throws {
        // Magic, no content size, a 128 KiB window; a raw block of 100 bytes, an RLE block of
        // 50, the last one raw again.
        let raw = (0..<100).map { UInt8($0) }
        func header(_ type: Int, _ size: Int, last: Bool) -> [UInt8] {
            let h = size << 3 | type << 1 | (last ? 1 : 0)
            return [UInt8(h & 0xFF), UInt8(h >> 8 & 0xFF), UInt8(h >> 16)]
        }
        let frame: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD, 0x00, 0x38] + header(0, 100, last: false) + raw
            + header(1, 50, last: false) + [7] + header(0, 100, last: true) + raw
        let content = raw + [UInt8](repeating: 7, count: 50) + raw
        XCTAssertEqual(frame.withUnsafeBufferPointer(ZstdDecoder.contentBound), 250)
        var buffers = DecompressionBuffers(maxBytes: 1 << 20)
        XCTAssertEqual(try Zstd.decompress(frame, maxSize: 1 << 20, buffers: &buffers), content)
        XCTAssertEqual(try Zstd.decompress(frame, maxSize: 1 << 20, buffers: &buffers), content)
        XCTAssertEqual(buffers.allocated, 1)
        XCTAssertEqual(buffers.reused, 1)
        XCTAssertThrowsError(try Zstd.decompress(frame, maxSize: 249, buffers: &buffers))
        // Two frames: no bound, decoded the general way.
        XCTAssertNil((frame + frame).withUnsafeBufferPointer(ZstdDecoder.contentBound))
        XCTAssertEqual(try Zstd.decompress(frame + frame, maxSize: 1 << 20, buffers: &buffers), content + content)
    }

    /// A streamed zstd frame of compressed blocks is bounded at a whole block (128 KiB) each,
    /// far above what eight one-literal blocks hold: what comes out is an exact copy, so
    /// records holding a hundred of them keep bytes, not a hundred bounds' worth of memory.
    func testOutputsFarBelowTheirRoomAreHandedOutExact() throws {
        // Magic, no content size, a 1 KiB window; eight compressed blocks of one raw literal.
        var frame: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD, 0x00, 0x00]
        for block in 0 ..< 8 { frame += [block == 7 ? 0x1D : 0x1C, 0, 0, 0x08, 0x61, 0x00] }
        XCTAssertEqual(frame.withUnsafeBufferPointer(ZstdDecoder.contentBound), 8 * 128 * 1024)
        var buffers = DecompressionBuffers(maxBytes: 4 << 20)
        var held: [[UInt8]] = []
        for _ in 0 ..< 100 { held.append(try Zstd.decompress(frame, maxSize: 64 << 20, buffers: &buffers)) }
        XCTAssertEqual(held[0], [UInt8](repeating: 0x61, count: 8))
        XCTAssertLessThan(held.map(\.capacity).reduce(0, +), 100 * 4096)
        XCTAssertEqual(buffers.reused, 99, "the kept room is written into again, being held by nothing else")
        XCTAssertLessThanOrEqual(buffers.bytesKept, 4 << 20)
    }

    /// A xerial stream with a bad chunk fails as it always did, whether or not the chunks'
    /// lengths can be added up first.
    func testXerialStreamsFailAsBefore() throws {
        let plain = Bomb.records(20_000)
        var framed = Snappy.compressFramed(plain, blockSize: 32 * 1024)
        var buffers = DecompressionBuffers(maxBytes: 1 << 20)
        XCTAssertEqual(try Snappy.decompressAny(framed, maxSize: 1 << 20, buffers: &buffers), plain)
        XCTAssertEqual(try Snappy.decompressAny(framed, maxSize: 1 << 20, buffers: &buffers), plain)
        XCTAssertEqual(buffers.reused, 1)
        for limit in [plain.count - 1, 40_000, 0] {
            XCTAssertEqual(Result { () throws(CompressionError) in try Snappy.decompressAny(framed, maxSize: limit, buffers: &buffers) }
                .failureValue, .outputTooLarge(.snappy, limit: limit))
        }
        // Corrupt the second chunk's elements: the error is the one that chunk alone gives.
        let second = Snappy.xerialHeaderSize + 4 + framed.withUnsafeBufferPointer {
            Snappy.xerialChunkLength($0, at: Snappy.xerialHeaderSize)
        }
        let length = framed.withUnsafeBufferPointer { Snappy.xerialChunkLength($0, at: second) }
        // Its first element (after the three-byte length of 32 KiB) a copy from before the start.
        framed[second + 4 + 3] = 0x01
        framed[second + 4 + 4] = 0x10
        let chunk = Array(framed[(second + 4)..<(second + 4 + length)])
        let alone = Result { () throws(CompressionError) in try Snappy.decompress(chunk, maxSize: 1 << 20) }
        let with = Result { () throws(CompressionError) in try Snappy.decompressAny(framed, maxSize: 1 << 20, buffers: &buffers) }
        guard case .malformed = alone.failureValue else { return XCTFail("\(String(describing: alone.failureValue))") }
        XCTAssertEqual(with.failureValue, alone.failureValue)
        // Lengths that cannot be added up first (the last chunk runs past the input) fail
        // chunk by chunk, at the second.
        framed.removeLast(3)
        XCTAssertEqual(Result { () throws(CompressionError) in try Snappy.decompressAny(framed, maxSize: 1 << 20) }.failureValue,
                       alone.failureValue)
    }
}
