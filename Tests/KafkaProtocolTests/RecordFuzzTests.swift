import Foundation
import KielTestSupport
import XCTest
@testable import KafkaProtocol
@testable import KafkaCompression

/// Structure-aware fuzzing of the record batch decoder: v2 batches of every codec and legacy
/// v0/v1 message sets (plain and compressed wrappers), built from the golden fixtures and from
/// random records as fields, with record fields, batch header fields and the compressed
/// framing written wrong, then lengths, counts and checksums recomputed so each mutation gets
/// past the CRC to the code it is aimed at. Streams mix batches and may be cut anywhere.
///
/// The decoder may refuse a batch but never trap or hang, and its peak memory stays within a
/// multiple of the input: the decode budget it runs under is tied to the input's size.
final class RecordFuzzTests: XCTestCase {
    /// The decode budget a fuzzed input of `n` bytes gets: enough for honest compression of
    /// the seeds, small enough that what a decoder may allocate stays a multiple of `n`.
    static func budget(for n: Int) -> DecodeBudget {
        DecodeBudget(bytes: 16 * n + 4096, records: n + 64)
    }

    /// The most decoding `n` bytes may allocate at its peak: the input and its copy, the
    /// decompressed bytes (twice while the buffer grows) and the keys and values copied out
    /// of them, and per record or header its struct and two small arrays.
    static func ceiling(_ n: Int) -> Int {
        let budget = budget(for: n)
        return 2 * n + 3 * budget.bytes + 160 * budget.records + (64 << 10)
    }

    enum Entry {
        case v2(BatchModel)
        case legacy(LegacyModel)
    }

    /// The golden record fixtures, the batches a Tansu broker answered fetches with, and
    /// random batches of every codec, as models.
    static let seeds: [Entry] = {
        var entries: [Entry] = []
        func add(_ bytes: [UInt8]) {
            guard let decoded = try? RecordBatchDecoder(includeControlBatches: true).decode(bytes) else { return }
            for batch in decoded.batches {
                entries.append(batch.magic == 2 ? .v2(BatchModel(batch).cached()) : .legacy(LegacyModel.from(batch).cached()))
            }
        }
        let folder = RecordFixture.root.appendingPathComponent("records")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .filter { $0.hasSuffix(".hex") }.map { String($0.dropLast(4)) }.sorted()
        for name in names { (try? RecordFixture.bytes("records", name)).map(add) }
        for capture in (try? Fixtures.load("tansu_fixtures.json")) ?? [] where capture["api_key"] as? Int == 1 {
            guard let version = capture["version"] as? Int,
                  let frame = (capture["response_hex"] as? String).flatMap({ [UInt8](hex: $0) }),
                  let (_, fetch) = try? KafkaFrame.decodeResponse(FetchResponse.self, frame: frame, version: Int16(version))
            else { continue }
            for topic in fetch.topics { for partition in topic.partitions { add(partition.records ?? []) } }
        }
        var random = FuzzRandom(seed: 0xBA7C4)
        var legacyRandom = SeededGenerator(seed: 0x1E6AC)
        for codec in CompressionCodec.allCases {
            for size in [0, 1, 3, 12] {
                var model = BatchModel()
                model.attributes = Int16(codec.rawValue)
                model.baseOffset = Int64(random.below(1 << 20))
                model.baseTimestamp = 1_700_000_000_000
                for (i, r) in RecordBatchTests.randomRecords(&legacyRandom, count: size, big: 200).enumerated() {
                    model.records.append(RecordModel(timestampDelta: Int64(random.below(1000)), offsetDelta: Int32(i), key: r.1,
                                                     value: r.2, headers: r.3.map { (Array($0.key.utf8), $0.value) }))
                }
                model.lastOffsetDelta = Int32(max(0, size - 1))
                entries.append(.v2(model.cached()))
                guard codec != .zstd else { continue }
                let inner = (0..<max(1, size)).map { i in
                    LegacyModel(offset: Int64(i), magic: 1, timestamp: 5, key: i % 2 == 0 ? nil : [UInt8(i)],
                                value: random.bytes(random.below(40)))
                }
                entries.append(.legacy(codec == .none ? inner[0]
                    : LegacyModel(offset: Int64(size), magic: Int8(size % 2), attributes: Int8(codec.rawValue),
                                  timestamp: 9, inner: inner).cached()))
            }
        }
        return entries
    }()

    func testSeedsCoverEveryCodecAndFormat() {
        var v2: Set<CompressionCodec> = []
        var legacy: Set<Int8> = []
        for entry in Self.seeds {
            switch entry {
            case .v2(let model): v2.insert(model.codec)
            case .legacy(let model): legacy.insert(model.magic)
            }
        }
        XCTAssertEqual(v2, Set(CompressionCodec.allCases))
        XCTAssertGreaterThan(Self.seeds.count, 60, "fixtures, captured fetches and random batches")
        XCTAssertEqual(legacy, [0, 1])
        // Without mutations the models give back batches that decode as the fixtures did.
        for case .v2(let model) in Self.seeds {
            var none = RecordMutator(random: FuzzRandom(seed: 1), left: 0)
            XCTAssertEqual(try RecordBatchDecoder().decode(model.encoded(&none)).records.count, model.records.count)
        }
    }

