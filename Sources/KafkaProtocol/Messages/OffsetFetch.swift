// OffsetFetch (key 9): read committed offsets. Up to v7 one group per request; from v8 a
// batch of groups.

/// Fetches committed offsets of one group (v1–7) or several (v8+). `topics == nil` asks for
/// every partition the group has committed (v2+). Value type; any thread.
public struct OffsetFetchRequest: KafkaRequest {
    /// The body the broker answers with.
    public typealias Response = OffsetFetchResponse
    /// The API's row in `ApiSpec`.
    public static let api = ApiSpec.offsetFetch

    /// A topic and the partitions asked about.
    public struct Topic: WireStruct {
        /// The topic's name.
        public var name = ""
        /// The partition numbers.
        public var partitionIndexes: [Int32] = []
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// The partitions `partitionIndexes` of `name`.
        public init(name: String, partitionIndexes: [Int32]) {
            self.name = name
            self.partitionIndexes = partitionIndexes
        }
        /// Its fields in wire order at `v`, for `c` to write or read.
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.string(&name)
            c.int32s(&partitionIndexes)
            c.noTaggedFields()
        }
    }

    /// One group and the partitions asked about (v8+).
    public struct Group: WireStruct {
        /// The group.
        public var groupId = ""
        /// The member asking (v9+, new consumer protocol); nil otherwise.
        public var memberId: String? = nil
        /// The member's epoch (v9+); -1 otherwise.
        public var memberEpoch: Int32 = -1
        /// The partitions asked about; nil for all the group has committed.
        public var topics: [Topic]? = nil
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// Asks `groupId` about `topics` (nil: all).
        public init(groupId: String, topics: [Topic]?) {
            self.groupId = groupId
            self.topics = topics
        }
        /// Its fields in wire order at `v`, for `c` to write or read.
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.string(&groupId)
            if v >= 9 {
                c.nullableString(&memberId)
                c.int32(&memberEpoch)
            }
            c.nullableStructs(&topics, version: v)
            c.noTaggedFields()
        }
    }

    /// Used up to v7.
    public var groupId = ""
    /// Used up to v7.
    public var topics: [Topic]? = []
    /// Used from v8.
    public var groups: [Group] = []
    /// Wait for pending transactional commits instead of answering without them (v7+).
    public var requireStable = false

    /// Every field at its default; decoding starts from this.
    public init() {}

    /// Its fields in wire order at `v`, for `c` to write or read.
    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        if v <= 7 {
            c.string(&groupId)
            c.structs(&topics, nullable: v >= 2, version: v)
        } else {
            c.structs(&groups, version: v)
        }
        if v >= 7 { c.bool(&requireStable) }
        c.noTaggedFields()
    }
}

/// Committed offsets per partition (v1–7) or per group (v8+). Value type; any thread.
public struct OffsetFetchResponse: KafkaResponse {
    /// The API's row in `ApiSpec`.
    public static let api = ApiSpec.offsetFetch

    /// The committed offset of one partition.
    public struct Partition: WireStruct {
        /// The partition number.
        public var partitionIndex: Int32 = 0
        /// The offset committed; -1 if none.
        public var committedOffset: Int64 = -1
        /// The leader epoch committed with it (v5+); -1 if unknown.
        public var committedLeaderEpoch: Int32 = -1
        /// The free text committed with it.
        public var metadata: String? = ""
        /// A Kafka error code for this partition.
        public var errorCode: Int16 = 0
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// Its fields in wire order at `v`, for `c` to write or read.
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.int32(&partitionIndex)
            c.int64(&committedOffset)
            if v >= 5 { c.int32(&committedLeaderEpoch) }
            c.nullableString(&metadata)
            c.int16(&errorCode)
            c.noTaggedFields()
        }
    }

    /// A topic by name with its partitions.
    public typealias Topic = NamedTopic<Partition>

    /// One group's committed offsets (v8+).
    public struct Group: WireStruct {
        /// The group.
        public var groupId = ""
        /// The committed offsets, by topic.
        public var topics: [Topic] = []
        /// A group-level Kafka error code.
        public var errorCode: Int16 = 0
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// Its fields in wire order at `v`, for `c` to write or read.
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.string(&groupId)
            c.structs(&topics, version: v)
            c.int16(&errorCode)
            c.noTaggedFields()
        }
    }

    /// How long the broker held the answer back for a quota, in milliseconds (0: not throttled).
    public var throttleTimeMs: Int32 = 0
    /// Used up to v7.
    public var topics: [Topic] = []
    /// Used in v2–7.
    public var errorCode: Int16 = 0
    /// Used from v8.
    public var groups: [Group] = []

    /// Every field at its default; decoding starts from this.
    public init() {}

    /// Its fields in wire order at `v`, for `c` to write or read.
    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        if v >= 3 { c.int32(&throttleTimeMs) }
        if v <= 7 {
            c.structs(&topics, version: v)
            if v >= 2 { c.int16(&errorCode) }
        } else {
            c.structs(&groups, version: v)
        }
        c.noTaggedFields()
    }
}
