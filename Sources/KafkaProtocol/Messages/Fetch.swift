// Fetch (key 1): read record batches from partitions. Topics are named up to v12 and
// identified by topic id from v13. `records` stays the raw bytes of the record batches; the
// record batch code decodes them.

/// Reads records from partitions. Value type; any thread.
public struct FetchRequest: KafkaRequest {
    public typealias Response = FetchResponse
    public static let api = ApiSpec.fetch

    public struct Partition: WireStruct {
        public var partition: Int32 = 0
        public var currentLeaderEpoch: Int32 = -1
        public var fetchOffset: Int64 = 0
        public var lastFetchedEpoch: Int32 = -1
        public var logStartOffset: Int64 = -1
        public var partitionMaxBytes: Int32 = 0
        public var replicaDirectoryId = KafkaUUID.zero
        public init() {}
        public init(partition: Int32, fetchOffset: Int64, partitionMaxBytes: Int32, currentLeaderEpoch: Int32 = -1) {
            self.partition = partition
            self.fetchOffset = fetchOffset
            self.partitionMaxBytes = partitionMaxBytes
            self.currentLeaderEpoch = currentLeaderEpoch
        }
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.int32(&partition)
            if v >= 9 { c.int32(&currentLeaderEpoch) }
            c.int64(&fetchOffset)
            if v >= 12 { c.int32(&lastFetchedEpoch) }
            if v >= 5 { c.int64(&logStartOffset) }
            c.int32(&partitionMaxBytes)
            c.taggedFields { t in
                if v >= 17 {
                    t.field(0, present: replicaDirectoryId != .zero) { c in c.uuid(&replicaDirectoryId) }
                }
            }
        }
    }

    public typealias Topic = FetchTopic<Partition>

    public struct ForgottenTopic: WireStruct {
        public var topic = ""
        public var topicId = KafkaUUID.zero
        public var partitions: [Int32] = []
        public init() {}
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.topicNameOrId(&topic, &topicId, version: v)
            c.int32s(&partitions)
            c.noTaggedFields()
        }
    }

    /// The follower's id and broker epoch (tagged, v15+); consumers leave the defaults.
    public struct ReplicaState: WireStruct {
        public var replicaId: Int32 = -1
        public var replicaEpoch: Int64 = -1
        public init() {}
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.int32(&replicaId)
            c.int64(&replicaEpoch)
            c.noTaggedFields()
        }
    }

    public var clusterId: String? = nil
    /// -1 for consumers (up to v14; later versions send `replicaState`).
    public var replicaId: Int32 = -1
    public var replicaState = ReplicaState()
    public var maxWaitMs: Int32 = 500
    public var minBytes: Int32 = 1
    public var maxBytes: Int32 = Int32.max
    /// 0: read uncommitted, 1: read committed.
    public var isolationLevel: Int8 = 0
    public var sessionId: Int32 = 0
    public var sessionEpoch: Int32 = -1
    public var topics: [Topic] = []
    public var forgottenTopics: [ForgottenTopic] = []
    public var rackId = ""

    public init() {}

    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        if v <= 14 { c.int32(&replicaId) }
        c.int32(&maxWaitMs)
        c.int32(&minBytes)
        if v >= 3 { c.int32(&maxBytes) }
        if v >= 4 { c.int8(&isolationLevel) }
        if v >= 7 {
            c.int32(&sessionId)
            c.int32(&sessionEpoch)
        }
        c.structs(&topics, version: v)
        if v >= 7 { c.structs(&forgottenTopics, version: v) }
        if v >= 11 { c.string(&rackId) }
        c.taggedFields { t in
            t.field(0, present: clusterId != nil) { c in c.nullableString(&clusterId) }
            if v >= 15 {
                t.field(1, present: replicaState != ReplicaState()) { c in replicaState.code(&c, version: v) }
            }
        }
    }
}

/// The records and offsets per partition. Value type; any thread.
public struct FetchResponse: KafkaResponse {
    public static let api = ApiSpec.fetch

