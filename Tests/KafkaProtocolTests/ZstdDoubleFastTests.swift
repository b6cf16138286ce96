import XCTest
@testable import KafkaProtocol
@testable import KafkaCompression

/// The double-fast match finder (levels 1–4) and the entropy coders' edge cases: each finder
/// result is checked against the input it claims to copy, and each frame is decoded back.
final class ZstdDoubleFastTests: XCTestCase {
    private func roundTrip(_ input: [UInt8], level: Int, _ label: String,
                           file: StaticString = #filePath, line: UInt = #line) throws -> [UInt8] {
        let frame = Zstd.compress(input, level: level)
        let decoded = try Zstd.decompress(frame, maxSize: input.count)
        XCTAssertTrue(decoded == input, label, file: file, line: line)
        return frame
    }

    /// What the finder made of one block.
    private struct Block {
        var end: Int
        var sequences: [ZstdSequence]
        var trailing: Int
        var matched: Int { sequences.reduce(0) { $0 + $1.matchLength } }
    }

    /// Runs the finder block by block as the encoder does and checks every sequence: it copies
    /// bytes that really repeat, from an offset inside the window and the input, and the
    /// sequences with the trailing literals cover each block exactly.
    @discardableResult
    private func checkSequences(_ input: [UInt8], level: Int, windowLog: Int = 21, _ label: String,
                                file: StaticString = #filePath, line: UInt = #line) -> [Block] {
        var finder = ZstdDoubleFastMatchFinder(level: level, inputCount: input.count, windowLog: windowLog)
        var sequences = [ZstdSequence]()
        var blocks = [Block]()
        input.withUnsafeBufferPointer { buffer in
            guard let p = buffer.baseAddress else { return }
            var start = 0
            while start < input.count {
                let end = min(start + ZstdEncoder.blockSize, input.count)
                let trailing = finder.sequences(p, count: input.count, start: start, end: end, into: &sequences)
                blocks.append(Block(end: end, sequences: sequences, trailing: trailing))
                var pos = start
                for s in sequences {
                    pos += s.literalLength
                    XCTAssertGreaterThanOrEqual(s.matchLength, ZstdDoubleFastMatchFinder.minMatch, label, file: file, line: line)
                    XCTAssertGreaterThanOrEqual(s.offset, 1, label, file: file, line: line)
                    XCTAssertLessThan(s.offset, 1 << windowLog, label, file: file, line: line)
                    XCTAssertLessThanOrEqual(s.offset, pos, label, file: file, line: line)
                    XCTAssertLessThanOrEqual(pos + s.matchLength, end, "\(label): match crosses the block end",
                                             file: file, line: line)
                    guard s.offset >= 1, s.offset <= pos, pos + s.matchLength <= end else { return }
                    for k in 0..<s.matchLength where p[pos + k] != p[pos - s.offset + k] {
                        XCTFail("\(label): byte \(pos + k) does not repeat", file: file, line: line)
                        return
                    }
                    pos += s.matchLength
                }
                XCTAssertEqual(pos + trailing, end, label, file: file, line: line)
                start = end
            }
        }
        return blocks
    }

    private func matched(_ blocks: [Block]) -> Int { blocks.reduce(0) { $0 + $1.matched } }

