@testable import KafkaProtocol
@testable import KafkaCompression

/// Decompression bombs: small record batches whose records section decompresses to a lot of
/// minimal records. Each is built from one compressed chunk repeated (gzip members, xerial
/// chunks, LZ4 frames and zstd frames may all follow one another), so a bomb of any size costs
/// only one small compression to make.
enum Bomb {
    /// The smallest record: length 6, attributes 0, timestamp delta 0, offset delta 0, null
    /// key, null value, no headers.
    static let minimalRecord: [UInt8] = [0x0C, 0x00, 0x00, 0x00, 0x01, 0x01, 0x00]

    /// `count` minimal records.
    static func records(_ count: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count * minimalRecord.count)
        for _ in 0..<count { out += minimalRecord }
        return out
    }

    /// The compressed form of `chunks` copies of `chunkRecords` minimal records.
    static func payload(_ codec: CompressionCodec, chunkRecords: Int, chunks: Int) throws -> [UInt8] {
        try repeated(codec, records(chunkRecords), times: chunks)
    }

    /// `plain` compressed once with `codec`, the result repeated to decompress to `times`
    /// copies of `plain`.
    static func repeated(_ codec: CompressionCodec, _ plain: [UInt8], times: Int) throws -> [UInt8] {
        switch codec {
        case .none:
            return [UInt8]((0..<times).map { _ in plain }.joined())
        case .snappy:
            // One xerial header, then the chunk's blocks again and again.
            let framed = Snappy.compressFramed(plain)
            let body = framed[Snappy.xerialHeaderSize...]
            return Array(framed.prefix(Snappy.xerialHeaderSize)) + [UInt8]((0..<times).map { _ in body }.joined())
        default:
            let one = try codec.compress(plain)
            return [UInt8]((0..<times).map { _ in one }.joined())
        }
    }

    /// A v2 batch at `baseOffset` holding `chunks × chunkRecords` minimal records compressed with `codec`.
    static func batch(_ codec: CompressionCodec, chunkRecords: Int, chunks: Int, baseOffset: Int64 = 0) throws -> [UInt8] {
        let count = chunkRecords * chunks
        return v2Batch(baseOffset: baseOffset, attributes: Int16(codec.rawValue), lastOffsetDelta: Int32(count - 1),
                       count: Int32(count), payload: try payload(codec, chunkRecords: chunkRecords, chunks: chunks))
    }

    /// A legacy v1 wrapper message whose value is `payload`, compressed with `codec`.
    static func legacyWrapper(_ codec: CompressionCodec, payload: [UInt8], offset: Int64 = 0) -> [UInt8] {
        LegacyMessageSetTests.message(offset: offset, magic: 1, attributes: Int8(codec.rawValue), key: nil, value: payload)
    }

    /// `count` minimal legacy v1 messages (offsets from 0): the inner message set of a wrapper.
    static func legacyInner(_ count: Int) -> [UInt8] {
        var one = ByteWriter()
        one.writeInt8(1)
        one.writeInt8(0)
        one.writeInt64(0)
        one.writeNullableBytes(nil)
        one.writeNullableBytes(nil)
        var message = ByteWriter()
        message.writeInt64(0)
        message.writeInt32(Int32(4 + one.count))
        message.writeUInt32(CRC32.checksum(one.bytes))
        message.writeRaw(one.bytes)
        return [UInt8]((0..<count).map { _ in message.bytes }.joined())
    }
}

/// A v2 batch around `payload` with the given header fields; length and CRC computed.
func v2Batch(baseOffset: Int64 = 0, leaderEpoch: Int32 = -1, magic: Int8 = 2, attributes: Int16 = 0,
             lastOffsetDelta: Int32 = 0, baseTimestamp: Int64 = 0, maxTimestamp: Int64 = 0, producerId: Int64 = -1,
             producerEpoch: Int16 = -1, baseSequence: Int32 = -1, count: Int32, payload: [UInt8]) -> [UInt8] {
    var out = ByteWriter(capacity: BatchLayout.headerSize + payload.count)
    out.writeInt64(baseOffset)
    out.writeInt32(Int32(truncatingIfNeeded: BatchLayout.headerSize - BatchLayout.logOverhead + payload.count))
    out.writeInt32(leaderEpoch)
    out.writeInt8(magic)
    out.writeUInt32(0)
    out.writeInt16(attributes)
    out.writeInt32(lastOffsetDelta)
    out.writeInt64(baseTimestamp)
    out.writeInt64(maxTimestamp)
    out.writeInt64(producerId)
    out.writeInt16(producerEpoch)
    out.writeInt32(baseSequence)
    out.writeInt32(count)
    out.writeRaw(payload)
    var bytes = out.take()
    patchV2CRC(&bytes, at: 0)
    return bytes
}

/// Recomputes the CRC-32C of the v2 batch at `start` of `bytes`, as far as its length says
/// (or to the end of `bytes`, whichever comes first).
func patchV2CRC(_ bytes: inout [UInt8], at start: Int) {
    guard bytes.count - start >= BatchLayout.headerSize else { return }
    let length = Int(Int32(bitPattern: UInt32(bytes[start + 8]) << 24 | UInt32(bytes[start + 9]) << 16
                                       | UInt32(bytes[start + 10]) << 8 | UInt32(bytes[start + 11])))
    let end = min(bytes.count, start + BatchLayout.logOverhead + max(length, 0))
    guard end > start + BatchLayout.attributesOffset else { return }
    let crc = bytes.withUnsafeBytes { raw in
        CRC32C.update(0, UnsafeRawBufferPointer(rebasing: raw[(start + BatchLayout.attributesOffset)..<end]))
    }
    for i in 0..<4 { bytes[start + BatchLayout.crcOffset + i] = UInt8(truncatingIfNeeded: crc >> (24 - 8 * i)) }
}
