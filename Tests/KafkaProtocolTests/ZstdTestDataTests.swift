import Foundation
import XCTest
@testable import KafkaProtocol
@testable import KafkaCompression

/// Seeded inputs shared by the Zstandard tests; mirrors the generator in
/// Fixtures/zstd/generate_zstd_fixtures.py byte for byte.
enum ZstdTestData {
    /// `count` bit fields of 0 to `maxBits` random bits each, and the stream that writes them
    /// in order (read back last to first).
    static func randomBitFields(_ rng: inout SplitMix64, count: Int, maxBits: UInt64) -> (fields: [(UInt64, Int)], stream: [UInt8]) {
        var fields = [(UInt64, Int)]()
        var writer = ZstdBitWriter(capacity: 64)
        for _ in 0..<count {
            let n = Int(rng.next() % (maxBits + 1))
            let value = n == 0 ? 0 : rng.next() & ((1 << UInt64(n)) - 1)
            fields.append((value, n))
            writer.write(value, n)
        }
        return (fields, writer.close())
    }

    struct SplitMix64 {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let words = [
        "kafka", "topic", "partition", "offset", "broker", "leader", "replica", "consumer",
        "producer", "record", "batch", "header", "key", "value", "timestamp", "group",
        "commit", "fetch", "produce", "metadata", "zookeeper", "session", "watch", "node",
        "the", "a", "of", "and", "to", "in", "is", "for",
    ].map { Array($0.utf8) }

    static func generate(_ kind: String, length: Int, seed: UInt64) -> [UInt8] {
        var rng = SplitMix64(state: seed)
        var out = [UInt8]()
        out.reserveCapacity(length + 64)
        switch kind {
        case "random":
            while out.count < length { out.append(UInt8(truncatingIfNeeded: rng.next())) }
        case "text":
            while out.count < length {
                let r = rng.next()
                out += words[Int(r % 32)]
                let separator = (r >> 8) % 16
                out += separator == 0 ? Array(".\n".utf8) : separator == 1 ? Array(", ".utf8) : [0x20]
            }
        case "records":
            var i = 0
            while out.count < length {
                let r = rng.next()
                out += Array("{\"id\": \(i), \"user\": \"user-\(r % 4)\", \"active\": true}\n".utf8)
                i += 1
            }
        case "skewed":
            while out.count < length {
                let r = rng.next()
                out.append(UInt8(((r & 0xFF) * ((r >> 8) & 0xFF)) >> 8))
            }
        case "run":
            return [UInt8](repeating: UInt8(truncatingIfNeeded: seed), count: length)
        default:
            preconditionFailure("unknown generator \(kind)")
        }
        return Array(out.prefix(length))
    }

    /// The committed fixtures, or the directory named by ZSTD_FIXTURE_DIR (for example one filled
    /// by the fixture script's --stress mode).
    static var fixtureDirectory: URL {
        if let override = ProcessInfo.processInfo.environment["ZSTD_FIXTURE_DIR"] {
            return URL(fileURLWithPath: override)
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/zstd")
    }

    struct Fixture {
        var name: String
        var frame: [UInt8]
        var contentHash: UInt64
        var content: [UInt8]
    }

    static func fixtures() throws -> [Fixture] {
        let manifest = try String(contentsOf: fixtureDirectory.appendingPathComponent("manifest.txt"), encoding: .utf8)
        var result = [Fixture]()
        for line in manifest.split(separator: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count == 3, let hash = UInt64(fields[1], radix: 16) else {
                throw CocoaError(.fileReadCorruptFile)
            }
            var content = [UInt8]()
            if fields[2] != "-" {
                for part in fields[2].split(separator: "+") {
                    let p = part.split(separator: ":").map(String.init)
                    guard p.count == 3, let n = Int(p[1]), let seed = UInt64(p[2]) else {
                        throw CocoaError(.fileReadCorruptFile)
                    }
                    content += generate(p[0], length: n, seed: seed)
                }
            }
            let data = try Data(contentsOf: fixtureDirectory.appendingPathComponent(fields[0]))
            result.append(Fixture(name: fields[0], frame: [UInt8](data), contentHash: hash, content: content))
        }
        return result
    }
}

final class ZstdTestDataTests: XCTestCase {
    func testGeneratorMatchesManifestHashes() throws {
        let fixtures = try ZstdTestData.fixtures()
        XCTAssertGreaterThanOrEqual(fixtures.count, 15)
        for fixture in fixtures {
            XCTAssertEqual(ZstdXXH64.hash(fixture.content), fixture.contentHash, fixture.name)
        }
    }

    func testGeneratorIsDeterministicAndVaried() {
        XCTAssertEqual(ZstdTestData.generate("random", length: 1000, seed: 9),
                       ZstdTestData.generate("random", length: 1000, seed: 9))
        XCTAssertNotEqual(ZstdTestData.generate("random", length: 1000, seed: 9),
                          ZstdTestData.generate("random", length: 1000, seed: 10))
        XCTAssertEqual(ZstdTestData.generate("text", length: 12345, seed: 1).count, 12345)
    }
}
