@testable import KafkaProtocol
@testable import KafkaCompression
import XCTest

final class RecordBatchTests: XCTestCase {
    static let codecs: [CompressionCodec] = [.none, .gzip, .snappy, .lz4, .zstd]

    static func randomRecords(_ rng: inout SeededGenerator, count: Int, big: Int = 3000) -> [(Int64, [UInt8]?, [UInt8]?, [RecordHeader])] {
        (0..<count).map { _ in
            let timestamp = Int64.random(in: 0...(1 << 42), using: &rng)
            func blob() -> [UInt8]? {
                switch Int.random(in: 0..<7, using: &rng) {
                case 0: return nil
                case 1: return []
                case 2: return rng.compressible(Int.random(in: 0..<big, using: &rng))
                default: return rng.bytes(Int.random(in: 0..<min(200, big), using: &rng))
                }
            }
            let headers = (0..<Int.random(in: 0..<4, using: &rng)).map { i in
                RecordHeader(key: i == 0 ? "" : "h\(i)-\u{00E9}", value: blob())
            }
            return (timestamp, blob(), blob(), headers)
        }
    }

    func testRoundTripsRandomBatchesForEachCodec() throws {
        var rng = SeededGenerator(seed: 2024)
        for codec in Self.codecs {
            for round in 0..<40 {
                let input = Self.randomRecords(&rng, count: Int.random(in: 0..<30, using: &rng))
                let baseOffset = Int64.random(in: 0...(1 << 40), using: &rng)
                var builder = RecordBatchBuilder(compression: codec, baseOffset: baseOffset, partitionLeaderEpoch: 5,
                                                 producerId: 77, producerEpoch: 3, baseSequence: Int32(round),
                                                 isTransactional: round % 2 == 0)
                for r in input { builder.append(timestamp: r.0, key: r.1, value: r.2, headers: r.3) }
                let bytes = try builder.build()
                XCTAssertEqual(builder.uncompressedSize, codec == .none ? bytes.count : builder.uncompressedSize)
                let decoded = try RecordBatchDecoder(topic: "t", partition: 1).decode(bytes)
                XCTAssertFalse(decoded.truncated)
                let batch = try XCTUnwrap(decoded.batches.first)
                XCTAssertEqual(decoded.batches.count, 1)
                XCTAssertEqual(batch.compression, codec)
                XCTAssertEqual(batch.baseOffset, baseOffset)
                XCTAssertEqual(batch.partitionLeaderEpoch, 5)
                XCTAssertEqual(batch.producerId, 77)
                XCTAssertEqual(batch.producerEpoch, 3)
                XCTAssertEqual(batch.baseSequence, Int32(round))
                XCTAssertEqual(batch.isTransactional, round % 2 == 0)
                XCTAssertEqual(batch.maxTimestamp, input.map(\.0).max() ?? 0)
                XCTAssertEqual(batch.records.count, input.count)
                for (i, (record, r)) in zip(batch.records, input).enumerated() {
                    XCTAssertEqual(record, Record(offset: baseOffset + Int64(i), timestamp: r.0, key: r.1, value: r.2, headers: r.3))
                }
            }
        }
    }

    func testSizeOfRecordPredictsTheEncoding() {
        var rng = SeededGenerator(seed: 3)
        var builder = RecordBatchBuilder()
        for r in Self.randomRecords(&rng, count: 50) {
            let before = builder.uncompressedSize
            let predicted = builder.sizeOfRecord(timestamp: r.0, key: r.1, value: r.2, headers: r.3)
            builder.append(timestamp: r.0, key: r.1, value: r.2, headers: r.3)
            XCTAssertEqual(builder.uncompressedSize - before, predicted)
        }
    }

    /// `finish` hands over the buffer (the header written into the gap before the records)
    /// and must give `build`'s bytes, for every codec, and leave the builder ready for the next.
    func testFinishGivesBuildsBytesAndEmptiesTheBuilder() throws {
        var rng = SeededGenerator(seed: 8)
        for codec in CompressionCodec.allCases {
            var builder = RecordBatchBuilder(compression: codec, producerId: 9, producerEpoch: 1, baseSequence: 40, capacity: 64)
            for round in 0..<2 {
                let records = Self.randomRecords(&rng, count: 20 + round)
                for r in records { builder.append(timestamp: r.0, key: r.1, value: r.2, headers: r.3) }
                let built = try builder.build()
                XCTAssertEqual(try builder.finish(), built, "\(codec)")
                XCTAssertEqual(builder.count, 0)
                XCTAssertEqual(builder.uncompressedSize, 61, "an empty batch is its header")
                let decoded = try RecordBatchDecoder(topic: "t", partition: 0).decode(built)
                XCTAssertEqual(decoded.batches.first?.records.map(\.value), records.map(\.2), "\(codec)")
            }
        }
    }

