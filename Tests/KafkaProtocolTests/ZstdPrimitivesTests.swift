import XCTest
@testable import KafkaProtocol
@testable import KafkaCompression

/// The building blocks: XXH64, bit streams, FSE tables, Huffman tables, length codes.
final class ZstdPrimitivesTests: XCTestCase {
    func testXXH64PublishedVectors() {
        XCTAssertEqual(ZstdXXH64.hash([]), 0xEF46_DB37_51D8_E999)
        XCTAssertEqual(ZstdXXH64.hash(Array("a".utf8)), 0xD24E_C4F1_A98C_6E5B)
        XCTAssertEqual(ZstdXXH64.hash(Array("abc".utf8)), 0x44BC_2CF5_AD77_0999)
        // 512 bytes 0...255 twice: exercises stripes, lanes and the tail.
        let bytes = (0..<512).map { UInt8(truncatingIfNeeded: $0) }
        XCTAssertEqual(ZstdXXH64.hash(bytes), 0x7B3B_FCAA_C034_8AC0)
    }

    func testBitWriterAndBackwardReaderAgree() throws {
        var rng = ZstdTestData.SplitMix64(state: 42)
        for trial in 0..<200 {
            let (fields, stream) = ZstdTestData.randomBitFields(&rng, count: trial % 40, maxBits: 32)
            try stream.withUnsafeBufferPointer { buffer in
                var reader = try ZstdBackwardBitReader(
                    start: try XCTUnwrap(buffer.baseAddress), count: buffer.count, error: .corruptSequences)
                for (value, n) in fields.reversed() {
                    reader.reload()
                    XCTAssertEqual(reader.read(n), value)
                }
                XCTAssertTrue(reader.isExactlyConsumed, "trial \(trial)")
                _ = reader.read(3)
                XCTAssertTrue(reader.overflowed)
            }
        }
    }

    func testBackwardReaderRejectsMissingEndMarker() {
        let stream: [UInt8] = [0x12, 0x00]
        XCTAssertThrowsError(try stream.withUnsafeBufferPointer { buffer in
            _ = try ZstdBackwardBitReader(start: buffer.baseAddress!, count: 2, error: .corruptLiterals)
        }) {
            XCTAssertEqual($0 as? ZstdError, .corruptLiterals)
        }
    }

