import Dispatch
import XCTest
import KafkaProtocol

/// Prints compression and decompression speed (meaningful in release builds:
/// `swift test -c release --filter ZstdThroughput`). Asserts only correctness: speed depends on
/// the machine.
final class ZstdThroughputTests: XCTestCase {
    func testThroughputReport() throws {
        #if DEBUG
        let megabytes = 1  // Keeps debug test runs short; the numbers only mean something in release.
        #else
        let megabytes = 8
        #endif
        let inputs: [(String, [UInt8])] = [
            ("records", ZstdTestData.generate("records", length: megabytes << 20, seed: 1)),
            ("text", ZstdTestData.generate("text", length: megabytes << 20, seed: 2)),
            ("random", ZstdTestData.generate("random", length: megabytes << 19, seed: 3)),
        ]
        for (name, input) in inputs {
            for level in [1, 3] {
                var frame = [UInt8]()
                let compressSeconds = Self.time { frame = Zstd.compress(input, level: level) }
                var decoded = [UInt8]()
                let rounds = 5
                let decompressSeconds = try Self.time {
                    for _ in 0..<rounds { decoded = try Zstd.decompress(frame, maxSize: input.count) }
                } / Double(rounds)
                XCTAssertTrue(decoded == input, name)
                let mb = Double(input.count) / 1_000_000
                print(String(format: "zstd %@ level %d: %.1f MB -> %.2f MB (%.1f%%), compress %.0f MB/s, decompress %.0f MB/s",
                             name, level, mb, Double(frame.count) / 1_000_000,
                             100 * Double(frame.count) / Double(input.count),
                             mb / compressSeconds, mb / decompressSeconds))
            }
        }
    }

    /// Small batches, as Kafka producers usually send: per-call costs dominate.
    func testSmallBatchReport() throws {
        for size in [1024, 16 * 1024] {
            let input = ZstdTestData.generate("records", length: size, seed: 9)
            #if DEBUG
            let rounds = 100
            #else
            let rounds = 2000
            #endif
            var frame = [UInt8]()
            let compressSeconds = Self.time { for _ in 0..<rounds { frame = Zstd.compress(input) } }
            var decoded = [UInt8]()
            let decompressSeconds = try Self.time {
                for _ in 0..<rounds { decoded = try Zstd.decompress(frame, maxSize: size) }
            }
            XCTAssertEqual(decoded, input)
            let mb = Double(size * rounds) / 1_000_000
            print(String(format: "zstd %d-byte batch: -> %d bytes, compress %.0f MB/s, decompress %.0f MB/s",
                         size, frame.count, mb / compressSeconds, mb / decompressSeconds))
        }
    }

    /// Frames from the reference encoder exercise Huffman literals and fitted FSE tables.
    func testReferenceFrameDecodingReport() throws {
        for fixture in try ZstdTestData.fixtures() where fixture.content.count >= 100_000 {
            var decoded = [UInt8]()
            let rounds = 10
            let seconds = try Self.time {
                for _ in 0..<rounds { decoded = try Zstd.decompress(fixture.frame, maxSize: fixture.content.count) }
            } / Double(rounds)
            XCTAssertTrue(decoded == fixture.content, fixture.name)
            print(String(format: "zstd reference frame %@: %.2f MB, decompress %.0f MB/s", fixture.name,
                         Double(fixture.content.count) / 1_000_000, Double(fixture.content.count) / 1_000_000 / seconds))
        }
    }

    private static func time(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}
