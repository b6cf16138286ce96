import KafkaProtocol
import XCTest

/// Hand-built legacy messages for the cases the fixtures don't reach: log-append time on a
/// v1 wrapper, nested compression, bad magic inside a message set.
final class LegacyMessageSetTests: XCTestCase {
    /// `offset, size, crc, magic, attributes, [timestamp], key, value` with a correct CRC-32.
    static func message(offset: Int64, magic: Int8, attributes: Int8 = 0, timestamp: Int64 = 0,
                        key: [UInt8]?, value: [UInt8]?) -> [UInt8] {
        var body = ByteWriter()
        body.writeInt8(magic)
        body.writeInt8(attributes)
        if magic == 1 { body.writeInt64(timestamp) }
        body.writeNullableBytes(key)
        body.writeNullableBytes(value)
        var out = ByteWriter()
        out.writeInt64(offset)
        out.writeInt32(Int32(4 + body.count))
        out.writeUInt32(CRC32.checksum(body.bytes))
        out.writeRaw(body.bytes)
        return out.bytes
    }

    func testV1WrapperWithLogAppendTimeGivesEveryRecordTheWrapperTimestamp() throws {
        let inner = (0..<3).flatMap { i in
            Self.message(offset: Int64(i), magic: 1, timestamp: 111, key: nil, value: [UInt8(i)])
        }
        let wrapper = Self.message(offset: 52, magic: 1, attributes: 0x08 | 0x01, timestamp: 999,
                                   key: nil, value: try CompressionCodec.gzip.compress(inner))
        let decoded = try RecordBatchDecoder().decode(wrapper)
        XCTAssertEqual(decoded.records.map(\.offset), [50, 51, 52])
        XCTAssertEqual(decoded.records.map(\.timestamp), [999, 999, 999])
        XCTAssertEqual(decoded.batches.first?.timestampType, .logAppendTime)
        XCTAssertEqual(decoded.nextOffset, 53)
    }

    func testV0WrapperKeepsAbsoluteInnerOffsets() throws {
        let inner = Self.message(offset: 7, magic: 0, key: [1], value: [2])
            + Self.message(offset: 8, magic: 0, key: nil, value: nil)
        let wrapper = Self.message(offset: 8, magic: 0, attributes: 0x02, key: nil,
                                   value: try CompressionCodec.snappy.compress(inner))
        let decoded = try RecordBatchDecoder().decode(wrapper)
        XCTAssertEqual(decoded.records, [Record(offset: 7, timestamp: -1, key: [1], value: [2]),
                                         Record(offset: 8, timestamp: -1, key: nil, value: nil)])
    }

    func testNestedCompressionAndBadMagicAreRejected() throws {
        let deepest = Self.message(offset: 0, magic: 1, key: nil, value: [1])
        let middle = Self.message(offset: 0, magic: 1, attributes: 0x01, key: nil,
                                  value: try CompressionCodec.gzip.compress(deepest))
        let outer = Self.message(offset: 0, magic: 1, attributes: 0x01, key: nil,
                                 value: try CompressionCodec.gzip.compress(middle))
        XCTAssertThrowsError(try RecordBatchDecoder().decode(outer))
        var badMagic = Self.message(offset: 0, magic: 1, key: nil, value: [1])
        badMagic[16] = 7
        XCTAssertThrowsError(try RecordBatchDecoder().decode(badMagic))
    }

    func testMixedV1AndV2InOneResponse() throws {
        var builder = RecordBatchBuilder(baseOffset: 1)
        builder.append(timestamp: 5, key: nil, value: [9])
        let bytes = Self.message(offset: 0, magic: 1, timestamp: 4, key: nil, value: [8]) + (try builder.build())
        let decoded = try RecordBatchDecoder().decode(bytes)
        XCTAssertEqual(decoded.records.map(\.offset), [0, 1])
        XCTAssertEqual(decoded.batches.map(\.magic), [1, 2])
    }
}
