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

    /// The code as KafkaProtocol names it; nil for a code newer than our table.
    public var kafkaCode: KafkaErrorCode? { KafkaErrorCode(rawValue: code) }

    /// Kafka's name for the code, e.g. `NOT_LEADER_OR_FOLLOWER`.
    public var name: String {
        if let known = kafkaCode { return known.name }
        return code == BrokerError.offsetOutOfRange ? "OFFSET_OUT_OF_RANGE" : "UNKNOWN_ERROR_CODE_\(code)"
    }

    /// Whether Kafka documents the code as retriable (the request may succeed if tried again,
    /// usually after a metadata refresh).
    public var isRetriable: Bool { kafkaCode?.isRetriable ?? false }

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
}
