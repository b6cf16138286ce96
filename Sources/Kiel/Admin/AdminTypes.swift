// The values `Admin` asks with and answers with. Plain values: safe to pass between threads.

import KafkaProtocol

/// A topic to create. A plain value.
public struct NewTopic: Hashable, Sendable {
    /// The topic's name.
    public var name: String
    /// How many partitions; -1 for the broker's default (`num.partitions`).
    public var partitions: Int32
    /// How many replicas per partition; -1 for the broker's default.
    public var replicationFactor: Int16
    /// Topic configuration that differs from the broker's defaults, e.g. `["cleanup.policy": "compact"]`.
    public var configs: [String: String]

    /// A topic `name` with `partitions` partitions of `replicationFactor` replicas each.
    public init(_ name: String, partitions: Int32 = -1, replicationFactor: Int16 = -1, configs: [String: String] = [:]) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.configs = configs
    }
}

/// The cluster as a Metadata answer describes it: brokers, controller and topics with their
/// leaders, replicas and in-sync replicas. A plain value.
public struct ClusterDescription: Sendable {
    /// The cluster's id, if the broker gave one.
    public var clusterID: String?
    /// The controller's node id; -1 if unknown.
    public var controllerID: Int32
    /// The brokers, by node id.
    public var brokers: [BrokerDescription]
    /// The topics asked for (every topic when none was named), by name.
    public var topics: [TopicDescription]
}

/// One broker of the cluster. A plain value.
public struct BrokerDescription: Hashable, Sendable {
    /// Its node id.
    public var nodeID: Int32
    /// The host it is reached at.
    public var host: String
    /// The port it is reached at.
    public var port: Int32
    /// Its rack, if configured.
    public var rack: String?
}

/// One topic with its partitions. A plain value.
public struct TopicDescription: Hashable, Sendable {
    /// The topic's name.
    public var name: String
    /// The topic's id (zero when the broker sends none).
    public var topicID: KafkaUUID
    /// Whether it is one of Kafka's own (e.g. `__consumer_offsets`).
    public var isInternal: Bool
    /// The broker's error for this topic (UNKNOWN_TOPIC_OR_PARTITION, say); nil if none.
    public var error: BrokerError?
    /// Its partitions, by number.
    public var partitions: [PartitionDescription]
}

/// One partition's leader, replicas and in-sync replicas. A plain value.
public struct PartitionDescription: Hashable, Sendable {
    /// The partition number.
    public var partition: Int32
    /// The leader's node id; -1 while there is none.
    public var leader: Int32
    /// The leader's epoch; -1 if unknown.
    public var leaderEpoch: Int32
    /// The brokers holding a replica.
    public var replicas: [Int32]
    /// The replicas in sync with the leader.
    public var isr: [Int32]
    /// The replicas whose brokers are offline.
    public var offlineReplicas: [Int32]
    /// The broker's error for this partition (LEADER_NOT_AVAILABLE, say); nil if none.
    public var error: BrokerError?
}

/// A topic or broker whose configuration is described or changed. A plain value.
public struct ConfigResource: Hashable, Sendable, CustomStringConvertible {
    /// Topic, broker or broker logger.
    public var type: ConfigResourceType
    /// The topic's name, or the broker's node id as text.
    public var name: String

    /// The resource `type` called `name`.
    public init(_ type: ConfigResourceType, _ name: String) {
        self.type = type
        self.name = name
    }

    /// The topic `name`.
    public static func topic(_ name: String) -> ConfigResource { ConfigResource(.topic, name) }
    /// The broker with node id `id`.
    public static func broker(_ id: Int32) -> ConfigResource { ConfigResource(.broker, String(id)) }

    /// `topic:NAME`, `broker:ID` or `broker-logger:ID`.
    public var description: String {
        switch type {
        case .topic: return "topic:\(name)"
        case .broker: return "broker:\(name)"
        case .brokerLogger: return "broker-logger:\(name)"
        }
    }
}

/// One configuration entry of a topic or broker. A plain value.
public struct ConfigEntry: Hashable, Sendable {
    /// The key, e.g. "retention.ms".
    public var name: String
    /// The value; nil when sensitive or unset.
    public var value: String?
    /// Where the value comes from.
    public var source: Source
    /// Whether it cannot be changed.
    public var isReadOnly: Bool
    /// Whether the value is a secret (then it is not sent).
    public var isSensitive: Bool

