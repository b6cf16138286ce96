@testable import KafkaProtocol
@testable import KafkaCompression
import XCTest

final class CompressionTests: XCTestCase {
    static let codecs: [CompressionCodec] = [.none, .gzip, .snappy, .lz4]
    static let limit = 64 << 20

    func testRoundTripsRandomAndCompressibleData() throws {
        var rng = SeededGenerator(seed: 7)
        let sizes = [0, 1, 2, 3, 4, 5, 11, 12, 13, 15, 16, 17, 60, 61, 255, 256, 1000, 65_535, 65_536, 65_537, 200_000]
        for codec in Self.codecs {
            for size in sizes {
                for data in [rng.bytes(size), rng.compressible(size), [UInt8](repeating: 0x61, count: size)] {
                    let packed = try codec.compress(data)
                    let unpacked = try codec.decompress(packed, maxSize: Self.limit)
                    XCTAssertEqual(unpacked, data, "\(codec) size \(size)")
                }
            }
        }
    }

    func testRawBlocksRoundTrip() throws {
        var rng = SeededGenerator(seed: 8)
        for size in [0, 1, 13, 100, 70_000, 300_000] {
            for data in [rng.bytes(size), rng.compressible(size)] {
                XCTAssertEqual(try Snappy.decompress(Snappy.compress(data), maxSize: Self.limit), data)
                XCTAssertEqual(try LZ4Block.decompress(LZ4Block.compress(data), maxSize: size), data)
            }
        }
        for code in 4...7 {
            let data = rng.compressible(code == 4 ? 300_000 : 1_200_000)
            for checksum in code == 4 ? [false, true] : [false] {
                let frame = LZ4Frame.compress(data, blockSizeCode: code, contentChecksum: checksum)
                XCTAssertEqual(try LZ4Frame.decompress(frame, maxSize: Self.limit), data)
            }
        }
    }

    /// Real compression, not just framing: repetitive data must shrink a lot.
    func testCompressorsActuallyCompress() throws {
        var rng = SeededGenerator(seed: 9)
        let data = rng.compressible(100_000)
        for codec in [CompressionCodec.gzip, .snappy, .lz4] {
            let packed = try codec.compress(data)
            XCTAssertLessThan(packed.count, data.count / 2, "\(codec)")
        }
        // Incompressible data grows only by the format's bounded overhead.
        let noise = rng.bytes(100_000)
        XCTAssertLessThanOrEqual(try CompressionCodec.snappy.compress(noise).count, Snappy.maxCompressedLength(noise.count) + 64)
        XCTAssertLessThanOrEqual(try CompressionCodec.lz4.compress(noise).count, noise.count + 64)
    }

    func testSnappyWritesXerialFraming() throws {
        let packed = try CompressionCodec.snappy.compress(Array("hello hello hello hello".utf8))
        XCTAssertEqual(Array(packed.prefix(16)), [0x82, 0x53, 0x4E, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1])
    }

    func testLZ4FrameHeaderIsWhatKafkaWrites() throws {
        let packed = LZ4Frame.compress(Array("hello".utf8))
        // Magic, FLG (version 01, independent blocks), BD (64 KiB), header checksum.
        XCTAssertEqual(Array(packed.prefix(6)), [0x04, 0x22, 0x4D, 0x18, 0x60, 0x40])
        XCTAssertEqual(packed[6], UInt8(truncatingIfNeeded: XXHash32.hash([0x60, 0x40]) >> 8))
    }