    func testCRCMismatchNamesTopicPartitionAndOffset() throws {
        var builder = RecordBatchBuilder(baseOffset: 42)
        builder.append(timestamp: 1, key: nil, value: Array("hello".utf8))
        var bytes = try builder.build()
        bytes[bytes.count - 3] ^= 0x20
        XCTAssertThrowsError(try RecordBatchDecoder(topic: "orders", partition: 3).decode(bytes)) { error in
            guard case .crcMismatch(let topic, let partition, let offset, _, _)? = error as? ProtocolError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(topic, "orders")
            XCTAssertEqual(partition, 3)
            XCTAssertEqual(offset, 42)
        }
        // A legacy message's CRC-32 is checked too.
        var legacy = try RecordFixture.bytes("records", "kafka_python_v1_none")
        let firstSize = Int(legacy[8]) << 24 | Int(legacy[9]) << 16 | Int(legacy[10]) << 8 | Int(legacy[11])
        legacy[12 + firstSize - 1] ^= 0x01  // the last byte of the first message's value
        XCTAssertThrowsError(try RecordBatchDecoder(topic: "old", partition: 0).decode(legacy)) { error in
            guard case .crcMismatch(let topic, _, let offset, _, _)? = error as? ProtocolError else { return XCTFail("\(error)") }
            XCTAssertEqual(topic, "old")
            XCTAssertEqual(offset, 500)
        }
    }

    func testControlBatchesAreSkippedButAdvanceTheOffset() throws {
        var data = try Self.batch(baseOffset: 0, values: ["a", "b"])
        var control = try Self.batch(baseOffset: 2, values: ["marker"])
        control[BatchLayout.attributesOffset + 1] |= UInt8(BatchAttributes.control | BatchAttributes.transactional)
        Self.fixCRC(&control)
        data += control
        let decoded = try RecordBatchDecoder().decode(data)
        XCTAssertEqual(decoded.batches.count, 1)
        XCTAssertEqual(decoded.records.map(\.offset), [0, 1])
        XCTAssertEqual(decoded.nextOffset, 3)
        let all = try RecordBatchDecoder(includeControlBatches: true).decode(data)
        XCTAssertEqual(all.batches.map(\.isControl), [false, true])
    }

    func testAbsurdCountsAreRefusedBeforeAllocating() throws {
        var bytes = try Self.batch(baseOffset: 0, values: ["x"])
        bytes.replaceSubrange(57..<61, with: [0x7F, 0xFF, 0xFF, 0xFF])
        Self.fixCRC(&bytes)
        XCTAssertThrowsError(try RecordBatchDecoder().decode(bytes)) { error in
            guard case .invalidLength? = error as? ProtocolError else { return XCTFail("\(error)") }
        }
        // A batch length field claiming 2 GiB is a partial batch, not an allocation.
        var huge = try Self.batch(baseOffset: 0, values: ["x"])
        huge.replaceSubrange(8..<12, with: [0x7F, 0xFF, 0xFF, 0xFF])
        let decoded = try RecordBatchDecoder().decode(huge)
        XCTAssertTrue(decoded.truncated)
        XCTAssertTrue(decoded.batches.isEmpty)
    }

    /// A broker cuts the last batch to fit its size limit: every prefix decodes to the whole
    /// batches it holds, never an error.
    func testDripFeedTruncation() throws {
        var rng = SeededGenerator(seed: 11)
        var stream: [UInt8] = []
        var ends: [Int] = []
        var offset: Int64 = 100
        for codec in Self.codecs {
            let input = Self.randomRecords(&rng, count: 4, big: 120)
            var builder = RecordBatchBuilder(compression: codec, baseOffset: offset)
            for r in input { builder.append(timestamp: r.0, key: r.1, value: r.2, headers: r.3) }
            stream += try builder.build()
            ends.append(stream.count)
            offset += 4
        }
        stream += try RecordFixture.bytes("records", "kafka_python_v1_gzip")
        ends.append(stream.count)
        let decoder = RecordBatchDecoder()
        for length in 0...stream.count {
            let decoded = try decoder.decode(Array(stream[0..<length]))
            let whole = ends.filter { $0 <= length }.count
            XCTAssertEqual(decoded.batches.count, whole, "prefix \(length)")
            XCTAssertEqual(decoded.truncated, !ends.contains(length) && length > 0, "prefix \(length)")
        }
    }

