import Foundation
import XCTest
@testable import KafkaProtocol
@testable import KafkaCompression

/// The encoder's frames decode to their input, and compressible input really shrinks.
final class ZstdRoundTripTests: XCTestCase {
    static let sizes = [0, 1, 2, 3, 100, 65535, 65536, 65537, 131_071, 131_072, 131_073, 1 << 20]

    private func roundTrip(_ input: [UInt8], level: Int, _ label: String) throws -> [UInt8] {
        let frame = Zstd.compress(input, level: level)
        let decoded = try Zstd.decompress(frame, maxSize: input.count)
        XCTAssertEqual(decoded.count, input.count, label)
        XCTAssertTrue(decoded == input, label)
        return frame
    }

    /// A first frame that declares its size is decoded straight into the result; further
    /// frames after it must still be decoded, and the limit must still cover them all.
    func testConcatenatedFramesAfterOneThatDeclaresItsSize() throws {
        let first = ZstdTestData.generate("text", length: 5000, seed: 1)
        let second = ZstdTestData.generate("records", length: 70_000, seed: 2)
        let skippable: [UInt8] = [0x50, 0x2A, 0x4D, 0x18, 3, 0, 0, 0, 9, 9, 9]
        let input = Zstd.compress(first) + skippable + Zstd.compress(second)
        let all = first + second
        XCTAssertTrue(try Zstd.decompress(input, maxSize: all.count) == all)
        XCTAssertThrowsError(try Zstd.decompress(input, maxSize: all.count - 1)) { error in
            XCTAssertEqual(error as? ZstdError, .outputTooLarge(limit: all.count - 1))
        }
        XCTAssertThrowsError(try Zstd.decompress(input + [0x28, 0xB5], maxSize: all.count)) { error in
            XCTAssertEqual(error as? ZstdError, .truncatedInput)
        }
        XCTAssertThrowsError(try Zstd.decompress(Zstd.compress(first), maxSize: first.count - 1)) { error in
            XCTAssertEqual(error as? ZstdError, .outputTooLarge(limit: first.count - 1))
        }
    }

    func testRandomDataAllSizes() throws {
        for size in Self.sizes {
            let input = ZstdTestData.generate("random", length: size, seed: UInt64(size))
            let frame = try roundTrip(input, level: 3, "random \(size)")
            // Incompressible blocks fall back to raw: overhead stays small.
            XCTAssertLessThanOrEqual(frame.count, size + 18 + 3 * (size / (128 * 1024) + 1), "random \(size)")
        }
    }

    func testCompressibleDataAllSizes() throws {
        for size in Self.sizes {
            let input = ZstdTestData.generate("records", length: size, seed: 77)
            let frame = try roundTrip(input, level: 3, "records \(size)")
            if size >= 65535 {
                XCTAssertLessThan(frame.count * 5, size, "records \(size) compressed to \(frame.count)")
            }
        }
    }

    func testTextAtEveryLevelShrinks() throws {
        let input = ZstdTestData.generate("text", length: 300_000, seed: 5)
        for level in [1, 2, 3, 5, 9, 19, 22] {
            let frame = try roundTrip(input, level: level, "text level \(level)")
            XCTAssertLessThan(frame.count * 10, input.count * 8, "level \(level): \(frame.count)")
        }
    }

    func testRunsAndPeriodicPatterns() throws {
        let run = [UInt8](repeating: 7, count: 400_000)
        XCTAssertLessThan(try roundTrip(run, level: 3, "run").count, 200)
        for period in [1, 2, 3, 5, 7, 8, 9, 16, 100] {
            let pattern = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 % period &* 37) }
            let frame = try roundTrip(pattern, level: 3, "period \(period)")
            XCTAssertLessThan(frame.count, 2000, "period \(period)")
        }
    }

    func testLargeInputUsesWindowedFrame() throws {
        // Bigger than the single-segment limit: the frame carries a window descriptor.
        let input = ZstdTestData.generate("records", length: 3 << 20, seed: 12)
        let frame = try roundTrip(input, level: 1, "3 MiB records")
        XCTAssertEqual(frame[4] & 0x20, 0)
        XCTAssertLessThan(frame.count * 8, input.count)
    }

    func testMixedContentRoundTrips() throws {
        var input = [UInt8]()
        for i in 0..<40 {
            input += ZstdTestData.generate(i % 3 == 0 ? "random" : i % 3 == 1 ? "text" : "skewed",
                                           length: 1000 + i * 997, seed: UInt64(i))
        }
        for level in [1, 3, 19] {
            _ = try roundTrip(input, level: level, "mixed level \(level)")
        }
    }

    /// Writes the encoder's frames to $ZSTD_EXPORT_DIR so the fixture script's `--check` mode can
    /// decode them with the reference implementation; always checks them with this decoder.
    func testInteropExport() throws {
        let cases: [(String, Int, UInt64, Int)] = [
            ("text", 0, 1, 3), ("text", 1, 1, 3), ("random", 100, 2, 3), ("text", 65537, 3, 1),
            ("records", 131_073, 4, 3), ("records", 1 << 20, 5, 3), ("records", 3 << 20, 6, 3),
            ("text", 500_000, 7, 19), ("random", 300_000, 8, 3), ("skewed", 200_000, 9, 9),
            ("run", 200_000, 65, 3), ("text", 250_000, 10, 1),
            ("skewed", 3000, 11, 1), ("skewed", 40_000, 12, 3), ("text", 700, 13, 19), ("text", 2000, 14, 5),
            ("records", 50_000, 15, 1), ("text", 131_072, 16, 5), ("records", 400_000, 17, 19),
            ("random", 131_072, 18, 1), ("text", 1_000_000, 19, 3),
        ]
        let directory = ProcessInfo.processInfo.environment["ZSTD_EXPORT_DIR"]
        for (kind, length, seed, level) in cases {
            let input = ZstdTestData.generate(kind, length: length, seed: seed)
            let frame = try roundTrip(input, level: level, "\(kind) \(length)")
            if let directory {
                let url = URL(fileURLWithPath: directory).appendingPathComponent("\(kind)_\(length)_\(seed)_\(level).zst")
                try Data(frame).write(to: url)
            }
        }
    }
}
