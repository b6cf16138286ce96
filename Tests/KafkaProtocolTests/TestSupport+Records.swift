import Foundation
import XCTest

/// A seeded generator (SplitMix64) so random tests repeat exactly.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) }
    }

    /// Bytes that compress: words from a small vocabulary with some noise.
    mutating func compressible(_ count: Int) -> [UInt8] {
        let words: [[UInt8]] = ["kafka ", "record ", "batch ", "offset ", "value-", "0123 ", "\n"].map { Array($0.utf8) }
        var out = [UInt8]()
        out.reserveCapacity(count + 8)
        while out.count < count {
            if Int.random(in: 0..<10, using: &self) == 0 {
                out.append(UInt8.random(in: 0...255, using: &self))
            } else {
                out += words[Int.random(in: 0..<words.count, using: &self)]
            }
        }
        return Array(out.prefix(count))
    }
}

/// Golden fixtures written by Fixtures/generate_record_fixtures.py.
enum RecordFixture {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func bytes(_ folder: String, _ name: String) throws -> [UInt8] {
        let text = try String(contentsOf: root.appendingPathComponent(folder).appendingPathComponent(name + ".hex"),
                              encoding: .utf8)
        return try XCTUnwrap(fromHex(text.trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    static func meaning(_ folder: String, _ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: root.appendingPathComponent(folder).appendingPathComponent(name + ".json"))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func fromHex(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(chars.count / 2)
        var i = 0
        while i < chars.count {
            guard let hi = nibble(chars[i]), let lo = nibble(chars[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        default: return nil
        }
    }
}