    public struct EpochEndOffset: WireStruct {
        public var epoch: Int32 = -1
        public var endOffset: Int64 = -1
        public init() {}
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.int32(&epoch)
            c.int64(&endOffset)
            c.noTaggedFields()
        }
    }

    public struct SnapshotId: WireStruct {
        public var endOffset: Int64 = -1
        public var epoch: Int32 = -1
        public init() {}
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.int64(&endOffset)
            c.int32(&epoch)
            c.noTaggedFields()
        }
    }

    public struct AbortedTransaction: WireStruct {
        public var producerId: Int64 = 0
        public var firstOffset: Int64 = 0
        public init() {}
        public init(producerId: Int64, firstOffset: Int64) {
            self.producerId = producerId
            self.firstOffset = firstOffset
        }
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.int64(&producerId)
            c.int64(&firstOffset)
            c.noTaggedFields()
        }
    }

    public struct Partition: WireStruct {
        public var partitionIndex: Int32 = 0
        public var errorCode: Int16 = 0
        public var highWatermark: Int64 = 0
        public var lastStableOffset: Int64 = -1
        public var logStartOffset: Int64 = -1
        public var divergingEpoch = EpochEndOffset()
        public var currentLeader = LeaderIdAndEpoch()
        public var snapshotId = SnapshotId()
        public var abortedTransactions: [AbortedTransaction]? = nil
        public var preferredReadReplica: Int32 = -1
        /// The record batches exactly as sent (may end in a partial batch).
        public var records: [UInt8]? = nil
        public init() {}
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.int32(&partitionIndex)
            c.int16(&errorCode)
            c.int64(&highWatermark)
            if v >= 4 { c.int64(&lastStableOffset) }
            if v >= 5 { c.int64(&logStartOffset) }
            if v >= 4 { c.nullableStructs(&abortedTransactions, version: v) }
            if v >= 11 { c.int32(&preferredReadReplica) }
            c.nullableBytes(&records)
            c.taggedFields { t in
                t.field(0, present: divergingEpoch != EpochEndOffset()) { c in divergingEpoch.code(&c, version: v) }
                t.field(1, present: !currentLeader.isDefault) { c in currentLeader.code(&c, version: v) }
                t.field(2, present: snapshotId != SnapshotId()) { c in snapshotId.code(&c, version: v) }
            }
        }
    }

    public typealias Topic = FetchTopic<Partition>

    public var throttleTimeMs: Int32 = 0
    public var errorCode: Int16 = 0
    public var sessionId: Int32 = 0
    public var topics: [Topic] = []
    public var nodeEndpoints: [NodeEndpoint] = []

    public init() {}

    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        if v >= 1 { c.int32(&throttleTimeMs) }
        if v >= 7 {
            c.int16(&errorCode)
            c.int32(&sessionId)
        }
        c.structs(&topics, version: v)
        c.taggedFields { t in
            if v >= 16 {
                t.field(0, present: !nodeEndpoints.isEmpty) { c in c.structs(&nodeEndpoints, version: v) }
            }
        }
    }
}

/// A topic with its per-partition entries, the nesting FetchRequest and FetchResponse share:
/// named up to v12, identified by topic id from v13. Value type; any thread.
public struct FetchTopic<Partition: WireStruct>: WireStruct {
    /// Used up to v12.
    public var topic = ""
    /// Used from v13.
    public var topicId = KafkaUUID.zero
    public var partitions: [Partition] = []
    public init() {}
    public init(topic: String, topicId: KafkaUUID = .zero, partitions: [Partition]) {
        self.topic = topic
        self.topicId = topicId
        self.partitions = partitions
    }
    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        c.topicNameOrId(&topic, &topicId, version: v)
        c.structs(&partitions, version: v)
        c.noTaggedFields()
    }
}

extension WireCoder {
    /// A Fetch topic's name (up to v12) or its topic id (from v13).
    mutating func topicNameOrId(_ name: inout String, _ id: inout KafkaUUID, version v: Int16) {
        if v <= 12 { string(&name) } else { uuid(&id) }
    }
}
