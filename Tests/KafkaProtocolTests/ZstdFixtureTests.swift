import XCTest
@testable import KafkaProtocol
@testable import KafkaCompression

/// Frames written by the reference implementation (see Fixtures/zstd/generate_zstd_fixtures.py).
final class ZstdFixtureTests: XCTestCase {
    func testDecodesEveryFixture() throws {
        for fixture in try ZstdTestData.fixtures() {
            let decoded: [UInt8]
            do {
                decoded = try Zstd.decompress(fixture.frame, maxSize: 4 << 20)
            } catch {
                XCTFail("\(fixture.name): \(error)")
                continue
            }
            XCTAssertEqual(decoded.count, fixture.content.count, fixture.name)
            XCTAssertTrue(decoded == fixture.content, fixture.name)
        }
    }

    func testMaxSizeIsEnforced() throws {
        for fixture in try ZstdTestData.fixtures() where fixture.content.count > 10 {
            XCTAssertThrowsError(try Zstd.decompress(fixture.frame, maxSize: fixture.content.count - 1),
                                 fixture.name) { error in
                XCTAssertEqual(error as? ZstdError, .outputTooLarge(limit: fixture.content.count - 1), fixture.name)
            }
            XCTAssertEqual(try Zstd.decompress(fixture.frame, maxSize: fixture.content.count).count,
                           fixture.content.count, fixture.name)
        }
    }

    func testChecksumMismatchIsReported() throws {
        var frame = Zstd.compress(ZstdTestData.generate("text", length: 10_000, seed: 4))
        frame[frame.count - 1] ^= 0x40
        XCTAssertThrowsError(try Zstd.decompress(frame, maxSize: 1 << 20)) { error in
            guard case .checksumMismatch = error as? ZstdError else {
                return XCTFail("expected a checksum mismatch, got \(error)")
            }
        }
    }

    func testDictionaryFramesAreRejected() {
        // Frame header descriptor 0x21: single segment, one-byte dictionary id; then id 7, size 1.
        let frame: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD, 0x21, 0x07, 0x01, 0x09, 0x00, 0x00, 0x41]
        XCTAssertThrowsError(try Zstd.decompress(frame, maxSize: 100)) { error in
            XCTAssertEqual(error as? ZstdError, .dictionaryNotSupported(id: 7))
        }
    }

    func testHeaderErrors() {
        XCTAssertThrowsError(try Zstd.decompress([], maxSize: 10)) {
            XCTAssertEqual($0 as? ZstdError, .truncatedInput)
        }
        XCTAssertThrowsError(try Zstd.decompress([1, 2, 3, 4, 5], maxSize: 10)) {
            XCTAssertEqual($0 as? ZstdError, .unknownMagic(0x0403_0201))
        }
        XCTAssertThrowsError(try Zstd.decompress([0x28, 0xB5, 0x2F, 0xFD, 0x28, 0x01], maxSize: 10)) {
            XCTAssertEqual($0 as? ZstdError, .reservedBitSet)
        }
        // A raw block of 3 bytes in a frame declaring 2.
        let mismatch: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD, 0x20, 0x02, 0x19, 0x00, 0x00, 0x61, 0x62, 0x63]
        XCTAssertThrowsError(try Zstd.decompress(mismatch, maxSize: 10))
        // Block type 3 is reserved.
        let reserved: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD, 0x20, 0x00, 0x07, 0x00, 0x00]
        XCTAssertThrowsError(try Zstd.decompress(reserved, maxSize: 10)) {
            XCTAssertEqual($0 as? ZstdError, .reservedBlockType)
        }
    }

    func testSkippableFrameAlone() throws {
        let frame: [UInt8] = [0x5A, 0x2A, 0x4D, 0x18, 0x02, 0x00, 0x00, 0x00, 0xAA, 0xBB]
        XCTAssertEqual(try Zstd.decompress(frame, maxSize: 10), [])
        XCTAssertThrowsError(try Zstd.decompress(Array(frame.dropLast()), maxSize: 10))
    }
}
