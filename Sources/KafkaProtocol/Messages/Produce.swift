// Produce (key 0): append record batches to partitions. `records` holds the encoded
// RecordBatch bytes as they go on the wire; the record batch code builds and reads them.

/// Appends record batches to partitions. Value type; any thread.
public struct ProduceRequest: KafkaRequest {
    public typealias Response = ProduceResponse
    public static let api = ApiSpec.produce

    public struct Partition: WireStruct {
        public var index: Int32 = 0
        public var records: [UInt8]? = nil
        public init() {}
        public init(index: Int32, records: [UInt8]?) {
            self.index = index
            self.records = records
        }
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.int32(&index)
            c.nullableBytes(&records)
            c.noTaggedFields()
        }
    }

    public typealias Topic = NamedTopic<Partition>

    public var transactionalId: String? = nil
    /// 0: no answer, 1: the leader, -1: all in-sync replicas.
    public var acks: Int16 = -1
    public var timeoutMs: Int32 = 30_000
    public var topics: [Topic] = []

    public init() {}
    public init(transactionalId: String? = nil, acks: Int16, timeoutMs: Int32, topics: [Topic]) {
        self.transactionalId = transactionalId
        self.acks = acks
        self.timeoutMs = timeoutMs
        self.topics = topics
    }

    /// With `acks == 0` the broker sends no answer at all.
    public var expectsResponse: Bool { acks != 0 }

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
    public var leaderId: Int32 = -1
    public var leaderEpoch: Int32 = -1
    public init() {}
    public init(leaderId: Int32, leaderEpoch: Int32) {
        self.leaderId = leaderId
        self.leaderEpoch = leaderEpoch
    }
    public var isDefault: Bool { leaderId == -1 && leaderEpoch == -1 }
    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        c.int32(&leaderId)
        c.int32(&leaderEpoch)
        c.noTaggedFields()
    }
}

/// A broker's id, address and rack: Metadata's brokers (as `MetadataResponse.Broker`) and the
/// leader-change hints of Produce v10+ and Fetch v16+.
public struct NodeEndpoint: WireStruct {
    public var nodeId: Int32 = 0
    public var host = ""
    public var port: Int32 = 0
    public var rack: String? = nil
    public init() {}
    public init(nodeId: Int32, host: String, port: Int32, rack: String? = nil) {
        self.nodeId = nodeId
        self.host = host
        self.port = port
        self.rack = rack
    }
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
    public static let api = ApiSpec.produce

    public struct RecordError: WireStruct {
        public var batchIndex: Int32 = 0
        public var batchIndexErrorMessage: String? = nil
        public init() {}
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.int32(&batchIndex)
            c.nullableString(&batchIndexErrorMessage)
            c.noTaggedFields()
        }
    }

    public struct Partition: WireStruct {
        public var index: Int32 = 0
        public var errorCode: Int16 = 0
        public var baseOffset: Int64 = 0
        public var logAppendTimeMs: Int64 = -1
        public var logStartOffset: Int64 = -1
        public var recordErrors: [RecordError] = []
        public var errorMessage: String? = nil
        public var currentLeader = LeaderIdAndEpoch()
        public init() {}
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

    public typealias Topic = NamedTopic<Partition>

    public var topics: [Topic] = []
    public var throttleTimeMs: Int32 = 0
    public var nodeEndpoints: [NodeEndpoint] = []

    public init() {}

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
