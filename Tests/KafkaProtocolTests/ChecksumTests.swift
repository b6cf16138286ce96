import KafkaProtocol
import XCTest

final class ChecksumTests: XCTestCase {
    // RFC 3720 (iSCSI) appendix B.4 vectors.
    func testCRC32CPublishedVectors() {
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0, count: 32)), 0x8A91_36AA)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)), 0x62A8_AB43)
        XCTAssertEqual(CRC32C.checksum((0..<32).map { UInt8($0) }), 0x46DD_794E)
        XCTAssertEqual(CRC32C.checksum((0..<32).reversed().map { UInt8($0) }), 0x113F_DB5C)
        XCTAssertEqual(CRC32C.checksum(Array("123456789".utf8)), 0xE306_9283)
        XCTAssertEqual(CRC32C.checksum([UInt8]()), 0)
    }

    /// The slicing loop must agree with itself at every length and alignment.
    func testCRC32CIncrementalAndUnaligned() {
        var rng = SeededGenerator(seed: 1)
        let data = rng.bytes(1000)
        let whole = CRC32C.checksum(data)
        for split in [0, 1, 3, 7, 8, 9, 100, 999, 1000] {
            let first = CRC32C.checksum(data[0..<split])
            let both = data[split...].withUnsafeBytes { CRC32C.update(first, $0) }
            XCTAssertEqual(both, whole, "split at \(split)")
        }
        // Bitwise reference for short unaligned slices.
        for start in 0..<9 {
            for length in [0, 1, 7, 8, 15, 16, 17, 64] {
                let slice = data[start..<(start + length)]
                XCTAssertEqual(CRC32C.checksum(slice), bitwiseCRC32C(slice), "start \(start) length \(length)")
            }
        }
    }

    func testCRC32IEEEVectors() {
        XCTAssertEqual(CRC32.checksum(Array("123456789".utf8)), 0xCBF4_3926)
        XCTAssertEqual(CRC32.checksum(Array("The quick brown fox jumps over the lazy dog".utf8)), 0x414F_A339)
        XCTAssertEqual(CRC32.checksum([UInt8]()), 0)
    }

    // Values from the reference xxhash implementation.
    func testXXHash32PublishedVectors() {
        XCTAssertEqual(XXHash32.hash([UInt8]()), 0x02CC_5D05)
        XCTAssertEqual(XXHash32.hash(Array("a".utf8)), 0x550D_7456)
        XCTAssertEqual(XXHash32.hash(Array("abc".utf8)), 0x32D1_53FF)
        XCTAssertEqual(XXHash32.hash(Array("Nobody inspects the spammish repetition".utf8)), 0xE229_3B2F)
        let ramp = (0..<768).map { UInt8($0 & 0xFF) }
        XCTAssertEqual(XXHash32.hash(ramp), 0xCDB9_46B1)
        XCTAssertEqual(XXHash32.hash([UInt8](), seed: 0x9E37_79B1), 0x36B7_8AE7)
        XCTAssertEqual(XXHash32.hash(Array("abc".utf8), seed: 0x9E37_79B1), 0xA1AE_7709)
        XCTAssertEqual(XXHash32.hash(ramp, seed: 0x9E37_79B1), 0xAED9_C9A4)
    }

    private func bitwiseCRC32C(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            c ^= UInt32(b)
            for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
        }
        return ~c
    }
}
