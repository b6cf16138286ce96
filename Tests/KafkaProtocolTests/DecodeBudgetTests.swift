import KielTestSupport
import XCTest
@testable import KafkaProtocol
@testable import KafkaCompression

/// Decompression bombs are stopped at the decode budget, inside the decompressor and the
/// record loop: the error names the batch, and the memory it cost is bounded by the budget,
/// not by what the bomb expands to. Memory is counted in bytes allocated (AllocationCounter);
/// nothing here measures time.
final class DecodeBudgetTests: XCTestCase {
    static let compressed: [CompressionCodec] = [.gzip, .snappy, .lz4, .zstd]
    /// 1 MiB of decompressed bytes; records are not what binds here.
    let budget = DecodeBudget(bytes: 1 << 20, records: 1 << 20)
    /// Minimal records per compressed chunk: one MiB of them.
    let chunk = (1 << 20) / Bomb.minimalRecord.count

    override func setUp() {
        XCTAssertTrue(Allocations.areCounted, "the allocation counter must see this process's mallocs")
    }

    /// What a bomb may cost at the most: its own bytes, the decompressor's output up to the
    /// budget (twice, while the buffer last grows), and some slack for the codec's state.
    func ceiling(_ input: [UInt8], _ budget: DecodeBudget) -> Int {
        2 * input.count + 2 * budget.bytes + (512 << 10)
    }

    func testBombsOfEveryCodecStopAtTheByteBudget() throws {
        for codec in Self.compressed {
            // 32 MiB of records behind a count the records budget allows.
            var bomb = try Bomb.batch(codec, chunkRecords: chunk, chunks: 32, baseOffset: 100)
            setCount(&bomb, 1000)
            let decoder = RecordBatchDecoder(topic: "t", partition: 3, budget: budget)
            let (result, peak) = Allocations.peak { decoder.decodeUntilError(bomb) }
            XCTAssertEqual(result.error, .decodeBudgetExceeded(topic: "t", partition: 3, offset: 100,
                                                               what: "decompressed bytes", limit: 1 << 20), "\(codec)")
            XCTAssertTrue(result.batches.isEmpty, "\(codec)")
            XCTAssertNil(result.nextOffset, "\(codec)")
            XCTAssertLessThanOrEqual(peak, ceiling(bomb, budget), "\(codec): \(bomb.count)-byte bomb")
        }
    }

    func testTheDecompressorsThemselvesStopAtTheirLimit() throws {
        let limit = 1 << 20
        for codec in Self.compressed {
            let bomb = try Bomb.payload(codec, chunkRecords: chunk, chunks: 32)
            let (outcome, peak) = Allocations.peak {
                Result { () throws(CompressionError) in try codec.decompress(bomb, maxSize: limit) }
            }
            XCTAssertEqual(outcome.failureValue, .outputTooLarge(codec, limit: limit), "\(codec)")
            XCTAssertLessThanOrEqual(peak, 2 * bomb.count + 2 * limit + (512 << 10), "\(codec)")
        }
        // Raw snappy states its length up front: refused before anything is decompressed.
        let raw = Snappy.compress(Bomb.records(chunk * 4))
        let (outcome, peak) = Allocations.peak { Result { () throws(CompressionError) in try Snappy.decompress(raw, maxSize: limit) } }
        XCTAssertEqual(outcome.failureValue, .outputTooLarge(.snappy, limit: limit))
        XCTAssertLessThan(peak, 64 << 10)
    }

    /// Found by the record fuzzer: an 86-byte legacy gzip message under a 5 KB budget cost
    /// 106 KB, most of it a 64 KiB scratch buffer the limit could never fill.
    func testASmallGzipInputUnderASmallLimitAllocatesLittle() throws {
        let packed = try CompressionCodec.gzip.compress(Array("a small value".utf8))
        let (outcome, peak) = Allocations.peak {
            Result { () throws(CompressionError) in try Gzip.decompress(packed, maxSize: 4096) }
        }
        XCTAssertEqual(try outcome.get(), Array("a small value".utf8))
        // zlib's own state (about 7 KB) and window (32 KB) are the most of it.
        XCTAssertLessThan(peak, 48 << 10)
    }