    private func random(_ count: Int, seed: UInt64) -> [UInt8] {
        var rng = ZstdTestData.SplitMix64(state: seed)
        return (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
    }

    /// Fewer bytes than a hash reads (8) or than a match needs (4): no sequences, exact frames.
    func testInputsShorterThanTheHash() throws {
        for size in 0...24 {
            let runs = [UInt8](repeating: 7, count: size)
            let pattern = (0..<size).map { UInt8($0 % 3) }
            for level in 1...4 {
                _ = try roundTrip(runs, level: level, "run \(size) level \(level)")
                _ = try roundTrip(pattern, level: level, "pattern \(size) level \(level)")
                _ = checkSequences(pattern, level: level, "pattern \(size)")
            }
        }
    }

    /// A repeat that runs across every 128 KiB block boundary: each block's match stops at
    /// exactly its end, and the next block picks the repeat up again at once.
    func testMatchesAtBlockEnds() throws {
        let period = random(1000, seed: 3)
        let input = (0..<(3 * ZstdEncoder.blockSize + 5_000)).map { period[$0 % 1000] }
        for level in 1...4 {
            let blocks = checkSequences(input, level: level, "block ends level \(level)")
            for (k, block) in blocks.enumerated() {
                XCTAssertEqual(block.trailing, 0, "block \(k) level \(level)")
                if k > 0 { XCTAssertLessThanOrEqual(block.sequences.count, 2, "block \(k) level \(level)") }
            }
            let frame = try roundTrip(input, level: level, "block ends level \(level)")
            XCTAssertLessThan(frame.count, 1000 + 200, "level \(level)")
        }
    }

    /// A repeat one byte inside the window is used; one at exactly the window size must not be
    /// (the decoder would reject the frame). The copies start a block, where the scan steps
    /// one byte at a time, and copy the input's start, which the scan indexed densely.
    func testOffsetsAtTheWindowLimit() throws {
        for windowLog in [17, 21] {
            let window = 1 << windowLog
            let noise = random(window + 5_000, seed: UInt64(windowLog))
            var inside = noise
            inside.replaceSubrange(window ..< window + 5_000, with: noise[1 ..< 5_001])
            var beyond = noise
            beyond.replaceSubrange(window ..< window + 5_000, with: noise[0 ..< 5_000])
            XCTAssertGreaterThanOrEqual(matched(checkSequences(inside, level: 3, windowLog: windowLog, "inside")), 4_900)
            XCTAssertLessThan(matched(checkSequences(beyond, level: 3, windowLog: windowLog, "beyond")), 100)
            if windowLog == 21 {
                // Level 3's own window: the frame uses the far repeat and still decodes.
                let frame = try roundTrip(inside, level: 3, "inside")
                XCTAssertLessThan(frame.count, inside.count - 4_800)
                _ = try roundTrip(beyond, level: 3, "beyond")
            }
        }
    }

    /// Random bytes: few or no matches, blocks stored raw, the frame barely larger.
    func testIncompressibleInput() throws {
        for size in [100, 5_000, 131_072, 300_001] {
            let input = random(size, seed: UInt64(size))
            _ = checkSequences(input, level: 3, "random \(size)")
            for level in 1...4 {
                let frame = try roundTrip(input, level: level, "random \(size) level \(level)")
                let blocks = (size + ZstdEncoder.blockSize - 1) / ZstdEncoder.blockSize
                XCTAssertLessThanOrEqual(frame.count, size + 3 * blocks + 18, "random \(size) level \(level)")
            }
        }
    }

    /// Text-like and repetitive inputs: every sequence checked, frames decode, levels 1–4.
    func testSequencesAreValidOnVariedInput() throws {
        let inputs: [(String, [UInt8])] = [
            ("text", ZstdTestData.generate("text", length: 300_000, seed: 6)),
            ("records", ZstdTestData.generate("records", length: 300_000, seed: 7)),
            ("period 3", (0..<200_000).map { UInt8($0 % 3) }),
            ("period 1000", (0..<300_000).map { UInt8(truncatingIfNeeded: ($0 % 1000) &* 2_654_435_761 >> 7) }),
        ]
        for (name, input) in inputs {
            for level in 1...4 {
                let found = matched(checkSequences(input, level: level, "\(name) level \(level)"))
                XCTAssertGreaterThan(found, input.count / 4, "\(name) level \(level)")
                let frame = try roundTrip(input, level: level, "\(name) level \(level)")
                XCTAssertLessThan(frame.count, input.count / 2, "\(name) level \(level)")
            }
        }
    }

    /// A sequence whose extra bits don't fit beside its states in one 64-bit store: 65,536
    /// literals (16 extra bits), a 32,800-byte match (15) 65,536 bytes back (16). Coded by the
    /// block encoder from sequences given by hand, framed, and read back.
    func testSequenceWithMostExtraBits() throws {
        var input = random(65_536, seed: 8)
        input += input[0 ..< 32_800]
        input += random(10, seed: 9)
        input += input[input.count - 1_000 ..< input.count - 980]
        let sequences = [
            ZstdSequence(literalLength: 65_536, matchLength: 32_800, offset: 65_536),
            ZstdSequence(literalLength: 10, matchLength: 20, offset: 1_000),
        ]
        var repeats = (1, 4, 8)
        let body = try XCTUnwrap(input.withUnsafeBufferPointer { buffer in
            ZstdBlockEncoder.encode(buffer.baseAddress!, start: 0, end: input.count, sequences: sequences,
                                    trailingLiterals: 0, repeats: &repeats)
        })
        XCTAssertLessThan(body.count, input.count - 30_000)
        // Magic, a single-segment header with a 4-byte content size, one last compressed block.
        var frame: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD, 0xA0]
        for k in 0..<4 { frame.append(UInt8(truncatingIfNeeded: input.count >> (8 * k))) }
        let header = body.count << 3 | 2 << 1 | 1
        for k in 0..<3 { frame.append(UInt8(truncatingIfNeeded: header >> (8 * k))) }
        frame += body
        XCTAssertTrue(try Zstd.decompress(frame, maxSize: input.count) == input)
        _ = try roundTrip(input, level: 3, "extra bits")
    }
}