    /// Seeded mutations of valid batches, legacy message sets and compressed frames: each
    /// decode ends in a value or a thrown error (a trap or hang fails the run).
    func testFuzzedInputNeverTraps() throws {
        var rng = SeededGenerator(seed: 99)
        var seeds: [[UInt8]] = []
        for codec in Self.codecs {
            var builder = RecordBatchBuilder(compression: codec)
            for r in Self.randomRecords(&rng, count: 6, big: 300) { builder.append(timestamp: r.0, key: r.1, value: r.2, headers: r.3) }
            seeds.append(try builder.build())
        }
        for name in ["kafka_python_v0_gzip", "kafka_python_v0_lz4", "kafka_python_v1_snappy", "kafka_python_v1_none",
                     "tansu_confluent_lz4", "tansu_confluent_snappy"] {
            seeds.append(try RecordFixture.bytes("records", name))
        }
        let frames = try [CompressionCodec.gzip, .snappy, .lz4, .zstd].map { ($0, try $0.compress(rng.compressible(1000))) }
            + [(.snappy, Snappy.compress(rng.compressible(1000)))]
        var outcomes = [0, 0]
        let lenient = RecordBatchDecoder(maxUncompressedBatchSize: 1 << 20, includeControlBatches: true, verifyChecksums: false)
        let strict = RecordBatchDecoder(maxUncompressedBatchSize: 1 << 20)
        for i in 0..<3000 {
            var input = seeds[i % seeds.count]
            Self.mutate(&input, &rng)
            for decoder in [lenient, strict] {
                do {
                    _ = try decoder.decode(input)
                    outcomes[0] += 1
                } catch {
                    outcomes[1] += 1
                }
            }
            var (codec, frame) = frames[i % frames.count]
            Self.mutate(&frame, &rng)
            do {
                _ = try codec.decompress(frame, maxSize: 1 << 20)
                outcomes[0] += 1
            } catch {
                outcomes[1] += 1
            }
            if codec == .snappy { _ = try? Snappy.decompress(frame, maxSize: 1 << 20) }
            _ = try? LZ4Block.decompress(frame, maxSize: 1 << 16)
        }
        XCTAssertGreaterThan(outcomes[0], 100, "some mutations still decode")
        XCTAssertGreaterThan(outcomes[1], 100, "most mutations are rejected")
    }

    static func mutate(_ input: inout [UInt8], _ rng: inout SeededGenerator) {
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            guard !input.isEmpty else { return }
            let at = Int.random(in: 0..<input.count, using: &rng)
            switch Int.random(in: 0..<7, using: &rng) {
            case 0: input[at] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &rng)
            case 1: input[at] = UInt8.random(in: 0...255, using: &rng)
            case 2: input.removeSubrange(at...)
            case 3: input.insert(UInt8.random(in: 0...255, using: &rng), at: at)
            case 4: input[at] = [0x00, 0x7F, 0x80, 0xFF][Int.random(in: 0..<4, using: &rng)]
            case 5:
                // Extreme integers: offsets, lengths and counts at their limits.
                let fill: [UInt8] = Bool.random(using: &rng) ? [0x7F] + [UInt8](repeating: 0xFF, count: 7) : [UInt8](repeating: 0x80, count: 8)
                for (i, b) in fill.enumerated() where at + i < input.count { input[at + i] = b }
            default: input.remove(at: at)
            }
        }
    }

    static func batch(baseOffset: Int64, values: [String]) throws -> [UInt8] {
        var builder = RecordBatchBuilder(baseOffset: baseOffset)
        for v in values { builder.append(timestamp: 1000, key: nil, value: Array(v.utf8)) }
        return try builder.build()
    }

    static func fixCRC(_ bytes: inout [UInt8]) {
        let crc = CRC32C.checksum(bytes[BatchLayout.attributesOffset...])
        bytes.replaceSubrange(BatchLayout.crcOffset..<(BatchLayout.crcOffset + 4),
                              with: [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)])
    }
}

extension RecordBatchTests {
    func testDecodeUntilErrorKeepsTheGoodBatchesBeforeABadOne() throws {
        let good = try Self.batch(baseOffset: 0, values: ["a", "b"])
        var bad = try Self.batch(baseOffset: 2, values: ["c"])
        bad[bad.count - 1] ^= 0xFF
        let result = RecordBatchDecoder(topic: "t", partition: 0).decodeUntilError(good + bad + good)
        XCTAssertEqual(result.records.map(\.offset), [0, 1])
        XCTAssertEqual(result.nextOffset, 2)
        guard case .crcMismatch(_, _, let offset, _, _)? = result.error else { return XCTFail("\(String(describing: result.error))") }
        XCTAssertEqual(offset, 2)
        XCTAssertThrowsError(try RecordBatchDecoder().decode(good + bad))
    }
}
