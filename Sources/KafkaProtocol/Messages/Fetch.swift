// Fetch (key 1): read record batches from partitions. Topics are named up to v12 and
// identified by topic id from v13. `records` stays the raw bytes of the record batches; the
// record batch code decodes them.

/// Reads records from partitions. Value type; any thread.
public struct FetchRequest: KafkaRequest {
    /// The body the broker answers with.
    public typealias Response = FetchResponse
    /// The API's row in `ApiSpec`.
    public static let api = ApiSpec.fetch

    /// One partition to read and where from.
    public struct Partition: WireStruct {
        /// The partition number.
        public var partition: Int32 = 0
        /// The leader epoch this client knows, so that the broker can refuse a stale one; -1: do not check.
        public var currentLeaderEpoch: Int32 = -1
        /// The offset of the first record wanted.
        public var fetchOffset: Int64 = 0
        /// The epoch of the last batch fetched (v12+), so the leader can report a diverging log; -1: unknown.
        public var lastFetchedEpoch: Int32 = -1
        /// Followers only (v5+): their log start offset; -1 for consumers.
        public var logStartOffset: Int64 = -1
        /// The most bytes to return for this partition (the first batch comes whole even if larger).
        public var partitionMaxBytes: Int32 = 0
        /// Followers only (tagged, v17+): the replica's log directory.
        public var replicaDirectoryId = KafkaUUID.zero
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// Reads `partition` from `fetchOffset`, up to `partitionMaxBytes`.
        public init(partition: Int32, fetchOffset: Int64, partitionMaxBytes: Int32, currentLeaderEpoch: Int32 = -1) {
            self.partition = partition
            self.fetchOffset = fetchOffset
            self.partitionMaxBytes = partitionMaxBytes
            self.currentLeaderEpoch = currentLeaderEpoch
        }
        /// Its fields in wire order at `v`, for `c` to write or read.
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

    /// A topic by name (up to v12) or id (v13+) with its partitions.
    public typealias Topic = FetchTopic<Partition>

    /// Partitions to drop from an incremental fetch session (v7+).
    public struct ForgottenTopic: WireStruct {
        /// The topic, by name (up to v12).
        public var topic = ""
        /// The topic, by id (v13+).
        public var topicId = KafkaUUID.zero
        /// The partition numbers to drop.
        public var partitions: [Int32] = []
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// Its fields in wire order at `v`, for `c` to write or read.
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.topicNameOrId(&topic, &topicId, version: v)
            c.int32s(&partitions)
            c.noTaggedFields()
        }
    }

