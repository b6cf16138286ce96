import XCTest
@testable import KafkaProtocol
@testable import KafkaCompression

/// The encoder's entropy-coding parts, each checked against the decoder's reading of it.
final class ZstdEncoderPartsTests: XCTestCase {
    func testHuffmanLengthsAreLimitedAndComplete() throws {
        // Fibonacci-like counts make an unlimited Huffman tree far deeper than 11.
        var counts = [Int](repeating: 0, count: 256)
        var a = 1, b = 1
        for s in 0..<30 {
            counts[s] = a
            (a, b) = (b, a + b)
        }
        let lengths = try XCTUnwrap(ZstdHuffmanEncoder.codeLengths(counts))
        XCTAssertEqual(lengths.max(), 11)
        let kraft = lengths.filter { $0 > 0 }.reduce(0) { $0 + (1 << (11 - $1)) }
        XCTAssertEqual(kraft, 1 << 11)
        XCTAssertNil(ZstdHuffmanEncoder.codeLengths([0, 5, 0]))
    }

    /// Literal-heavy ASCII (few matches) must shrink through Huffman coding, in 1 and 4 streams.
    func testHuffmanLiteralsRoundTrip() throws {
        var rng = ZstdTestData.SplitMix64(state: 8)
        for size in [300, 900, 1500, 20_000, 131_072] {
            let input = (0..<size).map { _ in UInt8(97 + Int(rng.next() % 16)) }
            var body = [UInt8]()
            XCTAssertTrue(ZstdHuffmanEncoder.encode(input, rawSize: size + 3, into: &body), "size \(size)")
            XCTAssertLessThan(body.count, size * 6 / 10 + 60, "size \(size)")
            let frame = Zstd.compress(input, level: 1)
            XCTAssertLessThan(frame.count, size * 6 / 10 + 60, "size \(size)")
            XCTAssertEqual(try Zstd.decompress(frame, maxSize: size), input)
        }
    }

    func testDistributionWriterIsReadBack() throws {
        var rng = ZstdTestData.SplitMix64(state: 21)
        for trial in 0..<300 {
            let symbols = 2 + Int(rng.next() % 52)
            var counts = (0..<symbols).map { _ in rng.next() % 3 == 0 ? 0 : Int(rng.next() % 1000) }
            counts[0] = max(counts[0], 1)
            counts[symbols - 1] = max(counts[symbols - 1], 1)
            let log = 6 + trial % 4
            let norm = try XCTUnwrap(ZstdSequenceEncoder.normalize(counts, accuracyLog: log))
            XCTAssertEqual(norm.reduce(0) { $0 + Int($1) }, 1 << log)
            let bytes = ZstdSequenceEncoder.writeDistribution(norm, accuracyLog: log) + [0xAB, 0xCD]
            let (read, readLog, used) = try bytes.withUnsafeBufferPointer { b in
                try ZstdFSE.readDistribution(base: b.baseAddress!, count: b.count, maxSymbol: 52, maxAccuracyLog: 9)
            }
            XCTAssertEqual(read, norm, "trial \(trial)")
            XCTAssertEqual(readLog, log)
            XCTAssertEqual(used, bytes.count - 2)
        }
    }

    func testSequenceModesRoundTrip() throws {
        // One repeated sequence shape (RLE_Mode) and a varied one (fitted tables).
        let period = [UInt8](Array("0123456789abcdefghij".utf8))
        let rle = (0..<50_000).map { period[$0 % period.count] }
        XCTAssertEqual(try Zstd.decompress(Zstd.compress(rle), maxSize: rle.count), rle)
        let varied = ZstdTestData.generate("text", length: 100_000, seed: 31)
        XCTAssertEqual(try Zstd.decompress(Zstd.compress(varied), maxSize: varied.count), varied)
    }
}

/// Huffman tree descriptions with FSE-compressed weights, read back by the decoder.
final class ZstdHuffmanWeightsTests: XCTestCase {
    func testCompressedWeightsReadBack() throws {
        var rng = ZstdTestData.SplitMix64(state: 5)
        var compressedSeen = 0
        for trial in 0..<400 {
            // Random symbol counts over a random alphabet, as literals would give.
            let alphabet = 2 + Int(rng.next() % 255)
            var counts = [Int](repeating: 0, count: 256)
            for s in 0..<alphabet where rng.next() % 4 != 0 { counts[s] = 1 + Int(rng.next() % UInt64(1 + trial * 3)) }
            counts[alphabet - 1] = max(counts[alphabet - 1], 1)
            counts[0] = max(counts[0], 1)
            guard let lengths = ZstdHuffmanEncoder.codeLengths(counts) else { continue }
            let last = lengths.lastIndex { $0 > 0 }!
            let tableLog = lengths.max()!
            let weights = (0..<last).map { lengths[$0] > 0 ? tableLog + 1 - lengths[$0] : 0 }
            let description = try XCTUnwrap(ZstdHuffmanEncoder.treeDescription(weights), "trial \(trial)")
            if description[0] < 128 { compressedSeen += 1 }
            let (table, used) = try description.withUnsafeBufferPointer { b in
                try ZstdHuffman.readTable(base: b.baseAddress!, count: b.count)
            }
            XCTAssertEqual(used, description.count, "trial \(trial)")
            XCTAssertEqual(table.tableLog, tableLog, "trial \(trial)")
            // Every symbol's code length survives: count the cells each symbol covers.
            var cover = [Int](repeating: 0, count: 256)
            for cell in table.cells { cover[Int(cell >> 8)] += 1 }
            for s in 0...last {
                XCTAssertEqual(cover[s], lengths[s] == 0 ? 0 : 1 << (tableLog - lengths[s]), "trial \(trial) symbol \(s)")
            }
        }
        XCTAssertGreaterThan(compressedSeen, 100)
    }

    func testBinaryLiteralsUseHuffman() throws {
        let input = ZstdTestData.generate("skewed", length: 100_000, seed: 12)
        let frame = Zstd.compress(input, level: 3)
        XCTAssertLessThan(frame.count, input.count * 95 / 100)
        XCTAssertEqual(try Zstd.decompress(frame, maxSize: input.count), input)
    }
}