    /// Where a configuration value comes from (Kafka's `ConfigSource`).
    public enum Source: Int8, Sendable {
        /// Not said.
        case unknown = -1
        /// Set on this topic.
        case dynamicTopic = 1
        /// Set on this broker while it runs.
        case dynamicBroker = 2
        /// Set as the default for every broker while they run.
        case dynamicDefaultBroker = 3
        /// From the broker's configuration file.
        case staticBroker = 4
        /// Kafka's default.
        case `default` = 5
        /// Set on this broker's loggers while it runs.
        case dynamicBrokerLogger = 6
        /// A client-metrics setting.
        case clientMetrics = 7
        /// Set on a group.
        case group = 8

        /// Kafka's name for it, e.g. `DYNAMIC_TOPIC_CONFIG`.
        public var name: String {
            switch self {
            case .unknown: return "UNKNOWN"
            case .dynamicTopic: return "DYNAMIC_TOPIC_CONFIG"
            case .dynamicBroker: return "DYNAMIC_BROKER_CONFIG"
            case .dynamicDefaultBroker: return "DYNAMIC_DEFAULT_BROKER_CONFIG"
            case .staticBroker: return "STATIC_BROKER_CONFIG"
            case .default: return "DEFAULT_CONFIG"
            case .dynamicBrokerLogger: return "DYNAMIC_BROKER_LOGGER_CONFIG"
            case .clientMetrics: return "CLIENT_METRICS_CONFIG"
            case .group: return "GROUP_CONFIG"
            }
        }
    }

    /// Whether the value is Kafka's default rather than set somewhere.
    public var isDefault: Bool { source == .default }
}

/// One change to a configuration. A plain value.
public enum ConfigChange: Hashable, Sendable {
    /// Give `key` the value.
    case set(_ key: String, _ value: String)
    /// Return `key` to its default.
    case delete(_ key: String)
    /// Add a value to the list-typed `key` (only where IncrementalAlterConfigs is offered).
    case append(_ key: String, _ value: String)
    /// Remove a value from the list-typed `key` (only where IncrementalAlterConfigs is offered).
    case subtract(_ key: String, _ value: String)

    /// The key changed.
    public var key: String {
        switch self {
        case .set(let k, _), .delete(let k), .append(let k, _), .subtract(let k, _): return k
        }
    }
}

/// A consumer group as ListGroups names it. A plain value.
public struct GroupListing: Hashable, Sendable {
    /// The group's id.
    public var groupID: String
    /// "consumer" for consumer groups; "" for groups that only commit offsets.
    public var protocolType: String
    /// Its state (e.g. "Stable", "Empty"), where the broker says (ListGroups v4+); else "".
    public var state: String
    /// The broker coordinating it.
    public var coordinator: Int32
}

/// A consumer group with its members. A plain value.
public struct GroupDescription: Hashable, Sendable {
    /// The group's id.
    public var groupID: String
    /// "Stable", "Empty", "PreparingRebalance", "CompletingRebalance", "Dead".
    public var state: String
    /// "consumer" for consumer groups.
    public var protocolType: String
    /// The assignor the members agreed on (e.g. "range"); "" while rebalancing.
    public var protocolName: String
    /// The members.
    public var members: [GroupMemberDescription]
    /// The broker coordinating it.
    public var coordinator: Int32
}

/// One member of a consumer group. A plain value.
public struct GroupMemberDescription: Hashable, Sendable {
    /// The id the coordinator gave it.
    public var memberID: String
    /// Its static membership id, if it has one.
    public var groupInstanceID: String?
    /// The client id it connected with.
    public var clientID: String
    /// The address it connected from.
    public var clientHost: String
    /// The topics it subscribed to (decoded from its consumer-protocol metadata; empty if not a consumer).
    public var subscription: [String]
    /// The partitions assigned to it (decoded from its consumer-protocol assignment).
    public var assignment: [TopicPartition]
}

/// A group's committed offset for one partition, and how far behind the end it is. A plain value.
public struct CommittedOffset: Hashable, Sendable {
    /// The next offset the group will consume; -1 when nothing is committed.
    public var offset: Int64
    /// The metadata committed with it.
    public var metadata: String?
    /// The partition's end offset (ListOffsets latest); nil if it could not be read.
    public var endOffset: Int64?
    /// `endOffset - offset`; nil when either is unknown.
    public var lag: Int64? {
        guard let endOffset, offset >= 0 else { return nil }
        return max(0, endOffset - offset)
    }
}

/// An offset found by time (ListOffsets). A plain value.
public struct ListedOffset: Hashable, Sendable {
    /// The offset: for a time, the first record at or after it; -1 when there is none.
    public var offset: Int64
    /// The timestamp of that record; -1 for the beginning and end.
    public var timestamp: Int64
}