    func testACountPastTheRecordsBudgetIsRefusedBeforeDecompressing() throws {
        // The bomb the default budget met: 9.6 million minimal records in a few KB of zstd.
        let bomb = try Bomb.batch(.zstd, chunkRecords: chunk, chunks: 64)
        XCTAssertLessThan(bomb.count, 8 << 10)
        let (result, peak) = Allocations.peak { RecordBatchDecoder(topic: "t", partition: 0).decodeUntilError(bomb) }
        XCTAssertEqual(result.error, .decodeBudgetExceeded(topic: "t", partition: 0, offset: 0, what: "records",
                                                           limit: 1 << 20))
        XCTAssertLessThan(peak, 64 << 10, "nothing was decompressed")
    }

    func testHeadersCountAgainstTheRecordsBudget() throws {
        // One record with 5000 empty headers, under a budget of 1000 records.
        var record = ByteWriter()
        record.writeInt8(0)
        record.writeVarlong(0)
        record.writeVarint(0)
        record.writeVarint(-1)
        record.writeVarint(-1)
        record.writeVarint(5000)
        for _ in 0..<5000 {
            record.writeVarint(0)
            record.writeVarint(-1)
        }
        var body = ByteWriter()
        body.writeVarint(Int32(record.count))
        body.writeRaw(record.bytes)
        for codec in [CompressionCodec.none, .zstd] {
            let batch = v2Batch(attributes: Int16(codec.rawValue), count: 1, payload: try codec.compress(body.bytes))
            let small = DecodeBudget(bytes: 1 << 20, records: 1000)
            let result = RecordBatchDecoder(topic: "t", partition: 0, budget: small).decodeUntilError(batch)
            XCTAssertEqual(result.error, .decodeBudgetExceeded(topic: "t", partition: 0, offset: 0, what: "records", limit: 1000))
            let roomy = RecordBatchDecoder(budget: DecodeBudget(bytes: 1 << 20, records: 5001)).decodeUntilError(batch)
            XCTAssertNil(roomy.error)
            XCTAssertEqual(roomy.records.first?.headers.count, 5000)
        }
    }

    func testLegacyWrapperBombsStopAtTheBudget() throws {
        let inner = Bomb.legacyInner(2000)
        for codec in Self.compressed {
            // 64 times the inner set, in a few KB.
            let wrapper = Bomb.legacyWrapper(codec, payload: try Bomb.repeated(codec, inner, times: 64), offset: 7)
            let byBytes = DecodeBudget(bytes: inner.count * 8, records: 1 << 20)
            let (result, peak) = Allocations.peak {
                RecordBatchDecoder(topic: "t", partition: 1, budget: byBytes).decodeUntilError(wrapper)
            }
            XCTAssertEqual(result.error, .decodeBudgetExceeded(topic: "t", partition: 1, offset: 7,
                                                               what: "decompressed bytes", limit: byBytes.bytes), "\(codec)")
            XCTAssertLessThanOrEqual(peak, ceiling(wrapper, byBytes), "\(codec)")
            let byRecords = DecodeBudget(bytes: 64 << 20, records: 500)
            let counted = RecordBatchDecoder(topic: "t", partition: 1, budget: byRecords).decodeUntilError(wrapper)
            XCTAssertEqual(counted.error, .decodeBudgetExceeded(topic: "t", partition: 1, offset: 7,
                                                                what: "records", limit: 500), "\(codec)")
        }
        // An uncompressed message is one record and its own bytes.
        let plain = Bomb.legacyInner(1)
        let none = RecordBatchDecoder(budget: DecodeBudget(bytes: plain.count - 1, records: 10)).decodeUntilError(plain)
        XCTAssertEqual(none.error, .decodeBudgetExceeded(topic: "", partition: -1, offset: 0, what: "decompressed bytes",
                                                         limit: plain.count - 1))
    }

    func testBatchesWithinTheBudgetDecode() throws {
        var rng = SeededGenerator(seed: 5)
        for codec in CompressionCodec.allCases {
            var builder = RecordBatchBuilder(compression: codec, baseOffset: 10)
            for i in 0..<500 { builder.append(timestamp: Int64(i), key: rng.bytes(8), value: rng.compressible(1500)) }
            let batch = try builder.build()
            let exact = DecodeBudget(bytes: builder.uncompressedSize - 61, records: 500)
            let decoded = try RecordBatchDecoder(budget: exact).decode(batch)
            XCTAssertEqual(decoded.records.count, 500, "\(codec)")
            XCTAssertEqual(decoded.nextOffset, 510, "\(codec)")
            // One byte or one record less is too little for this one batch.
            for tight in [DecodeBudget(bytes: exact.bytes - 1, records: 500), DecodeBudget(bytes: exact.bytes, records: 499)] {
                guard case .decodeBudgetExceeded? = RecordBatchDecoder(budget: tight).decodeUntilError(batch).error else {
                    return XCTFail("\(codec) under \(tight)")
                }
            }
        }
        // The minimal-record bomb is an honest batch under a budget that can hold it.
        let bomb = try Bomb.batch(.zstd, chunkRecords: 1000, chunks: 4)
        XCTAssertEqual(try RecordBatchDecoder(budget: DecodeBudget(bytes: 28_000, records: 4000)).decode(bomb).records.count, 4000)
    }