    /// Streams written by python-snappy, kafka-python, the lz4 library and Python's gzip.
    func testDecodesStreamsFromOtherImplementations() throws {
        let small = try RecordFixture.bytes("codecs", "plain_small")
        let big = try RecordFixture.bytes("codecs", "plain_big")
        let plains = ["plain_small": small, "plain_big": big, "plain_small+plain_big": small + big]
        let cases: [(String, CompressionCodec)] = [
            ("snappy_raw", .snappy), ("snappy_xerial", .snappy), ("snappy_xerial_big", .snappy),
            ("lz4_frame_checksums", .lz4), ("lz4_frame_linked", .lz4), ("lz4_frame_old_kafka", .lz4),
            ("gzip", .gzip), ("gzip_two_members", .gzip),
        ]
        for (name, codec) in cases {
            let meaning = try RecordFixture.meaning("codecs", name)
            let plain = try XCTUnwrap(plains[try XCTUnwrap(meaning["plain"] as? String)])
            XCTAssertEqual(try codec.decompress(RecordFixture.bytes("codecs", name), maxSize: Self.limit), plain, name)
            // One byte less than needed must be refused, not truncated.
            XCTAssertThrowsError(try codec.decompress(RecordFixture.bytes("codecs", name), maxSize: plain.count - 1), name)
        }
        XCTAssertEqual(try LZ4Block.decompress(RecordFixture.bytes("codecs", "lz4_block"), maxSize: small.count), small)
    }

    func testChecksumMismatchesAreReported() throws {
        var frame = try RecordFixture.bytes("codecs", "lz4_frame_checksums")
        frame[frame.count - 1] ^= 0x01
        XCTAssertThrowsError(try LZ4Frame.decompress(frame, maxSize: Self.limit)) { error in
            XCTAssertEqual(error as? CompressionError, .checksumMismatch(.lz4))
        }
        var header = try RecordFixture.bytes("codecs", "lz4_frame_checksums")
        header[header.count > 7 ? 14 : 0] ^= 0x10
        XCTAssertThrowsError(try LZ4Frame.decompress(header, maxSize: Self.limit))
    }

    func testZstdThroughTheCodecEnum() throws {
        let input = [UInt8](repeating: 7, count: 10_000) + [1, 2, 3]
        let packed = try CompressionCodec.zstd.compress(input)
        XCTAssertLessThan(packed.count, input.count / 10)
        XCTAssertEqual(try CompressionCodec.zstd.decompress(packed, maxSize: Self.limit), input)
        XCTAssertThrowsError(try CompressionCodec.zstd.decompress(packed, maxSize: 100)) { error in
            guard case .outputTooLarge(.zstd, _)? = error as? CompressionError else {
                return XCTFail("expected outputTooLarge, got \(error)")
            }
        }
    }

    func testCodecFromAttributes() {
        XCTAssertEqual(CompressionCodec(attributes: 0x0013), .lz4)
        XCTAssertEqual(CompressionCodec(attributes: 0x0004), .zstd)
        XCTAssertNil(CompressionCodec(attributes: 0x0005))
    }

    func testHostileLengthsAreRefusedBeforeAllocating() {
        // A snappy preamble claiming 4 GiB from 6 bytes.
        XCTAssertThrowsError(try Snappy.decompress([0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00], maxSize: Int.max))
        XCTAssertThrowsError(try Snappy.decompress([0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00], maxSize: 100)) { error in
            XCTAssertEqual(error as? CompressionError, .outputTooLarge(.snappy, limit: 100))
        }
        // A gzip bomb: 10 MB of zeros refused at 1 MB.
        let bomb = try? Gzip.compress([UInt8](repeating: 0, count: 10_000_000))
        XCTAssertThrowsError(try Gzip.decompress(bomb ?? [], maxSize: 1_000_000)) { error in
            XCTAssertEqual(error as? CompressionError, .outputTooLarge(.gzip, limit: 1_000_000))
        }
        // An LZ4 match reaching before the start of the output.
        XCTAssertThrowsError(try LZ4Block.decompress([0x10, 0x61, 0x05, 0x00], maxSize: 100))
        XCTAssertThrowsError(try LZ4Frame.decompress([], maxSize: 100))
        XCTAssertThrowsError(try Gzip.decompress([], maxSize: 100))
    }
}

extension CompressionTests {
    func testLimitsAreReportedAsTheCallersLimit() throws {
        var rng = SeededGenerator(seed: 12)
        let data = rng.compressible(100_000)
        for codec in [CompressionCodec.gzip, .snappy, .lz4] {
            XCTAssertThrowsError(try codec.decompress(codec.compress(data), maxSize: 50_000), "\(codec)") { error in
                XCTAssertEqual(error as? CompressionError, .outputTooLarge(codec, limit: 50_000))
            }
            XCTAssertEqual(try codec.decompress(codec.compress(data), maxSize: data.count), data)
        }
    }
}

