// Metadata (key 3): brokers, topics, partitions and leaders.

/// Asks for the cluster's brokers and the given topics (`topics == nil`: all topics; in v0,
/// where the array is not nullable, nil is sent as an empty array, which v0 reads as "all").
/// Value type; any thread.
public struct MetadataRequest: KafkaRequest {
    /// The body the broker answers with.
    public typealias Response = MetadataResponse
    /// The API's row in `ApiSpec`.
    public static let api = ApiSpec.metadata

    /// A topic asked about.
    public struct Topic: WireStruct {
        /// The topic by id (v10+); zero when named.
        public var topicId = KafkaUUID.zero
        /// The topic by name; nil (v10+) when asked by id.
        public var name: String? = ""
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// The topic `name` (or the one with `topicId`).
        public init(name: String?, topicId: KafkaUUID = .zero) {
            self.name = name
            self.topicId = topicId
        }
        /// Its fields in wire order at `v`, for `c` to write or read.
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            if v >= 10 { c.uuid(&topicId) }
            c.string(&name, nullable: v >= 10)
            c.noTaggedFields()
        }
    }

    /// The topics asked about; nil for all of them.
    public var topics: [Topic]? = []
    /// Whether the broker may create topics that do not exist (v4+; needs auto creation on the broker).
    public var allowAutoTopicCreation = true
    /// Whether to return what this client may do with the cluster (v8–10).
    public var includeClusterAuthorizedOperations = false
    /// Whether to return what this client may do with each topic (v8+).
    public var includeTopicAuthorizedOperations = false

    /// Every field at its default; decoding starts from this.
    public init() {}
    /// Asks about `topics` (nil: all).
    public init(topics: [String]?, allowAutoTopicCreation: Bool = true) {
        self.topics = topics.map { $0.map { Topic(name: $0) } }
        self.allowAutoTopicCreation = allowAutoTopicCreation
    }

    /// Its fields in wire order at `v`, for `c` to write or read.
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
    /// The API's row in `ApiSpec`.
    public static let api = ApiSpec.metadata

    /// A broker: the same fields as the endpoints in Produce and Fetch answers.
    public typealias Broker = NodeEndpoint

    /// One partition's leader and replicas.
    public struct Partition: WireStruct {
        /// A Kafka error code: LEADER_NOT_AVAILABLE while a leader is being elected.
        public var errorCode: Int16 = 0
        /// The partition number.
        public var partitionIndex: Int32 = 0
        /// The leader's node id; -1 if there is none.
        public var leaderId: Int32 = 0
        /// The leader's epoch (v7+); -1 if unknown.
        public var leaderEpoch: Int32 = -1
        /// The node ids of all replicas.
        public var replicaNodes: [Int32] = []
        /// The node ids of the in-sync replicas.
        public var isrNodes: [Int32] = []
        /// The node ids of replicas that are offline (v5+).
        public var offlineReplicas: [Int32] = []
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// Its fields in wire order at `v`, for `c` to write or read.
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

    /// One topic and its partitions.
    public struct Topic: WireStruct {
        /// A Kafka error code: UNKNOWN_TOPIC_OR_PARTITION for a topic that does not exist.
        public var errorCode: Int16 = 0
        /// The topic's name; nil (v12+) when asked by id and unknown.
        public var name: String? = ""
        /// The topic's UUID (v10+).
        public var topicId = KafkaUUID.zero
        /// Whether it is an internal topic such as `__consumer_offsets` (v1+).
        public var isInternal = false
        /// The partitions.
        public var partitions: [Partition] = []
        /// A bit set of the ACL operations this client may do on the topic (v8+); `Int32.min` if not asked.
        public var topicAuthorizedOperations: Int32 = Int32.min
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// Its fields in wire order at `v`, for `c` to write or read.
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

    /// How long the broker held the answer back for a quota, in milliseconds (0: not throttled).
    public var throttleTimeMs: Int32 = 0
    /// The brokers (Tansu lists only the one asked).
    public var brokers: [Broker] = []
    /// The cluster's id (v2+).
    public var clusterId: String? = nil
    /// The controller's node id (v1+); -1 if unknown.
    public var controllerId: Int32 = -1
    /// The topics asked about (all, if none were named).
    public var topics: [Topic] = []
    /// A bit set of the ACL operations this client may do on the cluster (v8–10); `Int32.min` if not asked.
    public var clusterAuthorizedOperations: Int32 = Int32.min

    /// Every field at its default; decoding starts from this.
    public init() {}

    /// Its fields in wire order at `v`, for `c` to write or read.
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