    /// The partitions of one fetch share its budget: a batch that does not fit what is left
    /// waits for the next fetch (not an error), and only a batch refused under the whole
    /// budget is over it.
    func testASharedBudgetStopsBeforeABatchThatNeedsMoreThanIsLeft() throws {
        let a = try Bomb.batch(.gzip, chunkRecords: 1000, chunks: 6, baseOffset: 0)      // 42,000 bytes, 6000 records
        let b = try Bomb.batch(.gzip, chunkRecords: 1000, chunks: 6, baseOffset: 6000)
        let whole = DecodeBudget(bytes: 70_000, records: 1 << 20)
        let decoder = RecordBatchDecoder(topic: "t", partition: 0, budget: whole)
        var remaining = whole
        let first = decoder.decodeUntilError(a + b, remaining: &remaining)
        XCTAssertNil(first.error)
        XCTAssertTrue(first.outOfBudget)
        XCTAssertFalse(first.truncated)
        XCTAssertEqual(first.records.count, 6000)
        XCTAssertEqual(first.nextOffset, 6000)
        XCTAssertEqual(remaining, DecodeBudget(bytes: 28_000, records: (1 << 20) - 6000))
        // Another partition of the same fetch: nothing fits, nothing is wrong.
        let other = decoder.decodeUntilError(b, remaining: &remaining)
        XCTAssertNil(other.error)
        XCTAssertTrue(other.outOfBudget)
        XCTAssertNil(other.nextOffset)
        // The next fetch starts at b with the whole budget.
        XCTAssertEqual(decoder.decodeUntilError(b).records.count, 6000)
        // A batch too large even for the whole budget is only an error when it had the whole budget.
        let huge = try Bomb.batch(.gzip, chunkRecords: 1000, chunks: 11, baseOffset: 6000)
        var left = whole
        let afterA = decoder.decodeUntilError(a + huge, remaining: &left)
        XCTAssertNil(afterA.error)
        XCTAssertTrue(afterA.outOfBudget)
        XCTAssertEqual(decoder.decodeUntilError(huge).error,
                       .decodeBudgetExceeded(topic: "t", partition: 0, offset: 6000, what: "decompressed bytes", limit: 70_000))
    }

    func testUncompressedBatchesCountTheirBytes() throws {
        let batch = try Bomb.batch(.none, chunkRecords: 1000, chunks: 2)
        let result = RecordBatchDecoder(budget: DecodeBudget(bytes: 13_999, records: 1 << 20)).decodeUntilError(batch)
        XCTAssertEqual(result.error, .decodeBudgetExceeded(topic: "", partition: -1, offset: 0, what: "decompressed bytes",
                                                           limit: 13_999))
        XCTAssertEqual(try RecordBatchDecoder(budget: DecodeBudget(bytes: 14_000, records: 2000)).decode(batch).records.count, 2000)
    }

    func testTheDefaultBudgetFollowsTheFetchSize() {
        XCTAssertEqual(DecodeBudget.forFetch(maxBytes: 1 << 20), DecodeBudget(bytes: 64 << 20, records: 1 << 20))
        XCTAssertEqual(DecodeBudget.forFetch(maxBytes: 0), DecodeBudget(bytes: 64 << 20, records: 1 << 20))
        XCTAssertEqual(DecodeBudget.forFetch(maxBytes: 16 << 20), DecodeBudget(bytes: 256 << 20, records: 4 << 20))
        XCTAssertEqual(DecodeBudget.forFetch(maxBytes: .max).bytes, .max, "saturates")
        XCTAssertEqual(RecordBatchDecoder().budget, .forFetch(maxBytes: 1 << 20))
    }

    /// Sets the records count of the v2 batch in `bytes` and fixes its CRC.
    private func setCount(_ bytes: inout [UInt8], _ count: Int32) {
        for i in 0..<4 { bytes[57 + i] = UInt8(truncatingIfNeeded: count >> (24 - 8 * i)) }
        patchV2CRC(&bytes, at: 0)
    }
}

extension Result {
    var failureValue: Failure? { if case .failure(let e) = self { return e }; return nil }
}
