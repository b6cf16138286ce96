/// A Kafka error code the broker returned, with the topic and partition it was about.
/// A plain value: safe to pass between threads.
public struct BrokerError: Error, Equatable, Hashable, CustomStringConvertible {
    /// The wire error code (Kafka's numbering).
    public var code: Int16
    public var topic: String?
    public var partition: Int32?

    public init(code: Int16, topic: String? = nil, partition: Int32? = nil) {
        self.code = code
        self.topic = topic
        self.partition = partition
    }

    /// Kafka's name for the code, e.g. `NOT_LEADER_OR_FOLLOWER`.
    public var name: String { BrokerError.table[code]?.name ?? "UNKNOWN_ERROR_CODE_\(code)" }

    /// Whether Kafka documents the code as retriable (the request may succeed if tried again,
    /// usually after a metadata refresh).
    public var isRetriable: Bool { BrokerError.table[code]?.retriable ?? false }

    public var description: String {
        var text = "broker error \(name) (\(code))"
        if let topic { text += " for \(topic)" + (partition.map { "/\($0)" } ?? "") }
        return text
    }

    // Codes the clients test against by name.
    public static let unknownServerError: Int16 = -1
    public static let offsetOutOfRange: Int16 = 1
    public static let corruptMessage: Int16 = 2
    public static let unknownTopicOrPartition: Int16 = 3
    public static let leaderNotAvailable: Int16 = 5
    public static let notLeaderOrFollower: Int16 = 6
    public static let requestTimedOut: Int16 = 7
    public static let messageTooLarge: Int16 = 10
    public static let networkException: Int16 = 13
    public static let notEnoughReplicas: Int16 = 19
    public static let recordListTooLarge: Int16 = 18
    public static let unsupportedVersion: Int16 = 35
    public static let duplicateSequenceNumber: Int16 = 46
    public static let outOfOrderSequenceNumber: Int16 = 45
    public static let unknownProducerId: Int16 = 59

    // Names and retriability from Kafka's published error table.
    static let table: [Int16: (name: String, retriable: Bool)] = [
        -1: ("UNKNOWN_SERVER_ERROR", false),
        0: ("NONE", false),
        1: ("OFFSET_OUT_OF_RANGE", false),
        2: ("CORRUPT_MESSAGE", true),
        3: ("UNKNOWN_TOPIC_OR_PARTITION", true),
        4: ("INVALID_FETCH_SIZE", false),
        5: ("LEADER_NOT_AVAILABLE", true),
        6: ("NOT_LEADER_OR_FOLLOWER", true),
        7: ("REQUEST_TIMED_OUT", true),
        8: ("BROKER_NOT_AVAILABLE", false),
        9: ("REPLICA_NOT_AVAILABLE", true),
        10: ("MESSAGE_TOO_LARGE", false),
        11: ("STALE_CONTROLLER_EPOCH", false),
        12: ("OFFSET_METADATA_TOO_LARGE", false),
        13: ("NETWORK_EXCEPTION", true),
        14: ("COORDINATOR_LOAD_IN_PROGRESS", true),
        15: ("COORDINATOR_NOT_AVAILABLE", true),
        16: ("NOT_COORDINATOR", true),
        17: ("INVALID_TOPIC_EXCEPTION", false),
        18: ("RECORD_LIST_TOO_LARGE", false),
        19: ("NOT_ENOUGH_REPLICAS", true),
        20: ("NOT_ENOUGH_REPLICAS_AFTER_APPEND", true),
        21: ("INVALID_REQUIRED_ACKS", false),
        22: ("ILLEGAL_GENERATION", false),
        25: ("UNKNOWN_MEMBER_ID", false),
        27: ("REBALANCE_IN_PROGRESS", false),
        29: ("TOPIC_AUTHORIZATION_FAILED", false),
        35: ("UNSUPPORTED_VERSION", false),
        36: ("TOPIC_ALREADY_EXISTS", false),
        37: ("INVALID_PARTITIONS", false),
        42: ("INVALID_REQUEST", false),
        43: ("UNSUPPORTED_FOR_MESSAGE_FORMAT", false),
        45: ("OUT_OF_ORDER_SEQUENCE_NUMBER", false),
        46: ("DUPLICATE_SEQUENCE_NUMBER", false),
        47: ("INVALID_PRODUCER_EPOCH", false),
        56: ("KAFKA_STORAGE_ERROR", true),
        59: ("UNKNOWN_PRODUCER_ID", false),
        74: ("FENCED_LEADER_EPOCH", true),
        75: ("UNKNOWN_LEADER_EPOCH", true),
        87: ("INVALID_RECORD", false),
        89: ("THROTTLING_QUOTA_EXCEEDED", true),
    ]
}
