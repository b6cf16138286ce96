import XCTest
@testable import KafkaProtocol
@testable import KafkaCompression

/// The decoder's fast paths against their edges: two-symbol Huffman lookups (streams ending
/// mid-pair, code lengths up to 11, one dominant symbol), the unchecked bit reads, and match
/// copies at every short offset.
final class ZstdDecoderFastPathTests: XCTestCase {
    /// A random complete prefix code with codes up to `maxLength` bits: returns the weights
    /// `buildTable` takes (the highest symbol's weight implied) and the symbols used.
    private func randomCode(maxLength: Int, leaves: Int, rng: inout ZstdTestData.SplitMix64) -> ([UInt8], [Int]) {
        // A chain of codes 1, 01, 001, ... down to two of maxLength bits; then random splits.
        var depths = Array(1...maxLength) + [maxLength]
        while depths.count < leaves {
            let candidates = depths.indices.filter { depths[$0] < maxLength }
            guard !candidates.isEmpty else { break }
            let pick = candidates[Int(rng.next() % UInt64(candidates.count))]
            depths[pick] += 1
            depths.append(depths[pick])
        }
        var symbols = Array(0..<256)
        for i in stride(from: 255, to: 0, by: -1) { symbols.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
        let used = Array(symbols.prefix(depths.count)).sorted()
        var weights = [UInt8](repeating: 0, count: used.last!)
        for (symbol, depth) in zip(used.dropLast(), depths.dropLast()) {
            weights[symbol] = UInt8(maxLength + 1 - depth)
        }
        return (weights, used)
    }

    /// Writes `message` as one backward Huffman stream with the codes `table` decodes.
    private func encode(_ message: [UInt8], table: ZstdHuffman.Table) -> [UInt8] {
        var codes = [Int: (UInt64, Int)]()
        for (index, cell) in table.cells.enumerated() where codes[Int(cell >> 8)] == nil {
            let bits = Int(cell & 0xFF)
            codes[Int(cell >> 8)] = (UInt64(index >> (table.tableLog - bits)), bits)
        }
        var writer = ZstdBitWriter(capacity: message.count)
        for symbol in message.reversed() {
            let (code, bits) = codes[Int(symbol)]!
            writer.write(code, bits)
        }
        return writer.close()
    }

    private func decode(_ stream: [UInt8], table: ZstdHuffman.Table, pairs: [UInt32]?, count: Int) throws -> [UInt8] {
        // Output with a guard byte after it: decodeStream must not write past `count`.
        var out = [UInt8](repeating: 0xEE, count: count + 1)
        try table.cells.withUnsafeBufferPointer { cells in
            try (pairs ?? []).withUnsafeBufferPointer { pairCells in
                try stream.withUnsafeBufferPointer { s in
                    try out.withUnsafeMutableBufferPointer { o in
                        try ZstdHuffman.decodeStream(
                            table: cells.baseAddress!, pairs: pairs == nil ? nil : pairCells.baseAddress,
                            tableLog: table.tableLog, source: s.baseAddress!, sourceCount: s.count,
                            out: o.baseAddress!, outCount: count)
                    }
                }
            }
        }
        XCTAssertEqual(out[count], 0xEE, "wrote past the end")
        return Array(out.prefix(count))
    }

    func testPairLookupsDecodeWhatOneSymbolLookupsDo() throws {
        var rng = ZstdTestData.SplitMix64(state: 7)
        for trial in 0..<300 {
            let maxLength = trial < 40 ? 11 : 1 + Int(rng.next() % 11)
            let leaves = 2 + Int(rng.next() % 200)
            let (weights, symbols) = randomCode(maxLength: maxLength, leaves: leaves, rng: &rng)
            var table = try ZstdHuffman.buildTable(weights: weights)
            XCTAssertEqual(table.tableLog, maxLength)
            table.pairs = ZstdHuffman.pairTable(table)
            // Lengths around the fast loop's 10-symbol margin and the stream's last word, odd
            // and even, so streams end both on a pair and in the middle of one.
            let length = trial % 3 == 0 ? Int(rng.next() % 40) : Int(rng.next() % 3000)
            // Skewed towards a few symbols, as text is, so both one- and two-symbol cells occur.
            let message = (0..<length).map { _ in
                UInt8(symbols[Int(rng.next() % UInt64(min(symbols.count, rng.next() % 2 == 0 ? 4 : 256)))])
            }
            let stream = encode(message, table: table)
            let label = "trial \(trial): log \(maxLength), \(symbols.count) symbols, \(length) long"
            XCTAssertEqual(try decode(stream, table: table, pairs: table.pairs, count: length), message, label)
            XCTAssertEqual(try decode(stream, table: table, pairs: nil, count: length), message, label)
            // One symbol more or fewer than the stream holds is an error, not garbage.
            XCTAssertThrowsError(try decode(stream, table: table, pairs: table.pairs, count: length + 1), label)
            if length > 0 {
                XCTAssertThrowsError(try decode(stream, table: table, pairs: table.pairs, count: length - 1), label)
            }
        }
    }

    /// A pair cell holds two symbols only when both codes lie within the 11 lookup bits.
    func testPairCells() throws {
        func cell(_ pairs: [UInt32], _ index: Int) -> (count: UInt32, bits: UInt32, first: UInt32, second: UInt32) {
            let c = pairs[index]
            return (c >> 24, (c >> 16) & 0xFF, c & 0xFF, (c >> 8) & 0xFF)
        }
        // RFC 8878 section 4.2.1: A 1, B 01, C 001, E 0000, F 0001 (tableLog 4).
        let rfc = ZstdHuffman.pairTable(try ZstdHuffman.buildTable(weights: [4, 3, 2, 0, 1]))
        XCTAssertEqual(rfc.count, 2048)
        XCTAssertTrue(cell(rfc, 0b1010_0000_000) == (2, 3, 0, 1))  // A then B
        XCTAssertTrue(cell(rfc, 0b1111_1111_111) == (2, 2, 0, 0))  // A then A
        XCTAssertTrue(cell(rfc, 0b0101_0000_000) == (2, 4, 1, 1))  // B then B
        XCTAssertTrue(cell(rfc, 0b0001_0001_000) == (2, 8, 5, 5))  // F then F
        XCTAssertTrue(cell(rfc, 0b0000_0000_000) == (2, 8, 4, 4))  // E then E
        // Codes 1, 01, ... down to two of 11 bits: an 11-bit code never pairs.
        let chain = ZstdHuffman.pairTable(try ZstdHuffman.buildTable(weights: (1...10).map { UInt8(12 - $0) } + [1]))
        XCTAssertTrue(cell(chain, 0).count == 1 && cell(chain, 0).bits == 11)
        XCTAssertTrue(cell(chain, 0b1000_0000_000).count == 1 && cell(chain, 0b1000_0000_000).bits == 1)
        XCTAssertTrue(cell(chain, 0b1100_0000_000) == (2, 2, 0, 0))
        XCTAssertTrue(cell(chain, 0b1010_0000_000) == (2, 3, 0, 1))  // 1 then 01

    }

    /// One symbol with a 1-bit code, the others down a chain to two 11-bit codes: messages of
    /// that one symbol alone (every lookup a pair), of an 11-bit symbol alone (never a pair),
    /// and mostly the one symbol.
    func testDominantAndLongestCodes() throws {
        let weights: [UInt8] = (1...10).map { UInt8(12 - $0) } + [1]  // symbols 0...10; 11 implied
        var table = try ZstdHuffman.buildTable(weights: weights)
        XCTAssertEqual(table.tableLog, 11)
        table.pairs = ZstdHuffman.pairTable(table)
        var rng = ZstdTestData.SplitMix64(state: 3)
        var messages = [[UInt8]]()
        for length in [0, 1, 2, 9, 10, 11, 19, 20, 21, 63, 64, 65, 5000, 5001] {
            messages.append([UInt8](repeating: 0, count: length))
            messages.append([UInt8](repeating: 11, count: length))
            messages.append((0..<length).map { _ in rng.next() % 50 == 0 ? UInt8(rng.next() % 12) : 0 })
        }
        for message in messages {
            let stream = encode(message, table: table)
            XCTAssertEqual(try decode(stream, table: table, pairs: table.pairs, count: message.count), message,
                           "\(message.count) symbols, first \(message.first ?? 0)")
        }
    }

    /// `readFast` agrees with `read`, including reads of zero bits, on long and short streams.
    func testFastReadsAgreeWithChecked() throws {
        var rng = ZstdTestData.SplitMix64(state: 11)
        for trial in 0..<300 {
            let (fields, stream) = ZstdTestData.randomBitFields(&rng, count: trial % 30, maxBits: 25)
            try stream.withUnsafeBufferPointer { buffer in
                var reader = try ZstdBackwardBitReader(
                    start: try XCTUnwrap(buffer.baseAddress), count: buffer.count, error: .corruptSequences)
                for (value, n) in fields.reversed() {
                    reader.reload()
                    XCTAssertEqual(reader.readFast(n), Int(value), "trial \(trial)")
                }
                XCTAssertTrue(reader.isExactlyConsumed, "trial \(trial)")
            }
        }
    }

    /// Matches at every offset from 1 to 40 and lengths around the 8- and 16-byte chunks, so
    /// overlapping copies take each of their paths.
    func testMatchCopiesAtShortOffsets() throws {
        var rng = ZstdTestData.SplitMix64(state: 5)
        var input = (0..<64).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        for offset in 1...40 {
            for length in [3, 4, 7, 8, 9, 15, 16, 17, 31, 33, 100] {
                for _ in 0..<length { input.append(input[input.count - offset]) }
                for _ in 0..<(1 + Int(rng.next() % 5)) { input.append(UInt8(truncatingIfNeeded: rng.next())) }
            }
        }
        for level in [1, 3] {
            let frame = Zstd.compress(input, level: level)
            XCTAssertLessThan(frame.count, input.count / 2)
            XCTAssertTrue(try Zstd.decompress(frame, maxSize: input.count) == input, "level \(level)")
        }
    }
}
