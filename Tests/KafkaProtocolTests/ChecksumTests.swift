@testable import KafkaProtocol
import XCTest

final class ChecksumTests: XCTestCase {
    typealias Update = (UInt32, UnsafeRawBufferPointer) -> UInt32

    /// The software path everywhere; the CPU's instruction where this machine has one.
    var implementations: [(name: String, update: Update)] {
        [("software", CRC32C.updateSoftware)] + (CRC32C.usesHardware ? [("hardware", CRC32C.updateHardware)] : [])
    }

    func crc(_ update: Update, _ bytes: some Collection<UInt8>) -> UInt32 {
        Array(bytes).withUnsafeBytes { update(0, $0) }
    }

    // RFC 3720 (iSCSI) appendix B.4 vectors, for the public entry point and each implementation.
    func testCRC32CPublishedVectors() {
        XCTAssertEqual(CRC32C.checksum(Array("123456789".utf8)), 0xE306_9283)
        for (name, update) in implementations {
            XCTAssertEqual(crc(update, [UInt8](repeating: 0, count: 32)), 0x8A91_36AA, name)
            XCTAssertEqual(crc(update, [UInt8](repeating: 0xFF, count: 32)), 0x62A8_AB43, name)
            XCTAssertEqual(crc(update, (0..<32).map { UInt8($0) }), 0x46DD_794E, name)
            XCTAssertEqual(crc(update, (0..<32).reversed().map { UInt8($0) }), 0x113F_DB5C, name)
            XCTAssertEqual(crc(update, Array("123456789".utf8)), 0xE306_9283, name)
            XCTAssertEqual(crc(update, [UInt8]()), 0, name)
        }
    }

    /// Every x86-64 CPU of the last fifteen years has SSE4.2: one that falls back to software
    /// has lost its detection.
    func testTheCPUInstructionIsUsedWhereItExists() {
        #if arch(x86_64)
        XCTAssertTrue(CRC32C.usesHardware)
        #endif
    }

    /// Each implementation must agree with itself at every length and alignment, and with
    /// the others on random data.
    func testCRC32CIncrementalAndUnaligned() {
        var rng = SeededGenerator(seed: 1)
        let data = rng.bytes(1000)
        for (name, update) in implementations {
            let whole = crc(update, data)
            for split in [0, 1, 3, 7, 8, 9, 100, 999, 1000] {
                let first = crc(update, data[0..<split])
                let both = data[split...].withUnsafeBytes { update(first, $0) }
                XCTAssertEqual(both, whole, "\(name): split at \(split)")
            }
            // Bitwise reference for short unaligned slices.
            for start in 0..<9 {
                for length in [0, 1, 7, 8, 15, 16, 17, 64] {
                    let slice = data[start..<(start + length)]
                    let unaligned = slice.withUnsafeBytes { update(0, $0) }
                    XCTAssertEqual(unaligned, bitwiseCRC32C(slice), "\(name): start \(start) length \(length)")
                }
            }
        }
        for length in [0, 1, 5, 63, 64, 65, 4096, 100_003] {
            let bytes = rng.bytes(length)
            let answers = implementations.map { crc($0.update, bytes) }
            XCTAssertEqual(Set(answers).count, 1, "length \(length): \(answers)")
        }
    }

    /// The CPU path runs three chains over rounds of 3 x 8 KiB, then 3 x 256 B, and joins them
    /// through shift tables; around every boundary of those rounds, at every alignment of the
    /// start and continuing from earlier checksums, it must give exactly the software answer.
    func testCRC32CHardwareMatchesSoftwareAcrossInterleavedRounds() throws {
        try XCTSkipUnless(CRC32C.usesHardware, "no CRC-32C instruction on this CPU")
        var rng = SeededGenerator(seed: 0x32C)
        let data = rng.bytes(110_000)
        var lengths = Set(0...40)
        for block in [256, 8192] {
            for rounds in [1, 2, 3, 4, 6] {
                for delta in -16...16 { lengths.insert(rounds * block + delta) }
            }
        }
        for mixed in [3 * 8192 + 3 * 256, 3 * 8192 + 2 * 3 * 256, 2 * 3 * 8192 + 3 * 256] {
            for delta in -16...16 { lengths.insert(mixed + delta) }
        }
        let sorted = lengths.sorted()
        data.withUnsafeBytes { raw in
            let base = Int(bitPattern: raw.baseAddress)
            for alignment in 0..<8 {
                let start = (alignment - base % 8 + 8) % 8  // so the slice starts at this alignment
                func slice(_ from: Int, _ to: Int) -> UnsafeRawBufferPointer {
                    UnsafeRawBufferPointer(rebasing: raw[(start + from)..<(start + to)])
                }
                // The reference continues the software checksum from one length to the next,
                // so it reads the buffer once per alignment.
                var reference: UInt32 = 0
                var done = 0
                for length in sorted {
                    reference = CRC32C.updateSoftware(reference, slice(done, length))
                    done = length
                    let context = "alignment \(alignment) length \(length)"
                    XCTAssertEqual(CRC32C.updateHardware(0, slice(0, length)), reference, context)
                    let split = Int.random(in: 0...length, using: &rng)
                    let first = CRC32C.updateHardware(0, slice(0, split))
                    XCTAssertEqual(CRC32C.updateHardware(first, slice(split, length)), reference, "\(context) split \(split)")
                }
            }
            // Random lengths and starts, continuing from a random checksum.
            for _ in 0..<200 {
                let length = Int.random(in: 0...100_000, using: &rng)
                let start = Int.random(in: 0...(raw.count - length), using: &rng)
                let bytes = UnsafeRawBufferPointer(rebasing: raw[start..<(start + length)])
                let crc = UInt32.random(in: 1...UInt32.max, using: &rng)
                XCTAssertEqual(CRC32C.updateHardware(crc, bytes), CRC32C.updateSoftware(crc, bytes),
                               "start \(start) length \(length) crc \(crc)")
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
