// DeleteRecords (key 21): moves partitions' log start offsets forward. Sent to each
// partition's leader.

/// Deletes the records before given offsets. Value type; any thread.
public struct DeleteRecordsRequest: KafkaRequest {
    /// The body the broker answers with.
    public typealias Response = DeleteRecordsResponse
    /// The API's row in `ApiSpec`.
    public static let api = ApiSpec.deleteRecords

    /// One partition and the offset its records are deleted before.
    public struct Partition: WireStruct {
        /// The partition number.
        public var partitionIndex: Int32 = 0
        /// Records before this offset go; -1 for the high watermark (everything).
        public var offset: Int64 = 0
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// Deletes the records of partition `partitionIndex` before `offset`.
        public init(partitionIndex: Int32, offset: Int64) {
            self.partitionIndex = partitionIndex
            self.offset = offset
        }
        /// Its fields in wire order at `v`, for `c` to write or read.
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.int32(&partitionIndex)
            c.int64(&offset)
            c.noTaggedFields()
        }
    }

    /// A topic by name with its partitions.
    public typealias Topic = NamedTopic<Partition>

    /// The partitions, by topic.
    public var topics: [Topic] = []
    /// How long the broker waits for the deletion, in milliseconds.
    public var timeoutMs: Int32 = 30_000

    /// Every field at its default; decoding starts from this.
    public init() {}

    /// Its fields in wire order at `v`, for `c` to write or read.
    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        c.structs(&topics, version: v)
        c.int32(&timeoutMs)
        c.noTaggedFields()
    }
}

/// The outcome per partition. Value type; any thread.
public struct DeleteRecordsResponse: KafkaResponse {
    /// The API's row in `ApiSpec`.
    public static let api = ApiSpec.deleteRecords

    /// The outcome for one partition.
    public struct Partition: WireStruct {
        /// The partition number.
        public var partitionIndex: Int32 = 0
        /// The log start offset now; -1 on error.
        public var lowWatermark: Int64 = -1
        /// A Kafka error code: 0 if deleted, e.g. OFFSET_OUT_OF_RANGE past the high watermark.
        public var errorCode: Int16 = 0
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// Its fields in wire order at `v`, for `c` to write or read.
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.int32(&partitionIndex)
            c.int64(&lowWatermark)
            c.int16(&errorCode)
            c.noTaggedFields()
        }
    }

    /// A topic by name with its partitions.
    public typealias Topic = NamedTopic<Partition>

    /// How long the broker held the answer back for a quota, in milliseconds (0: not throttled).
    public var throttleTimeMs: Int32 = 0
    /// The outcomes, by topic.
    public var topics: [Topic] = []

    /// Every field at its default; decoding starts from this.
    public init() {}

    /// Its fields in wire order at `v`, for `c` to write or read.
    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        c.int32(&throttleTimeMs)
        c.structs(&topics, version: v)
        c.noTaggedFields()
    }
}
