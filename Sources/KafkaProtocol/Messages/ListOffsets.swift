// ListOffsets (key 2): the offset for a timestamp, or the earliest (-2) / latest (-1) offset.

/// Looks up offsets by timestamp. Value type; any thread.
public struct ListOffsetsRequest: KafkaRequest {
    /// The body the broker answers with.
    public typealias Response = ListOffsetsResponse
    /// The API's row in `ApiSpec`.
    public static let api = ApiSpec.listOffsets

    /// The special timestamps.
    public static let latestTimestamp: Int64 = -1
    /// The special timestamp that asks for the earliest offset.
    public static let earliestTimestamp: Int64 = -2

    /// One partition and the time to look up.
    public struct Partition: WireStruct {
        /// The partition number.
        public var partitionIndex: Int32 = 0
        /// The leader epoch this client knows, so that the broker can refuse a stale one; -1: do not check.
        public var currentLeaderEpoch: Int32 = -1
        /// Milliseconds since the epoch, or `latestTimestamp` / `earliestTimestamp`.
        public var timestamp: Int64 = 0
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// Looks up `timestamp` in `partitionIndex`.
        public init(partitionIndex: Int32, timestamp: Int64, currentLeaderEpoch: Int32 = -1) {
            self.partitionIndex = partitionIndex
            self.timestamp = timestamp
            self.currentLeaderEpoch = currentLeaderEpoch
        }
        /// Its fields in wire order at `v`, for `c` to write or read.
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.int32(&partitionIndex)
            if v >= 4 { c.int32(&currentLeaderEpoch) }
            c.int64(&timestamp)
            c.noTaggedFields()
        }
    }

    /// A topic by name with its partitions.
    public typealias Topic = NamedTopic<Partition>

    /// The asking broker's id; -1 for consumers.
    public var replicaId: Int32 = -1
    /// 0: read uncommitted, 1: read committed (v2+); read committed stops at the last stable offset.
    public var isolationLevel: Int8 = 0
    /// The partitions to look up, by topic.
    public var topics: [Topic] = []
    /// How long the broker may take for the lookup, in milliseconds (v10+).
    public var timeoutMs: Int32 = 0

    /// Every field at its default; decoding starts from this.
    public init() {}

    /// Its fields in wire order at `v`, for `c` to write or read.
    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        c.int32(&replicaId)
        if v >= 2 { c.int8(&isolationLevel) }
        c.structs(&topics, version: v)
        if v >= 10 { c.int32(&timeoutMs) }
        c.noTaggedFields()
    }
}

/// The offsets found per partition. Value type; any thread.
public struct ListOffsetsResponse: KafkaResponse {
    /// The API's row in `ApiSpec`.
    public static let api = ApiSpec.listOffsets

    /// The offset found for one partition.
    public struct Partition: WireStruct {
        /// The partition number.
        public var partitionIndex: Int32 = 0
        /// A Kafka error code: 0 for none, else see `KafkaErrorCode`.
        public var errorCode: Int16 = 0
        /// The timestamp of the record found; -1 for the special lookups.
        public var timestamp: Int64 = -1
        /// The first offset at or after the timestamp; -1 if none.
        public var offset: Int64 = -1
        /// The leader epoch of that offset (v4+); -1 if unknown.
        public var leaderEpoch: Int32 = -1
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// Its fields in wire order at `v`, for `c` to write or read.
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.int32(&partitionIndex)
            c.int16(&errorCode)
            c.int64(&timestamp)
            c.int64(&offset)
            if v >= 4 { c.int32(&leaderEpoch) }
            c.noTaggedFields()
        }
    }

    /// A topic by name with its partitions.
    public typealias Topic = NamedTopic<Partition>

    /// How long the broker held the answer back for a quota, in milliseconds (0: not throttled).
    public var throttleTimeMs: Int32 = 0
    /// The answers, by topic.
    public var topics: [Topic] = []

    /// Every field at its default; decoding starts from this.
    public init() {}

    /// Its fields in wire order at `v`, for `c` to write or read.
    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        if v >= 2 { c.int32(&throttleTimeMs) }
        c.structs(&topics, version: v)
        c.noTaggedFields()
    }
}