    func testMutatedBatchesAndMessageSets() {
        XCTAssertTrue(Allocations.areCounted)
        let seeds = Self.seeds
        var outcomes = (whole: 0, error: 0, outOfBudget: 0)
        var worst = (ratio: 0.0, label: "")
        Fuzz.run("records", cases: 100_000) { c in
            var mutator = RecordMutator(random: FuzzRandom(seed: c.random.next()), left: 1 + c.random.below(3))
            var bytes: [UInt8] = []
            for _ in 0..<(c.random.oneIn(4) ? 2 + c.random.below(2) : 1) {
                switch seeds[c.random.below(seeds.count)] {
                case .v2(let model): bytes += model.encoded(&mutator)
                case .legacy(let model): bytes += model.encoded(&mutator)
                }
            }
            if c.random.oneIn(10), !bytes.isEmpty { bytes.removeSubrange(c.random.below(bytes.count)...) }
            let decoder = RecordBatchDecoder(topic: "t", partition: 0, budget: Self.budget(for: bytes.count),
                                             includeControlBatches: c.random.oneIn(4), verifyChecksums: !c.random.oneIn(8))
            var remaining = decoder.budget
            if c.random.oneIn(8) { remaining.spend(bytes: c.random.below(remaining.bytes + 1), records: c.random.below(8)) }
            let before = remaining
            let (result, peak) = Allocations.peak { decoder.decodeUntilError(bytes, remaining: &remaining) }
            if c.index % 8 == 0 {
                // The quick record reader accepts only what the careful one does, and reads it the same.
                var careful = decoder
                careful.readsQuickly = false
                var left = before
                let expected = careful.decodeUntilError(bytes, remaining: &left)
                if expected != result || left != remaining {
                    XCTFail("quick and careful readers differ: \(result) against \(expected): \(c.label)")
                }
            }
            if c.index % 8 == 1 {
                // Decoded where they lie inside a larger buffer (a fetch answer's frame), the same
                // batches come out; only the offsets in an error count from the buffer's start.
                let prefix = c.random.bytes(c.random.below(20))
                let framed = prefix + bytes + c.random.bytes(c.random.below(20))
                let start = prefix.count
                var left = before
                var inFrame = decoder.decodeUntilError(framed, in: start..<(start + bytes.count), remaining: &left)
                if inFrame.error != nil && result.error != nil { inFrame.error = result.error }
                if inFrame != result || left != remaining {
                    XCTFail("decoding inside a frame differs: \(inFrame) against \(result): \(c.label)")
                }
            }
            if Fuzz.only != nil { print("fuzz: records case \(c.index): input \(bytes.hexString), peak \(peak) bytes, \(result)") }
            if result.error != nil { outcomes.error += 1 } else if result.outOfBudget { outcomes.outOfBudget += 1 } else { outcomes.whole += 1 }
            let ratio = Double(peak) / Double(bytes.count)
            if bytes.count >= 512 && ratio > worst.ratio { worst = (ratio, "\(bytes.count) bytes: \(c.label)") }
            if peak > Self.ceiling(bytes.count) {
                XCTFail("\(bytes.count) bytes took \(peak) bytes to decode: \(c.label)")
            }
        }
        print("fuzz: records: \(outcomes.whole) decoded whole, \(outcomes.error) refused, \(outcomes.outOfBudget) out of budget; "
              + "most allocated per input byte (inputs of 512 bytes or more): \(Int(worst.ratio)) (\(worst.label))")
        guard Fuzz.only == nil else { return }
        XCTAssertGreaterThan(outcomes.whole, outcomes.error / 20)
        XCTAssertGreaterThan(outcomes.error, outcomes.whole / 20)
    }

    /// The decompressors on their own, fed framing-aware mutations of every codec's output.
    func testMutatedCompressedFrames() throws {
        XCTAssertTrue(Allocations.areCounted)
        var random = SeededGenerator(seed: 0xC0DEC)
        let plains = [random.compressible(1500), random.bytes(400), [UInt8](repeating: 7, count: 2000), []]
        var frames: [(CompressionCodec, [UInt8])] = []
        for codec in CompressionCodec.allCases where codec != .none {
            for plain in plains { frames.append((codec, try codec.compress(plain))) }
        }
        for plain in plains { frames.append((.snappy, Snappy.compress(plain))) }
        frames.append((.lz4, LZ4Frame.compress(plains[0], blockSizeCode: 5, contentChecksum: true)))
        for name in ["gzip_two_members", "lz4_frame_checksums", "lz4_frame_linked", "lz4_frame_old_kafka", "snappy_xerial"] {
            let codec: CompressionCodec = name.hasPrefix("gzip") ? .gzip : name.hasPrefix("lz4") ? .lz4 : .snappy
            frames.append((codec, try RecordFixture.bytes("codecs", name)))
        }
        var outcomes = [0, 0]
        let ran = Fuzz.run("frames", cases: 25_000) { c in
            let (codec, frame) = frames[c.index % frames.count]
            var mutated = CodecMutator.mutate(codec, frame, &c.random)
            if c.random.oneIn(3) { mutated = CodecMutator.mutate(codec, mutated, &c.random) }
            let limit = 64 * mutated.count + 4096
            let (ok, peak) = Allocations.peak { (try? codec.decompress(mutated, maxSize: limit)) != nil }
            outcomes[ok ? 0 : 1] += 1
            if peak > 2 * mutated.count + 2 * limit + (256 << 10) {
                XCTFail("\(codec): \(mutated.count) bytes took \(peak) bytes to decompress: \(c.label)")
            }
        }
        guard Fuzz.only == nil else { return }
        XCTAssertGreaterThan(outcomes[0], ran / 100, "some damaged frames still decompress")
        XCTAssertGreaterThan(outcomes[1], ran / 100, "most are refused")
    }
}
