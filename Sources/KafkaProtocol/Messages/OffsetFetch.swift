// OffsetFetch (key 9): read committed offsets. Up to v7 one group per request; from v8 a
// batch of groups.

/// Fetches committed offsets of one group (v1–7) or several (v8+). `topics == nil` asks for
/// every partition the group has committed (v2+). Value type; any thread.
public struct OffsetFetchRequest: KafkaRequest {
    public typealias Response = OffsetFetchResponse
    public static let api = ApiSpec.offsetFetch

    public struct Topic: WireStruct {
        public var name = ""
        public var partitionIndexes: [Int32] = []
        public init() {}
        public init(name: String, partitionIndexes: [Int32]) {
            self.name = name
            self.partitionIndexes = partitionIndexes
        }
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.string(&name)
            c.int32s(&partitionIndexes)
            c.noTaggedFields()
        }
    }

    public struct Group: WireStruct {
        public var groupId = ""
        public var memberId: String? = nil
        public var memberEpoch: Int32 = -1
        public var topics: [Topic]? = nil
        public init() {}
        public init(groupId: String, topics: [Topic]?) {
            self.groupId = groupId
            self.topics = topics
        }
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
    public var requireStable = false

    public init() {}

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
    public static let api = ApiSpec.offsetFetch

    public struct Partition: WireStruct {
        public var partitionIndex: Int32 = 0
        public var committedOffset: Int64 = -1
        public var committedLeaderEpoch: Int32 = -1
        public var metadata: String? = ""
        public var errorCode: Int16 = 0
        public init() {}
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.int32(&partitionIndex)
            c.int64(&committedOffset)
            if v >= 5 { c.int32(&committedLeaderEpoch) }
            c.nullableString(&metadata)
            c.int16(&errorCode)
            c.noTaggedFields()
        }
    }

    public typealias Topic = NamedTopic<Partition>

    public struct Group: WireStruct {
        public var groupId = ""
        public var topics: [Topic] = []
        public var errorCode: Int16 = 0
        public init() {}
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.string(&groupId)
            c.structs(&topics, version: v)
            c.int16(&errorCode)
            c.noTaggedFields()
        }
    }

    public var throttleTimeMs: Int32 = 0
    /// Used up to v7.
    public var topics: [Topic] = []
    /// Used in v2–7.
    public var errorCode: Int16 = 0
    /// Used from v8.
    public var groups: [Group] = []

    public init() {}

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
