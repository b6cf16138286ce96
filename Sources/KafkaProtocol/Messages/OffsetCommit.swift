// OffsetCommit (key 8): store consumed offsets with the group coordinator.

/// Commits offsets for a group. Value type; any thread.
public struct OffsetCommitRequest: KafkaRequest {
    public typealias Response = OffsetCommitResponse
    public static let api = ApiSpec.offsetCommit

    public struct Partition: WireStruct {
        public var partitionIndex: Int32 = 0
        public var committedOffset: Int64 = 0
        public var committedLeaderEpoch: Int32 = -1
        public var committedMetadata: String? = ""
        public init() {}
        public init(partitionIndex: Int32, committedOffset: Int64, committedLeaderEpoch: Int32 = -1,
                    committedMetadata: String? = "") {
            self.partitionIndex = partitionIndex
            self.committedOffset = committedOffset
            self.committedLeaderEpoch = committedLeaderEpoch
            self.committedMetadata = committedMetadata
        }
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.int32(&partitionIndex)
            c.int64(&committedOffset)
            if v >= 6 { c.int32(&committedLeaderEpoch) }
            c.nullableString(&committedMetadata)
            c.noTaggedFields()
        }
    }

    public typealias Topic = NamedTopic<Partition>

    public var groupId = ""
    /// The generation (or, for the new consumer protocol, the member epoch); -1 outside a
    /// generation.
    public var generationIdOrMemberEpoch: Int32 = -1
    public var memberId = ""
    public var groupInstanceId: String? = nil
    /// Used in v2–4 only; -1 means the broker's default retention.
    public var retentionTimeMs: Int64 = -1
    public var topics: [Topic] = []

    public init() {}

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
    public static let api = ApiSpec.offsetCommit

    public struct Partition: WireStruct {
        public var partitionIndex: Int32 = 0
        public var errorCode: Int16 = 0
        public init() {}
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.int32(&partitionIndex)
            c.int16(&errorCode)
            c.noTaggedFields()
        }
    }

    public typealias Topic = NamedTopic<Partition>

    public var throttleTimeMs: Int32 = 0
    public var topics: [Topic] = []

    public init() {}

    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        if v >= 3 { c.int32(&throttleTimeMs) }
        c.structs(&topics, version: v)
        c.noTaggedFields()
    }
}
