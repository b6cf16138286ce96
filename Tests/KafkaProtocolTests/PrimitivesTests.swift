import XCTest
@testable import KafkaProtocol
@testable import KafkaCompression

final class PrimitivesTests: XCTestCase {
    func testFixedWidthBigEndian() throws {
        var w = ByteWriter()
        w.writeInt8(-2)
        w.writeInt16(0x0102)
        w.writeInt32(-1)
        w.writeInt64(0x0102_0304_0506_0708)
        w.writeUInt32(0xdead_beef)
        w.writeBool(true)
        w.writeUUID(KafkaUUID(high: 0x0011_2233_4455_6677, low: 0x8899_aabb_ccdd_eeff))
        XCTAssertEqual(w.bytes.hexString,
                       "fe" + "0102" + "ffffffff" + "0102030405060708" + "deadbeef" + "01"
                       + "00112233445566778899aabbccddeeff")
        var r = ByteReader(w.bytes)
        XCTAssertEqual(r.readInt8(), -2)
        XCTAssertEqual(r.readInt16(), 0x0102)
        XCTAssertEqual(r.readInt32(), -1)
        XCTAssertEqual(r.readInt64(), 0x0102_0304_0506_0708)
        XCTAssertEqual(r.readUInt32(), 0xdead_beef)
        XCTAssertTrue(r.readBool())
        XCTAssertEqual(r.readUUID(), KafkaUUID(high: 0x0011_2233_4455_6677, low: 0x8899_aabb_ccdd_eeff))
        try r.finish()
    }

    /// Zig-zag varint vectors as published with the Kafka and protobuf encodings.
    func testVarintVectors() throws {
        let vectors: [(Int32, String)] = [
            (0, "00"), (-1, "01"), (1, "02"), (63, "7e"), (-64, "7f"), (64, "8001"), (-65, "8101"),
            (8191, "fe7f"), (-8192, "ff7f"), (8192, "808001"), (-8193, "818001"),
            (1_048_575, "feff7f"), (-1_048_576, "ffff7f"), (1_048_576, "80808001"),
            (Int32.max, "feffffff0f"), (Int32.min, "ffffffff0f"),
        ]
        for (value, hex) in vectors {
            var w = ByteWriter()
            w.writeVarint(value)
            XCTAssertEqual(w.bytes.hexString, hex, "varint \(value)")
            var r = ByteReader([UInt8](hex: hex)!)
            XCTAssertEqual(r.readVarint(), value)
            try r.finish()
        }
    }

    func testVarlongVectors() throws {
        let vectors: [(Int64, String)] = [
            (0, "00"), (-1, "01"), (1, "02"), (150, "ac02"), (2_147_483_647, "feffffff0f"),
            (-2_147_483_648, "ffffffff0f"), (4_294_967_296, "8080808020"),
            (Int64.max, "feffffffffffffffff01"), (Int64.min, "ffffffffffffffffff01"),
        ]
        for (value, hex) in vectors {
            var w = ByteWriter()
            w.writeVarlong(value)
            XCTAssertEqual(w.bytes.hexString, hex, "varlong \(value)")
            var r = ByteReader([UInt8](hex: hex)!)
            XCTAssertEqual(r.readVarlong(), value)
            try r.finish()
        }
    }

    func testUnsignedVarintVectors() throws {
        let vectors: [(UInt32, String)] = [
            (0, "00"), (1, "01"), (127, "7f"), (128, "8001"), (300, "ac02"), (16383, "ff7f"),
            (16384, "808001"), (UInt32.max, "ffffffff0f"),
        ]
        for (value, hex) in vectors {
            var w = ByteWriter()
            w.writeUnsignedVarint(value)
            XCTAssertEqual(w.bytes.hexString, hex)
            var r = ByteReader(w.bytes)
            XCTAssertEqual(r.readUnsignedVarint(), value)
            try r.finish()
        }
    }

    func testOverlongVarintsAreErrors() {
        var r = ByteReader([UInt8](hex: "ffffffffff01")!)
        _ = r.readUnsignedVarint()
        XCTAssertEqual(r.error, .invalidVarint(what: "unsigned varint", offset: 0))
        // Five bytes but more than 32 bits of value.
        var r2 = ByteReader([UInt8](hex: "ffffffff7f")!)
        _ = r2.readUnsignedVarint()
        XCTAssertEqual(r2.error, .invalidVarint(what: "unsigned varint", offset: 0))
        var r3 = ByteReader([UInt8](hex: "ffffffffffffffffff02")!)
        _ = r3.readVarlong()
        XCTAssertEqual(r3.error, .invalidVarint(what: "varlong", offset: 0))
        var r4 = ByteReader([UInt8](hex: "8080")!)
        _ = r4.readVarint()
        XCTAssertNotNil(r4.error)
    }