extension CompressionTests {
    func testNegativeLimitsAreTreatedAsZero() throws {
        for codec in Self.codecs {
            let packed = try codec.compress([1, 2, 3])
            XCTAssertThrowsError(try codec.decompress(packed, maxSize: -1), "\(codec)")
            XCTAssertEqual(try codec.decompress(codec.compress([]), maxSize: -5), [], "\(codec)")
        }
    }
}

extension CompressionTests {
    struct ForeignError: Error {}

    /// How a codec with its own error type (zstd) is folded into CompressionError.
    func testForeignDecoderErrorsAreMapped() {
        XCTAssertThrowsError(try CompressionCodec.zstd.mapErrors(maxSize: 10) { throw ForeignError() }) { error in
            guard case .malformed(.zstd, _)? = error as? CompressionError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try CompressionCodec.zstd.mapErrors(maxSize: 2) { [1, 2, 3] }) { error in
            XCTAssertEqual(error as? CompressionError, .outputTooLarge(.zstd, limit: 2))
        }
        XCTAssertEqual(try CompressionCodec.zstd.mapErrors(maxSize: 3) { [1, 2, 3] }, [1, 2, 3])
    }
}

extension CompressionTests {
    /// A frame declaring 4 MiB linked blocks, then thousands of two-byte blocks of one literal
    /// each. Setting aside (and zero-filling) the declared maximum for every block turned
    /// these 12 KB into minutes of work; the space set aside must follow what a block can
    /// hold.
    func testTinyLinkedBlocksCostWhatTheyHold() throws {
        let descriptor: [UInt8] = [0x40, 0x70]  // version 01, linked blocks; 4 MiB maximum
        var frame: [UInt8] = [0x04, 0x22, 0x4D, 0x18] + descriptor
        frame.append(UInt8(truncatingIfNeeded: XXHash32.hash(descriptor) >> 8))
        let blocks = 2000
        for _ in 0..<blocks { frame += [2, 0, 0, 0, 0x10, 0x61] }  // token: one literal, "a"
        frame += [0, 0, 0, 0]
        XCTAssertEqual(try LZ4Frame.decompress(frame, maxSize: Self.limit),
                       [UInt8](repeating: 0x61, count: blocks))

        XCTAssertLessThan(try LZ4Frame.decompress(frame, maxSize: Self.limit).capacity, 2 * blocks + 4096)

        let fourMiB = LZ4Frame.blockMaxSize(code: 7)
        XCTAssertEqual(LZ4Frame.blockRoom(compressedSize: 2, blockMax: fourMiB, limitLeft: Self.limit), 2 * 255 + 16)
        XCTAssertEqual(LZ4Frame.blockRoom(compressedSize: 1 << 20, blockMax: fourMiB, limitLeft: Self.limit), fourMiB)
        XCTAssertEqual(LZ4Frame.blockRoom(compressedSize: 1 << 20, blockMax: fourMiB, limitLeft: 1000), 1000)
    }

    /// Frames one after another decode to their contents in order, and the caller's limit
    /// covers them together.
    func testConcatenatedLZ4FramesShareTheLimit() throws {
        let first = Array((0..<70_000).map { UInt8(truncatingIfNeeded: $0 % 251) })
        let second = Array((0..<5000).map { UInt8(truncatingIfNeeded: $0 * 7) })
        let input = LZ4Frame.compress(first, contentChecksum: true) + LZ4Frame.compress(second, blockSizeCode: 5)
        XCTAssertEqual(try LZ4Frame.decompress(input, maxSize: first.count + second.count), first + second)
        XCTAssertThrowsError(try LZ4Frame.decompress(input, maxSize: first.count + second.count - 1)) { error in
            XCTAssertEqual(error as? CompressionError, .outputTooLarge(.lz4, limit: first.count + second.count - 1))
        }
        XCTAssertThrowsError(try LZ4Frame.decompress(input, maxSize: first.count - 1)) { error in
            XCTAssertEqual(error as? CompressionError, .outputTooLarge(.lz4, limit: first.count - 1))
        }
    }
}