    /// RFC 8878 Appendix A lists the decoding tables built from the default distributions.
    func testPredefinedTablesMatchAppendixA() throws {
        let ll: ([Int], [Int], [Int]) = (
            [0, 0, 1, 3, 4, 6, 7, 9, 10, 12, 14, 16, 18, 19, 21, 22, 24, 25, 26, 27, 29, 31, 0, 1, 2, 4, 5, 7, 8, 10,
             11, 13, 16, 17, 19, 20, 22, 23, 25, 25, 26, 28, 30, 0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 15, 17, 18, 20,
             21, 23, 24, 35, 34, 33, 32],
            [4, 4, 5, 5, 5, 5, 5, 5, 5, 5, 6, 5, 5, 5, 5, 5, 5, 5, 5, 6, 6, 6, 4, 4, 5, 5, 5, 5, 5, 5, 5, 6, 5, 5, 5,
             5, 5, 5, 4, 4, 5, 6, 6, 4, 4, 5, 5, 5, 5, 5, 5, 5, 5, 6, 5, 5, 5, 5, 5, 5, 6, 6, 6, 6],
            [0, 16, 32, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0, 0, 0, 32, 0, 0, 32, 0, 32, 0, 32, 0, 0,
             32, 0, 32, 0, 32, 0, 0, 16, 32, 0, 0, 48, 16, 32, 32, 32, 32, 32, 32, 32, 32, 0, 32, 32, 32, 32, 32,
             32, 0, 0, 0, 0])
        let ml: ([Int], [Int], [Int]) = (
            [0, 1, 2, 3, 5, 6, 8, 10, 13, 16, 19, 22, 25, 28, 31, 33, 35, 37, 39, 41, 43, 45, 1, 2, 3, 4, 6, 7, 9,
             12, 15, 18, 21, 24, 27, 30, 32, 34, 36, 38, 40, 42, 44, 1, 1, 2, 4, 5, 7, 8, 11, 14, 17, 20, 23, 26,
             29, 52, 51, 50, 49, 48, 47, 46],
            [6, 4, 5, 5, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 4, 4, 5, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6,
             6, 6, 6, 6, 6, 6, 6, 6, 4, 4, 4, 5, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6],
            [0, 0, 32, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16, 0, 32, 0, 32, 0, 0, 0, 0, 0, 0,
             0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 48, 16, 32, 32, 32, 32, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        let of: ([Int], [Int], [Int]) = (
            [0, 6, 9, 15, 21, 3, 7, 12, 18, 23, 5, 8, 14, 20, 2, 7, 11, 17, 22, 4, 8, 13, 19, 1, 6, 10, 16, 28, 27,
             26, 25, 24],
            [5, 4, 5, 5, 5, 5, 4, 5, 5, 5, 5, 4, 5, 5, 5, 4, 5, 5, 5, 5, 4, 5, 5, 5, 4, 5, 5, 5, 5, 5, 5, 5],
            [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16, 0, 0, 0, 0, 16, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0])
        for (counts, log, expected) in [(ZstdFSE.literalsLengthDefault, 6, ll),
                                        (ZstdFSE.matchLengthDefault, 6, ml),
                                        (ZstdFSE.offsetDefault, 5, of)] {
            let table = try ZstdFSE.buildTable(counts: counts, accuracyLog: log)
            XCTAssertEqual(table.entries.map { Int($0.symbol) }, expected.0)
            XCTAssertEqual(table.entries.map { Int($0.nbBits) }, expected.1)
            XCTAssertEqual(table.entries.map { Int($0.baseline) }, expected.2)
        }
    }

    func testReadDistribution() throws {
        // Accuracy log 5; probabilities 16 and 16 (values 17, then 17 written as 31).
        let header: [UInt8] = [0x10, 0x3F, 0xEE]
        let (counts, log, used) = try header.withUnsafeBufferPointer { b in
            try ZstdFSE.readDistribution(base: b.baseAddress!, count: 3, maxSymbol: 35, maxAccuracyLog: 9)
        }
        XCTAssertEqual(counts, [16, 16])
        XCTAssertEqual(log, 5)
        XCTAssertEqual(used, 2)
        // Accuracy log 15 exceeds the limit for sequence tables.
        XCTAssertThrowsError(try [UInt8]([0x0A, 0xFF]).withUnsafeBufferPointer { b in
            try ZstdFSE.readDistribution(base: b.baseAddress!, count: 2, maxSymbol: 35, maxAccuracyLog: 9)
        })
    }

    func testFSETableRejectsBadDistributions() {
        XCTAssertThrowsError(try ZstdFSE.buildTable(counts: [16, 15], accuracyLog: 5))
        XCTAssertThrowsError(try ZstdFSE.buildTable(counts: [30, 3], accuracyLog: 5))
    }

    /// The example of RFC 8878 section 4.2.1: weights A=4 B=3 C=2 D=0 E=1, F implied (1).
    func testHuffmanTableFromWeights() throws {
        let table = try ZstdHuffman.buildTable(weights: [4, 3, 2, 0, 1])
        XCTAssertEqual(table.tableLog, 4)
        func code(_ index: Int) -> (symbol: Int, bits: Int) {
            (Int(table.cells[index] >> 8), Int(table.cells[index] & 0xFF))
        }
        XCTAssertTrue(code(0b0000) == (4, 4))  // E: 0000
        XCTAssertTrue(code(0b0001) == (5, 4))  // F: 0001
        XCTAssertTrue(code(0b0010) == (2, 3) && code(0b0011) == (2, 3))  // C: 001
        XCTAssertTrue((4...7).allSatisfy { code($0) == (1, 2) })  // B: 01
        XCTAssertTrue((8...15).allSatisfy { code($0) == (0, 1) })  // A: 1
        XCTAssertThrowsError(try ZstdHuffman.buildTable(weights: [0, 0]))
        XCTAssertThrowsError(try ZstdHuffman.buildTable(weights: [12, 1]))
        XCTAssertThrowsError(try ZstdHuffman.buildTable(weights: [2, 2, 1]))  // 2+2+1 leaves 3: not a power of 2
    }

    func testHuffmanStreamDecoding() throws {
        let table = try ZstdHuffman.buildTable(weights: [4, 3, 2, 0, 1])
        // Symbols A B E F, written last-first so the reader meets A first: codes 1, 01, 0000, 0001.
        var writer = ZstdBitWriter(capacity: 4)
        writer.write(0b0001, 4)
        writer.write(0b0000, 4)
        writer.write(0b01, 2)
        writer.write(0b1, 1)
        let stream = writer.close()
        var out = [UInt8](repeating: 0, count: 4)
        try table.cells.withUnsafeBufferPointer { cells in
            try stream.withUnsafeBufferPointer { s in
                try out.withUnsafeMutableBufferPointer { o in
                    try ZstdHuffman.decodeStream(table: cells.baseAddress!, tableLog: 4, source: s.baseAddress!,
                                                 sourceCount: s.count, out: o.baseAddress!, outCount: 4)
                }
            }
        }
        XCTAssertEqual(out, [0, 1, 4, 5])
        // Asking for one symbol more than the stream holds is an error, not garbage.
        var longer = [UInt8](repeating: 0, count: 5)
        XCTAssertThrowsError(try table.cells.withUnsafeBufferPointer { cells in
            try stream.withUnsafeBufferPointer { s in
                try longer.withUnsafeMutableBufferPointer { o in
                    try ZstdHuffman.decodeStream(table: cells.baseAddress!, tableLog: 4, source: s.baseAddress!,
                                                 sourceCount: s.count, out: o.baseAddress!, outCount: 5)
                }
            }
        })
    }

    func testLengthCodesCoverTheirRanges() {
        for ll in 0..<140_000 {
            let code = ZstdBlockEncoder.literalsLengthCode(ll)
            let (base, bits) = ZstdSequenceTable.Kind.literalsLength.code(code)
            XCTAssertTrue(Int(base) <= ll && ll < Int(base) + (1 << Int(bits)), "ll \(ll)")
            if ll == 131_071 { break }
        }
        for ml in 3...131_074 {
            let code = ZstdBlockEncoder.matchLengthCode(ml)
            let (base, bits) = ZstdSequenceTable.Kind.matchLength.code(code)
            XCTAssertTrue(Int(base) <= ml && ml < Int(base) + (1 << Int(bits)), "ml \(ml)")
        }
    }

    func testFSEEncoderInvertsDecoder() {
        for encoder in [ZstdFSEEncoder.literalsLength, ZstdFSEEncoder.matchLength, ZstdFSEEncoder.offset] {
            let size = 1 << encoder.accuracyLog
            let symbols = Set(encoder.entries.map { Int($0.symbol) })
            for symbol in symbols {
                for y in 0..<size {
                    var writer = ZstdBitWriter(capacity: 4)
                    let x = encoder.encode(symbol, from: y, into: &writer)
                    let e = encoder.entries[x]
                    XCTAssertEqual(Int(e.symbol), symbol)
                    // The decoder at x reads nbBits bits and lands back on y.
                    XCTAssertTrue(Int(e.baseline) <= y && y < Int(e.baseline) + (1 << Int(e.nbBits)))
                }
            }
        }
    }
}