    func testStringsAndBytes() throws {
        var w = ByteWriter()
        try w.writeString("héllo")
        try w.writeString("ab", compact: true)
        try w.writeNullableString(nil)
        try w.writeNullableString(nil, compact: true)
        w.writeBytes([1, 2, 3])
        w.writeBytes([9], compact: true)
        w.writeNullableBytes(nil)
        w.writeNullableBytes(nil, compact: true)
        XCTAssertEqual(w.bytes.hexString,
                       "000668c3a96c6c6f" + "036162" + "ffff" + "00" + "00000003010203" + "0209" + "ffffffff" + "00")
        var r = ByteReader(w.bytes)
        XCTAssertEqual(r.readString(), "héllo")
        XCTAssertEqual(r.readString(compact: true), "ab")
        XCTAssertNil(r.readNullableString())
        XCTAssertNil(r.readNullableString(compact: true))
        XCTAssertEqual(r.readBytes(), [1, 2, 3])
        XCTAssertEqual(r.readBytes(compact: true), [9])
        XCTAssertNil(r.readNullableBytes())
        XCTAssertNil(r.readNullableBytes(compact: true))
        try r.finish()
    }

    func testInvalidUTF8() {
        var r = ByteReader([UInt8](hex: "0002c328")!)
        _ = r.readString()
        XCTAssertEqual(r.error, .invalidUTF8(what: "string", offset: 2))
    }

    func testHugeCountsFailBeforeAllocating() {
        // A count of 2^31-1 with ten bytes left.
        var r = ByteReader([UInt8](hex: "7fffffff" + "00000000000000000000")!)
        let items = r.readArray(compact: false) { $0.readInt8() }
        XCTAssertEqual(items, [])
        XCTAssertEqual(r.error, .invalidLength(what: "array", offset: 0, length: Int64(Int32.max)))
        XCTAssertThrowsError(try r.check())

        var c = ByteReader([UInt8](hex: "ffffffff07" + "0000")!)
        _ = c.readBytes(compact: true)
        XCTAssertNotNil(c.error)

        var s = ByteReader([UInt8](hex: "7fff00")!)
        _ = s.readString()
        XCTAssertEqual(s.error, .invalidLength(what: "string", offset: 0, length: 0x7fff))

        // Element size makes the bound tighter: 3 int32s can't fit in 8 bytes.
        var e = ByteReader([UInt8](hex: "00000003" + "0000000000000000")!)
        _ = e.readArray(compact: false, minElementSize: 4) { $0.readInt32() }
        XCTAssertNotNil(e.error)

        var n = ByteReader([UInt8](hex: "fffffffe00")!)
        _ = n.readArray(compact: false) { $0.readInt8() }
        XCTAssertEqual(n.error, .invalidLength(what: "array", offset: 0, length: -2))
    }

    /// A count that fits the bytes (one each) for elements that decode into large structs:
    /// the memory reserved up front stays within the size of the input.
    func testArrayReservationIsBoundedByTheInputNotTheElementSize() {
        let claimed = 65_536
        var w = ByteWriter()
        w.writeInt32(Int32(claimed))
        // 0x80808080 is neither a count nor null: the first element fails.
        w.writeRaw([UInt8](repeating: 0x80, count: claimed))
        var r = ByteReader(w.bytes)
        let items = r.readArray(compact: false) { r -> FetchResponse.Partition in
            var p = FetchResponse.Partition()
            p.code(&r, version: 4)
            return p
        }
        XCTAssertNotNil(r.error)
        XCTAssertEqual(items, [])
        let stride = MemoryLayout<FetchResponse.Partition>.stride
        XCTAssertGreaterThan(stride, 1, "the test needs an element larger than its minimum wire size")
        XCTAssertLessThanOrEqual(items.capacity * stride, Swift.max(claimed, 16 * stride) + 4096, "allocator rounding aside")
    }

    func testStickyErrorReturnsZeroesAndKeepsTheFirstFailure() {
        var r = ByteReader([0x00, 0x01, 0x02])
        XCTAssertEqual(r.readInt16(), 1)
        XCTAssertEqual(r.readInt32("throttle"), 0)
        XCTAssertEqual(r.readInt8(), 0)
        XCTAssertEqual(r.readString(), "")
        XCTAssertEqual(r.error, .truncated(what: "throttle", offset: 2, needed: 4, available: 1))
        XCTAssertThrowsError(try r.finish()) { e in
            XCTAssertEqual(e as? ProtocolError, .truncated(what: "throttle", offset: 2, needed: 4, available: 1))
        }
    }

    func testFinishReportsTrailingBytes() {
        var r = ByteReader([0, 0, 0, 1, 9])
        _ = r.readInt32()
        XCTAssertThrowsError(try r.finish("Test")) { e in
            XCTAssertEqual(e as? ProtocolError, .trailingBytes(what: "Test", offset: 4, count: 1))
        }
    }

