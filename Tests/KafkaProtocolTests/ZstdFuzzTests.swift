import Foundation
import XCTest
@testable import KafkaProtocol
@testable import KafkaCompression

/// Damaged frames end in a value or a thrown `ZstdError`: never a trap, a hang or runaway output.
final class ZstdFuzzTests: XCTestCase {
    private func seeds() throws -> [[UInt8]] {
        var frames = try ZstdTestData.fixtures()
            .filter { $0.frame.count <= 40_000 }
            .map(\.frame)
        frames.append(Zstd.compress(ZstdTestData.generate("text", length: 20_000, seed: 3), level: 3))
        frames.append(Zstd.compress(ZstdTestData.generate("records", length: 50_000, seed: 4), level: 1))
        return frames
    }

    /// Decodes and checks the outcome is either content within the limit or a ZstdError.
    private func survive(_ frame: [UInt8], limit: Int) {
        do {
            let out = try Zstd.decompress(frame, maxSize: limit)
            XCTAssertLessThanOrEqual(out.count, limit)
        } catch {
            XCTAssertNotNil(error as? ZstdError, "unexpected error type \(error)")
        }
    }

    func testBitFlipsAndByteMutations() throws {
        var rng = ZstdTestData.SplitMix64(state: 0xF022)
        let frames = try seeds()
        var thrown = 0
        // ZSTD_FUZZ_ROUNDS raises the count for longer manual runs (e.g. under --sanitize=address).
        let rounds = ProcessInfo.processInfo.environment["ZSTD_FUZZ_ROUNDS"].flatMap { Int($0) } ?? 6000
        for round in 0..<rounds {
            var frame = frames[round % frames.count]
            guard !frame.isEmpty else { continue }
            let edits = 1 + Int(rng.next() % 4)
            for _ in 0..<edits {
                let r = rng.next()
                // Bias towards the headers, where most decisions are made.
                let span = r & 1 == 0 ? min(frame.count, 64) : frame.count
                let index = Int((r >> 8) % UInt64(span))
                switch (r >> 4) % 3 {
                case 0: frame[index] ^= UInt8(1) << UInt8((r >> 40) % 8)
                case 1: frame[index] = UInt8(truncatingIfNeeded: r >> 48)
                default: frame[index] &+= 1
                }
            }
            do {
                let out = try Zstd.decompress(frame, maxSize: 2 << 20)
                XCTAssertLessThanOrEqual(out.count, 2 << 20)
            } catch {
                XCTAssertNotNil(error as? ZstdError)
                thrown += 1
            }
        }
        // Most mutations of checksummed frames must be detected.
        XCTAssertGreaterThan(thrown, rounds / 2)
    }

    func testTruncationsAtEveryLength() throws {
        for frame in try seeds().prefix(8) {
            var lengths = Array(0..<min(frame.count, 300))
            lengths += stride(from: 300, to: frame.count, by: max(1, frame.count / 500))
            for n in lengths where n < frame.count {
                XCTAssertThrowsError(try Zstd.decompress(Array(frame.prefix(n)), maxSize: 2 << 20),
                                     "prefix \(n) of \(frame.count)")
            }
        }
    }

    /// Feeds ever longer prefixes, as a network reader would see them: only the full frame decodes.
    func testDripFeed() throws {
        let input = ZstdTestData.generate("text", length: 5000, seed: 11)
        let frame = Zstd.compress(input, level: 3)
        var decodedAt: Int?
        for n in 0...frame.count {
            if let out = try? Zstd.decompress(Array(frame.prefix(n)), maxSize: 1 << 20) {
                XCTAssertNil(decodedAt)
                decodedAt = n
                XCTAssertEqual(out, input)
            }
        }
        XCTAssertEqual(decodedAt, frame.count)
    }

    func testRandomGarbageAfterValidHeader() {
        var rng = ZstdTestData.SplitMix64(state: 99)
        for round in 0..<3000 {
            var frame: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD]
            // Descriptor: no reserved bit, no dictionary; random size/segment/checksum flags.
            frame.append(UInt8(truncatingIfNeeded: rng.next()) & 0xE4)
            let n = Int(rng.next() % 200)
            for _ in 0..<n { frame.append(UInt8(truncatingIfNeeded: rng.next())) }
            // Make block types plausible more often: compressed blocks with a small size.
            if frame.count > 9, round % 2 == 0 {
                frame[frame.count > 10 ? 6 : 5] = UInt8(0x04 | (rng.next() % 2 == 0 ? 1 : 0))
            }
            survive(frame, limit: 1 << 20)
        }
    }

    func testHostileSizesStayBounded() {
        // Declares 2^40 bytes of content: refused before any allocation.
        let huge: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD, 0xE0, 0, 0, 0, 0, 0, 1, 0, 0, 0x01, 0, 0, 0x41]
        XCTAssertThrowsError(try Zstd.decompress(huge, maxSize: 1 << 20)) {
            XCTAssertEqual($0 as? ZstdError, .outputTooLarge(limit: 1 << 20))
        }
        // Declares 2^60 bytes under an unlimited maxSize: no up-front allocation, just an error.
        let unlimited: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD, 0xE0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x01, 0, 0, 0x41]
        XCTAssertThrowsError(try Zstd.decompress(unlimited, maxSize: Int.max))
        // No declared size, RLE blocks of 128 KiB repeated: stopped at maxSize.
        var frame: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD, 0x00, 0x58]
        for _ in 0..<64 { frame += [0x02, 0x00, 0x10, 0x41] }
        frame += [0x03, 0x00, 0x10, 0x41]
        XCTAssertThrowsError(try Zstd.decompress(frame, maxSize: 1 << 20)) {
            XCTAssertEqual($0 as? ZstdError, .outputTooLarge(limit: 1 << 20))
        }
        XCTAssertEqual(try Zstd.decompress(frame, maxSize: 65 * 131_072).count, 65 * 131_072)
    }
}
