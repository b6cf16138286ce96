import XCTest
@testable import Kiel

final class Murmur2Tests: XCTestCase {
    /// Apache Kafka's `UtilsTest.testMurmur2` vectors (signed 32-bit results).
    func testJavaClientVectors() {
        let cases: [(String, Int32)] = [
            ("21", -973_932_308),
            ("foobar", -790_332_482),
            ("a-little-bit-long-string", -985_981_536),
            ("a-little-bit-longer-string", -1_486_304_829),
            ("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58_897_971),
            ("abc", 479_470_107),
        ]
        for (key, expected) in cases {
            XCTAssertEqual(Murmur2.hash(Array(key.utf8)), expected, key)
        }
    }

    /// Placements cross-checked with kafka-python's port of the Java partitioner
    /// (`(murmur2(key) & 0x7fffffff) % n`), including the empty key and high bytes.
    func testPartitionPlacement() {
        let cases: [([UInt8], Int, Int)] = [
            (Array("21".utf8), 4, 0), (Array("21".utf8), 7, 3),
            (Array("foobar".utf8), 4, 2), (Array("foobar".utf8), 7, 0),
            (Array("abc".utf8), 4, 3), (Array("abc".utf8), 7, 4),
            ([], 4, 1), ([], 7, 2),
            (Array("key-0".utf8), 4, 1), (Array("key-1".utf8), 7, 5),
            (Array("hello world".utf8), 4, 3), (Array(200...206), 4, 0), (Array(200...206), 7, 4),
        ]
        for (key, count, expected) in cases {
            XCTAssertEqual(Murmur2.partition(forKey: key, count: count), expected, "\(key) % \(count)")
        }
    }

    func testToPositiveClearsOnlyTheSignBit() {
        XCTAssertEqual(Murmur2.toPositive(Int32.min), 0)
        XCTAssertEqual(Murmur2.toPositive(-1), Int32.max)
        XCTAssertEqual(Murmur2.toPositive(42), 42)
    }
}