    func testArraysAndCompactArrays() throws {
        var w = ByteWriter()
        w.writeArray([1, 2, 3] as [Int32], compact: false) { $0.writeInt32($1) }
        w.writeArray(["a", "b"], compact: true) { try! $0.writeString($1, compact: true) }
        w.writeNullableArray(nil as [Int8]?, compact: true) { $0.writeInt8($1) }
        w.writeNullableArray(nil as [Int8]?, compact: false) { $0.writeInt8($1) }
        var r = ByteReader(w.bytes)
        XCTAssertEqual(r.readArray(compact: false, minElementSize: 4) { $0.readInt32() }, [1, 2, 3])
        XCTAssertEqual(r.readArray(compact: true) { $0.readString(compact: true) }, ["a", "b"])
        XCTAssertNil(r.readNullableArray(compact: true) { $0.readInt8() })
        XCTAssertNil(r.readNullableArray(compact: false) { $0.readInt8() })
        try r.finish()
    }

    func testTaggedFieldsKnownAndUnknown() throws {
        var w = ByteWriter()
        w.writeTaggedFields([TaggedField(tag: 0, data: [0, 7]), TaggedField(tag: 5, data: [1, 2, 3])])
        w.writeInt8(42)
        var r = ByteReader(w.bytes)
        var seen: Int16 = 0
        r.readTaggedFields { tag, sub in
            if tag == 0 { seen = sub.readInt16() }
        }
        XCTAssertEqual(seen, 7)
        XCTAssertEqual(r.readInt8(), 42)
        try r.finish()

        var raw = ByteReader(w.bytes)
        XCTAssertEqual(raw.readRawTaggedFields(), [TaggedField(tag: 0, data: [0, 7]), TaggedField(tag: 5, data: [1, 2, 3])])

        // A field whose declared size runs past the end.
        var bad = ByteReader([UInt8](hex: "010005aa")!)
        bad.skipTaggedFields()
        XCTAssertNotNil(bad.error)
        // A known field read past its own size fails the outer reader.
        var short = ByteReader([UInt8](hex: "010001aa")!)
        short.readTaggedFields { _, sub in _ = sub.readInt32() }
        XCTAssertNotNil(short.error)
    }

    func testPlaceholderLengths() throws {
        var w = ByteWriter()
        let mark = w.beginLength()
        w.writeInt16(1)
        try w.writeString("xy")
        w.endLength(mark)
        let at = w.reserveInt32()
        w.patchInt32(-5, at: at)
        XCTAssertEqual(w.bytes.hexString, "00000006" + "0001" + "00027879" + "fffffffb")
    }

    func testSubReaderSharesStorageAndReportsAbsoluteOffsets() {
        var r = ByteReader([0, 0, 0, 2, 0xaa, 0xbb, 0xcc])
        let n = r.readInt32()
        var sub = r.subReader(count: Int(n))
        XCTAssertEqual(sub.remaining, 2)
        XCTAssertEqual(sub.readUInt8(), 0xaa)
        _ = sub.readInt16()
        XCTAssertEqual(sub.error, .truncated(what: "int16", offset: 5, needed: 2, available: 1))
        XCTAssertEqual(r.readUInt8(), 0xcc)
        XCTAssertNil(r.error)
        var past = r.subReader(count: 1)
        XCTAssertEqual(past.remaining, 0)
        XCTAssertEqual(past.readInt8(), 0)
        XCTAssertNotNil(r.error)
    }

    /// Every prefix of a valid encoding ends in an error, never a trap.
    func testDripFeedTruncationAlwaysErrors() throws {
        var w = ByteWriter()
        w.writeInt32(7)
        try w.writeString("topic", compact: true)
        w.writeVarlong(-123_456_789)
        w.writeArray(["x", "yy"], compact: false) { try! $0.writeString($1) }
        w.writeTaggedFields([TaggedField(tag: 1, data: [1, 2])])
        w.writeBytes([1, 2, 3, 4], compact: true)
        let full = w.bytes
        func decode(_ b: [UInt8]) throws {
            var r = ByteReader(b)
            _ = r.readInt32()
            _ = r.readString(compact: true)
            _ = r.readVarlong()
            _ = r.readArray(compact: false) { $0.readString() }
            r.skipTaggedFields()
            _ = r.readBytes(compact: true)
            try r.finish()
        }
        try decode(full)
        for cut in 0..<full.count {
            XCTAssertThrowsError(try decode(Array(full[0..<cut])), "prefix \(cut)")
        }
    }

    func testHexHelpers() {
        XCTAssertEqual([UInt8](hex: "00 ff:10_Ab\n"), [0, 255, 16, 0xab])
        XCTAssertNil([UInt8](hex: "0"))
        XCTAssertNil([UInt8](hex: "zz"))
        let dump = Array("Kafka protocol!!xyz".utf8).hexDump
        XCTAssertTrue(dump.hasPrefix("00000000  4b 61 66 6b 61 20 70 72  6f 74 6f 63 6f 6c 21 21  |Kafka protocol!!|"), dump)
        XCTAssertTrue(dump.hasSuffix("|xyz|"))
    }

    func testApiKeyNames() {
        XCTAssertEqual(ApiKey.apiVersions.rawValue, 18)
        XCTAssertEqual(ApiKey.apiVersions.description, "ApiVersions(18)")
        XCTAssertEqual(ApiKey(rawValue: 75), .describeTopicPartitions)
        for key in ApiKey.allCases { XCTAssertFalse(key.name.isEmpty) }
    }
}
