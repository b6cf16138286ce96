/// Builds one v2 record batch for a produce request. Records are encoded into one growing
/// buffer as they are appended (no per-record allocation beyond the caller's own bytes);
/// `build()` compresses that buffer and writes the header and CRC.
///
/// A plain value type: use it on one thread at a time (the producer's loop thread).
public struct RecordBatchBuilder: Sendable {
    /// The codec `build()` compresses the records with.
    public let compression: CompressionCodec
    /// The base offset written into the batch; brokers assign the real offsets, so 0 will do.
    public var baseOffset: Int64
    /// The leader epoch written into the batch; -1 for a producer.
    public var partitionLeaderEpoch: Int32
    /// The idempotent producer's id; -1 for none.
    public var producerId: Int64
    /// That producer id's epoch; -1 for none.
    public var producerEpoch: Int16
    /// The first record's sequence number for idempotence; -1 for none.
    public var baseSequence: Int32
    /// Whether the batch belongs to a transaction.
    public var isTransactional: Bool
    /// Whether it is a control batch (a transaction marker, written by brokers; for tests of
    /// consumers that read them).
    public var isControl = false

    /// The batch as it will go out: a header-sized gap (filled in by `finish`/`build`), then
    /// the records, so an uncompressed batch is finished in place rather than copied.
    private var body: ByteWriter
    /// Records appended so far.
    public private(set) var count: Int = 0
    /// The first record's timestamp, in milliseconds since the epoch; 0 before any record.
    public private(set) var baseTimestamp: Int64 = 0
    /// The largest timestamp appended, in milliseconds since the epoch; 0 before any record.
    public private(set) var maxTimestamp: Int64 = 0

    /// An empty batch; `capacity` is the initial size of the record buffer in bytes.
    public init(compression: CompressionCodec = .none, baseOffset: Int64 = 0, partitionLeaderEpoch: Int32 = -1,
                producerId: Int64 = -1, producerEpoch: Int16 = -1, baseSequence: Int32 = -1,
                isTransactional: Bool = false, capacity: Int = 16 * 1024) {
        self.compression = compression
        self.baseOffset = baseOffset
        self.partitionLeaderEpoch = partitionLeaderEpoch
        self.producerId = producerId
        self.producerEpoch = producerEpoch
        self.baseSequence = baseSequence
        self.isTransactional = isTransactional
        body = Self.emptyBody(capacity: capacity)
    }

    private static func emptyBody(capacity: Int) -> ByteWriter {
        var body = ByteWriter(capacity: max(capacity, BatchLayout.headerSize))
        body.writeZeros(BatchLayout.headerSize)
        return body
    }

    /// Encoded size of the records so far plus the header, before compression: the figure
    /// to compare with a batch size limit.
    public var uncompressedSize: Int { body.count }

    /// The bytes one more record would add (before compression).
    public func sizeOfRecord(timestamp: Int64, key: [UInt8]?, value: [UInt8]?, headers: [RecordHeader] = []) -> Int {
        let bodySize = recordBodySize(timestamp: timestamp, key: key, value: value, headers: headers)
        return RecordSize.varint(Int64(bodySize)) + bodySize
    }

    private func recordBodySize(timestamp: Int64, key: [UInt8]?, value: [UInt8]?, headers: [RecordHeader]) -> Int {
        let delta = count == 0 ? 0 : timestamp &- baseTimestamp
        var size = 1 + RecordSize.varint(delta) + RecordSize.varint(Int64(count))
        size += RecordSize.bytes(key?.count) + RecordSize.bytes(value?.count)
        size += RecordSize.varint(Int64(headers.count))
        for h in headers {
            size += RecordSize.bytes(h.key.utf8.count) + RecordSize.bytes(h.value?.count)
        }
        return size
    }

