// Produce (key 0): append record batches to partitions. `records` holds the encoded
// RecordBatch bytes as they go on the wire; the record batch code builds and reads them.

/// Appends record batches to partitions. Value type; any thread.
public struct ProduceRequest: KafkaRequest {
    /// The body the broker answers with.
    public typealias Response = ProduceResponse
    /// The API's row in `ApiSpec`.
    public static let api = ApiSpec.produce

    /// The records for one partition.
    public struct Partition: WireStruct {
        /// The partition number.
        public var index: Int32 = 0
        /// Encoded RecordBatch v2 bytes (see `RecordBatchBuilder`).
        public var records: [UInt8]? = nil
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// The batches `records` for partition `index`.
        public init(index: Int32, records: [UInt8]?) {
            self.index = index
            self.records = records
        }
        /// Its fields in wire order at `v`, for `c` to write or read.
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.int32(&index)
            c.nullableBytes(&records)
            c.noTaggedFields()
        }
    }

    /// A topic by name with its partitions.
    public typealias Topic = NamedTopic<Partition>

    /// The transactional id (v3+); nil outside transactions.
    public var transactionalId: String? = nil
    /// 0: no answer, 1: the leader, -1: all in-sync replicas.
    public var acks: Int16 = -1
    /// How long the broker waits for the acknowledgements `acks` asks for, in milliseconds.
    public var timeoutMs: Int32 = 30_000
    /// The records, by topic and partition.
    public var topics: [Topic] = []

    /// Every field at its default; decoding starts from this.
    public init() {}
    /// A produce with these fields.
    public init(transactionalId: String? = nil, acks: Int16, timeoutMs: Int32, topics: [Topic]) {
        self.transactionalId = transactionalId
        self.acks = acks
        self.timeoutMs = timeoutMs
        self.topics = topics
    }

    /// With `acks == 0` the broker sends no answer at all.
    public var expectsResponse: Bool { acks != 0 }

    /// Its fields in wire order at `v`, for `c` to write or read.
    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        if v >= 3 { c.nullableString(&transactionalId) }
        c.int16(&acks)
        c.int32(&timeoutMs)
        c.structs(&topics, version: v)
        c.noTaggedFields()
    }
}

/// A leader and its epoch (tagged in flexible Produce and Fetch answers after a leader move).
public struct LeaderIdAndEpoch: WireStruct {
    /// The leader's node id; -1 if unknown.
    public var leaderId: Int32 = -1
    /// The leader's epoch; -1 if unknown.
    public var leaderEpoch: Int32 = -1
    /// Every field at its default; decoding starts from this.
    public init() {}
    /// The leader `leaderId` in `leaderEpoch`.
    public init(leaderId: Int32, leaderEpoch: Int32) {
        self.leaderId = leaderId
        self.leaderEpoch = leaderEpoch
    }
    /// Whether both are -1 (no hint sent).
    public var isDefault: Bool { leaderId == -1 && leaderEpoch == -1 }
    /// Its fields in wire order at `v`, for `c` to write or read.
    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        c.int32(&leaderId)
        c.int32(&leaderEpoch)
        c.noTaggedFields()
    }
}

/// A broker's id, address and rack: Metadata's brokers (as `MetadataResponse.Broker`) and the
/// leader-change hints of Produce v10+ and Fetch v16+.
public struct NodeEndpoint: WireStruct {
    /// The broker's node id.
    public var nodeId: Int32 = 0
    /// The broker's host name or address.
    public var host = ""
    /// The broker's port.
    public var port: Int32 = 0
    /// The broker's rack (Metadata v1+); nil if none.
    public var rack: String? = nil
    /// Every field at its default; decoding starts from this.
    public init() {}
    /// The broker `nodeId` at `host`:`port`.
    public init(nodeId: Int32, host: String, port: Int32, rack: String? = nil) {
        self.nodeId = nodeId
        self.host = host
        self.port = port
        self.rack = rack
    }
    /// Its fields in wire order at `v`, for `c` to write or read.
    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        c.int32(&nodeId)
        c.string(&host)
        c.int32(&port)
        // Metadata v0 has no rack; every Produce and Fetch version with endpoints has one.
        if v >= 1 { c.nullableString(&rack) }
        c.noTaggedFields()
    }
}

/// The outcome per partition of a produce. Value type; any thread.
public struct ProduceResponse: KafkaResponse {
    /// The API's row in `ApiSpec`.
    public static let api = ApiSpec.produce

    /// A record that made the broker reject its batch (v8+).
    public struct RecordError: WireStruct {
        /// The index of the record within its batch.
        public var batchIndex: Int32 = 0
        /// The broker's words on that record, if any.
        public var batchIndexErrorMessage: String? = nil
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// Its fields in wire order at `v`, for `c` to write or read.
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.int32(&batchIndex)
            c.nullableString(&batchIndexErrorMessage)
            c.noTaggedFields()
        }
    }

    /// The outcome for one partition.
    public struct Partition: WireStruct {
        /// The partition number.
        public var index: Int32 = 0
        /// A Kafka error code: 0 if the batches were appended.
        public var errorCode: Int16 = 0
        /// The offset given to the first record appended; -1 on error.
        public var baseOffset: Int64 = 0
        /// The time the broker stamped, for topics with LogAppendTime (v2+); -1 otherwise.
        public var logAppendTimeMs: Int64 = -1
        /// The partition's earliest offset still in the log; -1 if unknown.
        public var logStartOffset: Int64 = -1
        /// The records that made the batch fail (v8+).
        public var recordErrors: [RecordError] = []
        /// The broker's words on the error (v8+).
        public var errorMessage: String? = nil
        /// The new leader, when the error says the leader moved.
        public var currentLeader = LeaderIdAndEpoch()
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// Its fields in wire order at `v`, for `c` to write or read.
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.int32(&index)
            c.int16(&errorCode)
            c.int64(&baseOffset)
            if v >= 2 { c.int64(&logAppendTimeMs) }
            if v >= 5 { c.int64(&logStartOffset) }
            if v >= 8 {
                c.structs(&recordErrors, version: v)
                c.nullableString(&errorMessage)
            }
            c.taggedFields { t in
                if v >= 10 {
                    t.field(0, present: !currentLeader.isDefault) { c in currentLeader.code(&c, version: v) }
                }
            }
        }
    }

    /// A topic by name with its partitions.
    public typealias Topic = NamedTopic<Partition>

    /// The outcomes, by topic and partition.
    public var topics: [Topic] = []
    /// How long the broker held the answer back for a quota, in milliseconds (0: not throttled).
    public var throttleTimeMs: Int32 = 0
    /// The addresses of the new leaders named in `currentLeader` hints.
    public var nodeEndpoints: [NodeEndpoint] = []

    /// Every field at its default; decoding starts from this.
    public init() {}

    /// Its fields in wire order at `v`, for `c` to write or read.
    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        c.structs(&topics, version: v)
        if v >= 1 { c.int32(&throttleTimeMs) }
        c.taggedFields { t in
            if v >= 10 {
                t.field(0, present: !nodeEndpoints.isEmpty) { c in c.structs(&nodeEndpoints, version: v) }
            }
        }
    }
}
