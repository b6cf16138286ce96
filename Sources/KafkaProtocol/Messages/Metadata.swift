// Metadata (key 3): brokers, topics, partitions and leaders.

/// Asks for the cluster's brokers and the given topics (`topics == nil`: all topics; in v0,
/// where the array is not nullable, nil is sent as an empty array, which v0 reads as "all").
/// Value type; any thread.
public struct MetadataRequest: KafkaRequest {
    public typealias Response = MetadataResponse
    public static let api = ApiSpec.metadata

    public struct Topic: WireStruct {
        public var topicId = KafkaUUID.zero
        public var name: String? = ""
        public init() {}
        public init(name: String?, topicId: KafkaUUID = .zero) {
            self.name = name
            self.topicId = topicId
        }
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            if v >= 10 { c.uuid(&topicId) }
            c.string(&name, nullable: v >= 10)
            c.noTaggedFields()
        }
    }

    public var topics: [Topic]? = []
    public var allowAutoTopicCreation = true
    public var includeClusterAuthorizedOperations = false
    public var includeTopicAuthorizedOperations = false

    public init() {}
    public init(topics: [String]?, allowAutoTopicCreation: Bool = true) {
        self.topics = topics.map { $0.map { Topic(name: $0) } }
        self.allowAutoTopicCreation = allowAutoTopicCreation
    }

    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        c.structs(&topics, nullable: v >= 1, version: v)
        if v >= 4 { c.bool(&allowAutoTopicCreation) }
        if (8...10).contains(v) { c.bool(&includeClusterAuthorizedOperations) }
        if v >= 8 { c.bool(&includeTopicAuthorizedOperations) }
        c.noTaggedFields()
    }
}

/// The cluster's brokers and the state of the topics asked for. Value type; any thread.
public struct MetadataResponse: KafkaResponse {
    public static let api = ApiSpec.metadata

    /// A broker: the same fields as the endpoints in Produce and Fetch answers.
    public typealias Broker = NodeEndpoint

    public struct Partition: WireStruct {
        public var errorCode: Int16 = 0
        public var partitionIndex: Int32 = 0
        public var leaderId: Int32 = 0
        public var leaderEpoch: Int32 = -1
        public var replicaNodes: [Int32] = []
        public var isrNodes: [Int32] = []
        public var offlineReplicas: [Int32] = []
        public init() {}
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.int16(&errorCode)
            c.int32(&partitionIndex)
            c.int32(&leaderId)
            if v >= 7 { c.int32(&leaderEpoch) }
            c.int32s(&replicaNodes)
            c.int32s(&isrNodes)
            if v >= 5 { c.int32s(&offlineReplicas) }
            c.noTaggedFields()
        }
    }

    public struct Topic: WireStruct {
        public var errorCode: Int16 = 0
        public var name: String? = ""
        public var topicId = KafkaUUID.zero
        public var isInternal = false
        public var partitions: [Partition] = []
        public var topicAuthorizedOperations: Int32 = Int32.min
        public init() {}
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.int16(&errorCode)
            c.string(&name, nullable: v >= 12)
            if v >= 10 { c.uuid(&topicId) }
            if v >= 1 { c.bool(&isInternal) }
            c.structs(&partitions, version: v)
            if v >= 8 { c.int32(&topicAuthorizedOperations) }
            c.noTaggedFields()
        }
    }

    public var throttleTimeMs: Int32 = 0
    public var brokers: [Broker] = []
    public var clusterId: String? = nil
    public var controllerId: Int32 = -1
    public var topics: [Topic] = []
    public var clusterAuthorizedOperations: Int32 = Int32.min

    public init() {}

    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        if v >= 3 { c.int32(&throttleTimeMs) }
        c.structs(&brokers, version: v)
        if v >= 2 { c.nullableString(&clusterId) }
        if v >= 1 { c.int32(&controllerId) }
        c.structs(&topics, version: v)
        if (8...10).contains(v) { c.int32(&clusterAuthorizedOperations) }
        c.noTaggedFields()
    }
}
