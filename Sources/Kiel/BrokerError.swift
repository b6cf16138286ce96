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
        kafkaCode?.name ?? "UNKNOWN_ERROR_CODE_\(code)"
    }

    /// Whether Kafka documents the code as retriable (the request may succeed if tried again,
    /// usually after a metadata refresh).
    public var isRetriable: Bool { kafkaCode?.isRetriable ?? false }

    public var description: String {
        var text = "broker error \(name) (\(code))"
        if let topic { text += " for \(topic)" + (partition.map { "/\($0)" } ?? "") }
        return text
    }

    // Raw codes the clients compare wire fields with, taken from KafkaProtocol's one table.
    public static let unknownServerError = KafkaErrorCode.unknownServerError.rawValue
    public static let offsetOutOfRange = KafkaErrorCode.offsetOutOfRange.rawValue
    public static let corruptMessage = KafkaErrorCode.corruptMessage.rawValue
    public static let unknownTopicOrPartition = KafkaErrorCode.unknownTopicOrPartition.rawValue
    public static let leaderNotAvailable = KafkaErrorCode.leaderNotAvailable.rawValue
    public static let notLeaderOrFollower = KafkaErrorCode.notLeaderOrFollower.rawValue
    public static let requestTimedOut = KafkaErrorCode.requestTimedOut.rawValue
    public static let messageTooLarge = KafkaErrorCode.messageTooLarge.rawValue
    public static let networkException = KafkaErrorCode.networkException.rawValue
    public static let notEnoughReplicas = KafkaErrorCode.notEnoughReplicas.rawValue
    public static let recordListTooLarge = KafkaErrorCode.recordListTooLarge.rawValue
    public static let unsupportedVersion = KafkaErrorCode.unsupportedVersion.rawValue
    public static let duplicateSequenceNumber = KafkaErrorCode.duplicateSequenceNumber.rawValue
    public static let outOfOrderSequenceNumber = KafkaErrorCode.outOfOrderSequenceNumber.rawValue
    public static let unknownProducerId = KafkaErrorCode.unknownProducerId.rawValue
}
