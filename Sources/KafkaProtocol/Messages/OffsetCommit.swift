// OffsetCommit (key 8): store consumed offsets with the group coordinator.

/// Commits offsets for a group. Value type; any thread.
public struct OffsetCommitRequest: KafkaRequest {
    /// The body the broker answers with.
    public typealias Response = OffsetCommitResponse
    /// The API's row in `ApiSpec`.
    public static let api = ApiSpec.offsetCommit

    /// The offset to commit for one partition.
    public struct Partition: WireStruct {
        /// The partition number.
        public var partitionIndex: Int32 = 0
        /// The offset of the next record to consume (not the last one consumed).
        public var committedOffset: Int64 = 0
        /// The leader epoch of the last record consumed (v6+); -1 if unknown.
        public var committedLeaderEpoch: Int32 = -1
        /// Free text stored with the offset; nil for none.
        public var committedMetadata: String? = ""
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// Commits `committedOffset` for `partitionIndex`.
        public init(partitionIndex: Int32, committedOffset: Int64, committedLeaderEpoch: Int32 = -1,
                    committedMetadata: String? = "") {
            self.partitionIndex = partitionIndex
            self.committedOffset = committedOffset
            self.committedLeaderEpoch = committedLeaderEpoch
            self.committedMetadata = committedMetadata
        }
        /// Its fields in wire order at `v`, for `c` to write or read.
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.int32(&partitionIndex)
            c.int64(&committedOffset)
            if v >= 6 { c.int32(&committedLeaderEpoch) }
            c.nullableString(&committedMetadata)
            c.noTaggedFields()
        }
    }

    /// A topic by name with its partitions.
    public typealias Topic = NamedTopic<Partition>

    /// The group committing.
    public var groupId = ""
    /// The generation (or, for the new consumer protocol, the member epoch); -1 outside a
    /// generation.
    public var generationIdOrMemberEpoch: Int32 = -1
    /// The committing member's id (v1+); "" outside a generation.
    public var memberId = ""
    /// A static member's instance id (KIP-345); nil for a dynamic member.
    public var groupInstanceId: String? = nil
    /// Used in v2–4 only; -1 means the broker's default retention.
    public var retentionTimeMs: Int64 = -1
    /// The offsets to commit, by topic.
    public var topics: [Topic] = []

    /// Every field at its default; decoding starts from this.
    public init() {}

    /// Its fields in wire order at `v`, for `c` to write or read.
    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        c.string(&groupId)
        if v >= 1 {
            c.int32(&generationIdOrMemberEpoch)
            c.string(&memberId)
        }
        if v >= 7 { c.nullableString(&groupInstanceId) }
        if (2...4).contains(v) { c.int64(&retentionTimeMs) }
        c.structs(&topics, version: v)
        c.noTaggedFields()
    }
}

/// The outcome per partition of an offset commit. Value type; any thread.
public struct OffsetCommitResponse: KafkaResponse {
    /// The API's row in `ApiSpec`.
    public static let api = ApiSpec.offsetCommit

    /// The outcome for one partition.
    public struct Partition: WireStruct {
        /// The partition number.
        public var partitionIndex: Int32 = 0
        /// A Kafka error code: 0 if committed.
        public var errorCode: Int16 = 0
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// Its fields in wire order at `v`, for `c` to write or read.
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.int32(&partitionIndex)
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
        if v >= 3 { c.int32(&throttleTimeMs) }
        c.structs(&topics, version: v)
        c.noTaggedFields()
    }
}
