// ListOffsets (key 2): the offset for a timestamp, or the earliest (-2) / latest (-1) offset.

/// Looks up offsets by timestamp. Value type; any thread.
public struct ListOffsetsRequest: KafkaRequest {
    public typealias Response = ListOffsetsResponse
    public static let api = ApiSpec.listOffsets

    /// The special timestamps.
    public static let latestTimestamp: Int64 = -1
    public static let earliestTimestamp: Int64 = -2

    public struct Partition: WireStruct {
        public var partitionIndex: Int32 = 0
        public var currentLeaderEpoch: Int32 = -1
        public var timestamp: Int64 = 0
        public init() {}
        public init(partitionIndex: Int32, timestamp: Int64, currentLeaderEpoch: Int32 = -1) {
            self.partitionIndex = partitionIndex
            self.timestamp = timestamp
            self.currentLeaderEpoch = currentLeaderEpoch
        }
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.int32(&partitionIndex)
            if v >= 4 { c.int32(&currentLeaderEpoch) }
            c.int64(&timestamp)
            c.noTaggedFields()
        }
    }

    public typealias Topic = NamedTopic<Partition>

    public var replicaId: Int32 = -1
    public var isolationLevel: Int8 = 0
    public var topics: [Topic] = []
    public var timeoutMs: Int32 = 0

    public init() {}

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
    public static let api = ApiSpec.listOffsets

    public struct Partition: WireStruct {
        public var partitionIndex: Int32 = 0
        public var errorCode: Int16 = 0
        public var timestamp: Int64 = -1
        public var offset: Int64 = -1
        public var leaderEpoch: Int32 = -1
        public init() {}
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.int32(&partitionIndex)
            c.int16(&errorCode)
            c.int64(&timestamp)
            c.int64(&offset)
            if v >= 4 { c.int32(&leaderEpoch) }
            c.noTaggedFields()
        }
    }

    public typealias Topic = NamedTopic<Partition>

    public var throttleTimeMs: Int32 = 0
    public var topics: [Topic] = []

    public init() {}

    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        if v >= 2 { c.int32(&throttleTimeMs) }
        c.structs(&topics, version: v)
        c.noTaggedFields()
    }
}
