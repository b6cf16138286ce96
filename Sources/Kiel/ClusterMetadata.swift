/// What the client knows of the cluster from its last Metadata answer: brokers by node id,
/// and for each topic its partitions and their leaders. A plain value, replaced wholesale on
/// each refresh; owned by the `Cluster` on its loop thread.
public struct ClusterMetadata: Sendable {
    /// One partition: its leader and the error metadata gave for it, if any.
    public struct PartitionInfo: Hashable, Sendable {
        /// The partition id.
        public var partition: Int32
        /// Node id of the leader; -1 while no leader is elected.
        public var leader: Int32
        /// The leader epoch metadata gave (-1 when the broker does not say).
        public var leaderEpoch: Int32
        /// Kafka error code the metadata gave for the partition (0 = none).
        public var errorCode: Int16
        /// A partition as metadata describes it.
        public init(partition: Int32, leader: Int32, leaderEpoch: Int32 = -1, errorCode: Int16 = 0) {
            self.partition = partition
            self.leader = leader
            self.leaderEpoch = leaderEpoch
            self.errorCode = errorCode
        }
    }

    /// One topic's partitions as metadata listed them.
    public struct TopicInfo: Hashable, Sendable {
        /// The topic name.
        public var name: String
        /// Kafka error code the metadata gave for the topic (0 = none).
        public var errorCode: Int16
        /// Sorted by partition id.
        public private(set) var partitions: [PartitionInfo]
        /// The partition ids, sorted (kept ready: the producer asks for them per record).
        public private(set) var partitionIDs: [Int32]
        /// A topic with its partitions, in any order.
        public init(name: String, errorCode: Int16 = 0, partitions: [PartitionInfo]) {
            self.name = name
            self.errorCode = errorCode
            self.partitions = partitions.sorted { $0.partition < $1.partition }
            self.partitionIDs = self.partitions.map(\.partition)
        }
    }

    /// Every broker metadata listed, by node id.
    public var brokers: [Int32: BrokerAddress] = [:]
    /// Topics metadata described, by name.
    public var topics: [String: TopicInfo] = [:]
    /// The controller broker's node id; -1 when unknown.
    public var controllerID: Int32 = -1
    /// The cluster id, when the broker reports one.
    public var clusterID: String?

    /// Metadata with these brokers and topics (tests and tools build it by hand).
    public init(brokers: [Int32: BrokerAddress] = [:], topics: [String: TopicInfo] = [:]) {
        self.brokers = brokers
        self.topics = topics
    }

    /// The leader's node id for a partition, if one is known and listed among the brokers.
    public func leader(for tp: TopicPartition) -> Int32? {
        guard let info = topics[tp.topic]?.partitions.first(where: { $0.partition == tp.partition }),
              info.leader >= 0, brokers[info.leader] != nil else { return nil }
        return info.leader
    }

    /// The partition ids of a topic, or nil if the topic is unknown or had an error.
    public func partitions(of topic: String) -> [Int32]? {
        guard let info = topics[topic], info.errorCode == 0, !info.partitions.isEmpty else { return nil }
        return info.partitionIDs
    }

    /// Merges a Metadata answer about `subset` of topics into this view (topics not asked
    /// about are kept; brokers are replaced by the answer's list).
    public mutating func merge(_ other: ClusterMetadata, replacingAllTopics: Bool) {
        brokers = other.brokers
        controllerID = other.controllerID
        clusterID = other.clusterID ?? clusterID
        if replacingAllTopics {
            topics = other.topics
        } else {
            for (name, info) in other.topics { topics[name] = info }
        }
    }
}
