/// One Kafka record as the user sees it, with its absolute offset and timestamp.
///
/// A decoded record does not own its key and value: `keyBytes` and `valueBytes` are views into
/// the bytes it was decoded from (a fetch answer's record bytes, or a decompressed batch), so
/// decoding copies nothing per record. `key` and `value` copy the bytes out into arrays of
/// their own. A view, and the record itself, keeps those whole bytes alive, up to a fetch's
/// size: copy out what is kept for long.
///
/// Plain value; any thread may use it.
public struct Record: Hashable, Sendable {
    /// The record's offset in its partition.
    public var offset: Int64
    /// Milliseconds since the epoch (create time or log-append time: see the batch).
    public var timestamp: Int64
    /// The headers, in order; keys may repeat.
    public var headers: [RecordHeader]

    /// The bytes the key and value lie in.
    @usableFromInline var storage: [UInt8]
    /// Where the key starts in `storage`, and its length; -1 for none.
    @usableFromInline var keyStart: Int32
    @usableFromInline var keyCount: Int32
    /// Where the value starts in `storage`, and its length; -1 for none.
    @usableFromInline var valueStart: Int32
    @usableFromInline var valueCount: Int32

    /// A record with these fields. Key and value are copied into one buffer; each holds at
    /// most `Int32.max` bytes, as on the wire.
    public init(offset: Int64, timestamp: Int64, key: [UInt8]?, value: [UInt8]?, headers: [RecordHeader] = []) {
        self.offset = offset
        self.timestamp = timestamp
        self.headers = headers
        var joined = key ?? []
        joined += value ?? []
        storage = joined
        keyStart = 0
        keyCount = key.map { Int32($0.count) } ?? -1
        valueStart = key.map { Int32($0.count) } ?? 0
        valueCount = value.map { Int32($0.count) } ?? -1
    }

    /// A record whose key and value lie in `storage` (the decoder's way: no copy). A count of
    /// -1 is none; the ranges must lie inside `storage`.
    init(offset: Int64, timestamp: Int64, storage: [UInt8], keyStart: Int32, keyCount: Int32,
         valueStart: Int32, valueCount: Int32, headers: [RecordHeader]) {
        self.offset = offset
        self.timestamp = timestamp
        self.headers = headers
        self.storage = storage
        self.keyStart = keyStart
        self.keyCount = keyCount
        self.valueStart = valueStart
        self.valueCount = valueCount
    }

    /// The key, without copying it: a view into the bytes the record was decoded from (its
    /// indices are theirs, so count from `startIndex`); nil for none (unkeyed records).
    @inlinable public var keyBytes: ArraySlice<UInt8>? {
        keyCount < 0 ? nil : storage[Int(keyStart)..<(Int(keyStart) + Int(keyCount))]
    }

    /// The value, without copying it: a view into the bytes the record was decoded from (its
    /// indices are theirs, so count from `startIndex`); nil for none (a tombstone in a
    /// compacted topic).
    @inlinable public var valueBytes: ArraySlice<UInt8>? {
        valueCount < 0 ? nil : storage[Int(valueStart)..<(Int(valueStart) + Int(valueCount))]
    }

    /// The key, copied into an array of its own; nil for none (unkeyed records). Setting it
    /// copies the key and the value into a new buffer.
    public var key: [UInt8]? {
        get { keyBytes.map { Array($0) } }
        set { self = Record(offset: offset, timestamp: timestamp, key: newValue, value: value, headers: headers) }
    }

    /// The value, copied into an array of its own; nil for none (a tombstone in a compacted
    /// topic). Setting it copies the key and the value into a new buffer.
    public var value: [UInt8]? {
        get { valueBytes.map { Array($0) } }
        set { self = Record(offset: offset, timestamp: timestamp, key: key, value: newValue, headers: headers) }
    }

    /// Records are equal when their offsets, timestamps, keys, values and headers are, wherever
    /// their bytes lie.
    public static func == (a: Record, b: Record) -> Bool {
        a.offset == b.offset && a.timestamp == b.timestamp && a.keyBytes == b.keyBytes
            && a.valueBytes == b.valueBytes && a.headers == b.headers
    }

    /// Hashes what `==` compares.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(offset)
        hasher.combine(timestamp)
        hasher.combine(keyBytes)
        hasher.combine(valueBytes)
        hasher.combine(headers)
    }
}

extension Record: CustomStringConvertible {
    /// The fields a user sees (not the bytes around them): offset, timestamp, key, value, headers.
    public var description: String {
        "Record(offset: \(offset), timestamp: \(timestamp), key: \(key.map { "\($0)" } ?? "nil"), "
            + "value: \(value.map { "\($0)" } ?? "nil"), headers: \(headers))"
    }
}