    /// The follower's id and broker epoch (tagged, v15+); consumers leave the defaults.
    public struct ReplicaState: WireStruct {
        /// The follower's broker id; -1 for consumers.
        public var replicaId: Int32 = -1
        /// The follower's broker epoch; -1 for consumers.
        public var replicaEpoch: Int64 = -1
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// Its fields in wire order at `v`, for `c` to write or read.
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.int32(&replicaId)
            c.int64(&replicaEpoch)
            c.noTaggedFields()
        }
    }

    /// The cluster this fetch is meant for (tagged, KRaft replication); nil for consumers.
    public var clusterId: String? = nil
    /// -1 for consumers (up to v14; later versions send `replicaState`).
    public var replicaId: Int32 = -1
    /// The follower sending the fetch (tagged, v15+); consumers leave it default.
    public var replicaState = ReplicaState()
    /// How long the broker may wait for `minBytes` to arrive, in milliseconds.
    public var maxWaitMs: Int32 = 500
    /// The fewest bytes worth answering with before `maxWaitMs` runs out.
    public var minBytes: Int32 = 1
    /// The most bytes in the whole answer (v3+; the first batch comes whole even if larger).
    public var maxBytes: Int32 = Int32.max
    /// 0: read uncommitted, 1: read committed.
    public var isolationLevel: Int8 = 0
    /// The incremental fetch session (v7+); 0 for none.
    public var sessionId: Int32 = 0
    /// The fetch session's epoch (v7+); -1: no session, full fetches.
    public var sessionEpoch: Int32 = -1
    /// The partitions to read, by topic.
    public var topics: [Topic] = []
    /// Partitions to drop from the fetch session (v7+).
    public var forgottenTopics: [ForgottenTopic] = []
    /// This client's rack (v11+), so that the broker can name a nearer replica.
    public var rackId = ""

    /// Every field at its default; decoding starts from this.
    public init() {}

    /// Its fields in wire order at `v`, for `c` to write or read.
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
    /// The API's row in `ApiSpec`.
    public static let api = ApiSpec.fetch

    /// Where the leader's log diverged from the follower's (tagged).
    public struct EpochEndOffset: WireStruct {
        /// The last epoch both logs share; -1 if none.
        public var epoch: Int32 = -1
        /// Where that epoch ends in the leader's log; -1 if none.
        public var endOffset: Int64 = -1
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// Its fields in wire order at `v`, for `c` to write or read.
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.int32(&epoch)
            c.int64(&endOffset)
            c.noTaggedFields()
        }
    }

    /// The snapshot to fetch instead when the offset is before the log start (KRaft; tagged).
    public struct SnapshotId: WireStruct {
        /// The offset the snapshot ends at; -1 if none.
        public var endOffset: Int64 = -1
        /// The epoch the snapshot ends in; -1 if none.
        public var epoch: Int32 = -1
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// Its fields in wire order at `v`, for `c` to write or read.
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.int64(&endOffset)
            c.int32(&epoch)
            c.noTaggedFields()
        }
    }

    /// An aborted transaction whose records lie in the batches returned (read-committed fetches).
    public struct AbortedTransaction: WireStruct {
        /// The producer whose transaction aborted.
        public var producerId: Int64 = 0
        /// The first offset of that transaction.
        public var firstOffset: Int64 = 0
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// The transaction of `producerId` that began at `firstOffset`.
        public init(producerId: Int64, firstOffset: Int64) {
            self.producerId = producerId
            self.firstOffset = firstOffset
        }
        /// Its fields in wire order at `v`, for `c` to write or read.
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.int64(&producerId)
            c.int64(&firstOffset)
            c.noTaggedFields()
        }
    }

    /// What one partition returned.
    public struct Partition: WireStruct {
        /// The partition number.
        public var partitionIndex: Int32 = 0
        /// A Kafka error code: 0 for none, else see `KafkaErrorCode`.
        public var errorCode: Int16 = 0
        /// The offset after the last record all in-sync replicas have: the end a consumer can read to.
        public var highWatermark: Int64 = 0
        /// The end of the records no open transaction holds back (v4+); -1 if unknown.
        public var lastStableOffset: Int64 = -1
        /// The partition's earliest offset still in the log; -1 if unknown.
        public var logStartOffset: Int64 = -1
        /// Followers only (tagged): where the logs diverged.
        public var divergingEpoch = EpochEndOffset()
        /// The new leader, when the error says the leader moved.
        public var currentLeader = LeaderIdAndEpoch()
        /// KRaft only (tagged): the snapshot to fetch instead.
        public var snapshotId = SnapshotId()
        /// The aborted transactions among the batches (v4+, read committed); nil if none.
        public var abortedTransactions: [AbortedTransaction]? = nil
        /// The replica to fetch from instead (v11+); -1 for the leader.
        public var preferredReadReplica: Int32 = -1
        /// The record batches exactly as sent (may end in a partial batch); nil for null. Reading
        /// it copies them out of the frame they were decoded from (`recordsInFrame` does not).
        public var records: [UInt8]? {
            get { recordsRange.map { $0 == recordsStorage.indices ? recordsStorage : Array(recordsStorage[$0]) } }
            set {
                recordsStorage = newValue ?? []
                recordsRange = newValue.map { 0..<$0.count }
            }
        }
        /// The record batches where they lie, without a copy: the response frame they were
        /// decoded from (or the array `records` was set to) and their range in it; nil for null.
        public var recordsInFrame: (bytes: [UInt8], range: Range<Int>)? { recordsRange.map { (recordsStorage, $0) } }
        var recordsStorage: [UInt8] = []
        var recordsRange: Range<Int>?
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// Its fields in wire order at `v`, for `c` to write or read.
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.int32(&partitionIndex)
            c.int16(&errorCode)
            c.int64(&highWatermark)
            if v >= 4 { c.int64(&lastStableOffset) }
            if v >= 5 { c.int64(&logStartOffset) }
            if v >= 4 { c.nullableStructs(&abortedTransactions, version: v) }
            if v >= 11 { c.int32(&preferredReadReplica) }
            c.nullableBytes(in: &recordsStorage, range: &recordsRange)
            c.taggedFields { t in
                t.field(0, present: divergingEpoch != EpochEndOffset()) { c in divergingEpoch.code(&c, version: v) }
                t.field(1, present: !currentLeader.isDefault) { c in currentLeader.code(&c, version: v) }
                t.field(2, present: snapshotId != SnapshotId()) { c in snapshotId.code(&c, version: v) }
            }
        }
    }

    /// A topic by name (up to v12) or id (v13+) with its partitions.
    public typealias Topic = FetchTopic<Partition>

    /// How long the broker held the answer back for a quota, in milliseconds (0: not throttled).
    public var throttleTimeMs: Int32 = 0
    /// A session-level Kafka error code (v7+); 0 for none.
    public var errorCode: Int16 = 0
    /// The fetch session the broker made or kept (v7+); 0 for none.
    public var sessionId: Int32 = 0
    /// The partitions answered, by topic.
    public var topics: [Topic] = []
    /// The addresses of the new leaders named in `currentLeader` hints.
    public var nodeEndpoints: [NodeEndpoint] = []

    /// Every field at its default; decoding starts from this.
    public init() {}

    /// Its fields in wire order at `v`, for `c` to write or read.
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
    /// The per-partition entries.
    public var partitions: [Partition] = []
    /// Every field at its default; decoding starts from this.
    public init() {}
    /// The topic `topic` (or, v13+, `topicId`) with `partitions`.
    public init(topic: String, topicId: KafkaUUID = .zero, partitions: [Partition]) {
        self.topic = topic
        self.topicId = topicId
        self.partitions = partitions
    }
    /// Its fields in wire order at `v`, for `c` to write or read.
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

extension FetchResponse.Partition {
    /// Partitions are equal when their fields are, the record bytes compared by content
    /// wherever they lie.
    public static func == (a: Self, b: Self) -> Bool {
        a.partitionIndex == b.partitionIndex && a.errorCode == b.errorCode && a.highWatermark == b.highWatermark
            && a.lastStableOffset == b.lastStableOffset && a.logStartOffset == b.logStartOffset
            && a.divergingEpoch == b.divergingEpoch && a.currentLeader == b.currentLeader && a.snapshotId == b.snapshotId
            && a.abortedTransactions == b.abortedTransactions && a.preferredReadReplica == b.preferredReadReplica
            && a.recordsRange.map { a.recordsStorage[$0] } == b.recordsRange.map { b.recordsStorage[$0] }
    }
}