    /// Appends a record; its offset is `baseOffset + count`.
    public mutating func append(timestamp: Int64, key: [UInt8]?, value: [UInt8]?, headers: [RecordHeader] = []) {
        if count == 0 {
            baseTimestamp = timestamp
            maxTimestamp = timestamp
        } else if timestamp > maxTimestamp {
            maxTimestamp = timestamp
        }
        let size = recordBodySize(timestamp: timestamp, key: key, value: value, headers: headers)
        body.writeVarint(Int32(truncatingIfNeeded: size))
        body.writeInt8(0)
        body.writeVarlong(timestamp &- baseTimestamp)
        body.writeVarint(Int32(truncatingIfNeeded: count))
        writeVarintBytes(key)
        writeVarintBytes(value)
        body.writeVarint(Int32(truncatingIfNeeded: headers.count))
        for h in headers {
            body.writeVarint(Int32(truncatingIfNeeded: h.key.utf8.count))
            body.writeRaw(h.key.utf8)
            writeVarintBytes(h.value)
        }
        count += 1
    }

    private mutating func writeVarintBytes(_ bytes: [UInt8]?) {
        guard let bytes else {
            body.writeVarint(-1)
            return
        }
        body.writeVarint(Int32(truncatingIfNeeded: bytes.count))
        body.writeRaw(bytes)
    }

    /// The finished batch: header, CRC-32C, and the records compressed with `compression`.
    /// The builder stays as it was (an uncompressed batch is copied out; `finish` is not).
    public func build() throws(CompressionError) -> [UInt8] {
        var copy = self
        return try copy.finish()
    }

    /// The finished batch, as `build` makes it, handing over the builder's buffer: without
    /// compression the header is written into the gap before the records and nothing is
    /// copied. The builder is empty afterwards, as after `reset`.
    public mutating func finish() throws(CompressionError) -> [UInt8] {
        var out: ByteWriter
        if compression == .none {
            out = body
            body = ByteWriter(capacity: 0)
        } else {
            let payload = try compression.compress(Array(body.bytes[BatchLayout.headerSize...]))
            out = ByteWriter(capacity: BatchLayout.headerSize + payload.count)
            out.writeZeros(BatchLayout.headerSize)
            out.writeRaw(payload)
        }
        var header = ByteWriter(capacity: BatchLayout.headerSize)
        header.writeInt64(baseOffset)
        header.writeInt32(Int32(truncatingIfNeeded: out.count - BatchLayout.logOverhead))
        header.writeInt32(partitionLeaderEpoch)
        header.writeInt8(2)
        header.writeUInt32(0)
        var attributes = Int16(compression.rawValue)
        if isTransactional { attributes |= BatchAttributes.transactional }
        if isControl { attributes |= BatchAttributes.control }
        header.writeInt16(attributes)
        header.writeInt32(Int32(truncatingIfNeeded: max(0, count - 1)))
        header.writeInt64(baseTimestamp)
        header.writeInt64(maxTimestamp)
        header.writeInt64(producerId)
        header.writeInt16(producerEpoch)
        header.writeInt32(baseSequence)
        header.writeInt32(Int32(truncatingIfNeeded: count))
        out.patchBytes(header.bytes, at: 0)
        let crc = out.bytes.withUnsafeBytes { raw in
            CRC32C.update(0, UnsafeRawBufferPointer(rebasing: raw[BatchLayout.attributesOffset...]))
        }
        out.patchUInt32(crc, at: BatchLayout.crcOffset)
        reset()
        return out.take()
    }

    /// Empties the builder for the next batch, keeping its buffer's capacity.
    public mutating func reset() {
        body = Self.emptyBody(capacity: max(256, body.count))
        count = 0
        baseTimestamp = 0
        maxTimestamp = 0
    }
}

/// Encoded sizes of record fields (zig-zag varints and varint-length byte strings).
enum RecordSize {
    @inline(__always)
    static func varint(_ v: Int64) -> Int {
        let zigzag = UInt64(bitPattern: (v << 1) ^ (v >> 63))
        return max(1, (64 - zigzag.leadingZeroBitCount + 6) / 7)
    }

    /// A varint length followed by the bytes, or -1 for null.
    @inline(__always)
    static func bytes(_ count: Int?) -> Int {
        guard let count else { return 1 }
        return varint(Int64(count)) + count
    }
}