/// A record header: a string key and an optional byte value (message format v2 only).
///
/// Plain value; any thread may use it.
public struct RecordHeader: Equatable, Hashable, Sendable {
    /// The header's name.
    public var key: String
    /// The header's value; nil for none.
    public var value: [UInt8]?

    /// The header `key` with `value`.
    public init(key: String, value: [UInt8]?) {
        self.key = key
        self.value = value
    }
}

/// What a record's timestamp means: set by the producer, or by the broker on append.
public enum TimestampType: Int8, Sendable {
    case createTime = 0
    case logAppendTime = 1
}

/// A decoded batch: the v2 batch header (legacy v0/v1 message sets are mapped onto it, one
/// batch per top-level message) and its records with absolute offsets.
///
/// Plain value; any thread may use it.
public struct RecordBatch: Equatable, Hashable, Sendable {
    /// The offset of the batch's first record.
    public var baseOffset: Int64
    /// The leader epoch the batch was appended in; -1 if unknown.
    public var partitionLeaderEpoch: Int32
    /// 2 for a v2 batch; 0 or 1 for a legacy message (set).
    public var magic: Int8
    /// How the records were compressed on the wire (already undone here).
    public var compression: CompressionCodec
    /// Whether the timestamps are the producer's or the broker's.
    public var timestampType: TimestampType
    /// Whether the batch belongs to a transaction.
    public var isTransactional: Bool
    /// Whether it is a control batch (a transaction commit or abort marker), not user data.
    public var isControl: Bool
    /// The last record's offset minus `baseOffset`.
    public var lastOffsetDelta: Int32
    /// The first record's timestamp, in milliseconds since the epoch.
    public var baseTimestamp: Int64
    /// The batch's largest timestamp, in milliseconds since the epoch.
    public var maxTimestamp: Int64
    /// The idempotent producer's id; -1 for none.
    public var producerId: Int64
    /// That producer id's epoch; -1 for none.
    public var producerEpoch: Int16
    /// The first record's sequence number for idempotence; -1 for none.
    public var baseSequence: Int32
    /// The records, with absolute offsets and timestamps.
    public var records: [Record]

    /// The offset of the batch's last record (also right for batches compacted to fewer records).
    /// Saturates: a hostile base offset near Int64.max must not wrap to a negative offset.
    public var lastOffset: Int64 {
        let (sum, overflow) = baseOffset.addingReportingOverflow(Int64(lastOffsetDelta))
        return overflow ? (lastOffsetDelta < 0 ? .min : .max) : sum
    }
    /// Where the next fetch should start once this batch is consumed; stays at Int64.max
    /// after a batch that ends there, rather than wrapping to Int64.min (which a consumer
    /// would ignore, and fetch the same batch again and again).
    public var nextOffset: Int64 { lastOffset == .max ? .max : lastOffset + 1 }

    /// A batch with these fields (for tests and builders); legacy messages use `magic` 0 or 1.
    public init(baseOffset: Int64, partitionLeaderEpoch: Int32 = -1, magic: Int8 = 2,
                compression: CompressionCodec = .none, timestampType: TimestampType = .createTime,
                isTransactional: Bool = false, isControl: Bool = false, lastOffsetDelta: Int32,
                baseTimestamp: Int64, maxTimestamp: Int64, producerId: Int64 = -1, producerEpoch: Int16 = -1,
                baseSequence: Int32 = -1, records: [Record]) {
        self.baseOffset = baseOffset
        self.partitionLeaderEpoch = partitionLeaderEpoch
        self.magic = magic
        self.compression = compression
        self.timestampType = timestampType
        self.isTransactional = isTransactional
        self.isControl = isControl
        self.lastOffsetDelta = lastOffsetDelta
        self.baseTimestamp = baseTimestamp
        self.maxTimestamp = maxTimestamp
        self.producerId = producerId
        self.producerEpoch = producerEpoch
        self.baseSequence = baseSequence
        self.records = records
    }
}

/// Bit layout of the v2 batch attributes (int16).
enum BatchAttributes {
    static let compressionMask: Int16 = 0x07
    static let logAppendTime: Int16 = 0x08
    static let transactional: Int16 = 0x10
    static let control: Int16 = 0x20
}

/// Fixed sizes of the v2 batch header.
enum BatchLayout {
    /// baseOffset + batchLength: the part before what batchLength counts.
    static let logOverhead = 12
    /// Everything from baseOffset through the records count.
    static let headerSize = 61
    static let magicOffset = 16
    static let crcOffset = 17
    /// The CRC covers attributes through the end of the batch.
    static let attributesOffset = 21
    /// The smallest encoding of one record: seven one-byte fields.
    static let minRecordSize = 7
}
