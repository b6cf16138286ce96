import KafkaProtocol

/// A Kafka error code the broker returned, with the topic and partition it was about.
/// Switch on `code` (`case .notLeaderOrFollower`). A plain value: safe to pass between threads.
public struct BrokerError: Error, Equatable, Hashable, CustomStringConvertible {
    /// The code as Kafka names it; `.unknownServerError` for a code newer than this library's
    /// table (`wireCode` keeps the number).
    public var code: KafkaErrorCode
    /// The code as it came on the wire; differs from `code.rawValue` only for an unknown code.
    public var wireCode: Int16
    /// The topic the code was about, when it was per topic or partition.
    public var topic: String?
    /// The partition the code was about, when it was per partition.
    public var partition: Int32?
    /// The broker's own words on the error, where the answer carries them (admin requests).
    public var message: String?

    /// An error with a code Kafka names.
    public init(_ code: KafkaErrorCode, topic: String? = nil, partition: Int32? = nil, message: String? = nil) {
        self.init(wireCode: code.rawValue, topic: topic, partition: partition, message: message)
    }

    /// An error with a code as it came on the wire, known to this library or not.
    public init(wireCode: Int16, topic: String? = nil, partition: Int32? = nil, message: String? = nil) {
        self.code = KafkaErrorCode(rawValue: wireCode) ?? .unknownServerError
        self.wireCode = wireCode
        self.topic = topic
        self.partition = partition
        self.message = message
    }

    /// Whether this library's table knows the code (otherwise `code` is `.unknownServerError`).
    public var isKnownCode: Bool { code.rawValue == wireCode }

    /// Kafka's name for the code, e.g. `NOT_LEADER_OR_FOLLOWER`.
    public var name: String {
        isKnownCode ? code.name : "UNKNOWN_ERROR_CODE_\(wireCode)"
    }

    /// Whether Kafka documents the code as retriable (the request may succeed if tried again,
    /// usually after a metadata refresh). An unknown code is not.
    public var isRetriable: Bool { isKnownCode && code.isRetriable }

    /// The name and number, and what the code was about.
    public var description: String {
        var text = "broker error \(name) (\(wireCode))"
        if let topic { text += " for \(topic)" + (partition.map { "/\($0)" } ?? "") }
        if let message, !message.isEmpty { text += ": \(message)" }
        return text
    }

    // Wire codes the clients compare response fields with, from KafkaProtocol's one table.
    static let unknownServerError = KafkaErrorCode.unknownServerError.rawValue
    static let offsetOutOfRange = KafkaErrorCode.offsetOutOfRange.rawValue
    static let corruptMessage = KafkaErrorCode.corruptMessage.rawValue
    static let unknownTopicOrPartition = KafkaErrorCode.unknownTopicOrPartition.rawValue
    static let leaderNotAvailable = KafkaErrorCode.leaderNotAvailable.rawValue
    static let notLeaderOrFollower = KafkaErrorCode.notLeaderOrFollower.rawValue
    static let requestTimedOut = KafkaErrorCode.requestTimedOut.rawValue
    static let messageTooLarge = KafkaErrorCode.messageTooLarge.rawValue
    static let networkException = KafkaErrorCode.networkException.rawValue
    static let notEnoughReplicas = KafkaErrorCode.notEnoughReplicas.rawValue
    static let recordListTooLarge = KafkaErrorCode.recordListTooLarge.rawValue
    static let unsupportedVersion = KafkaErrorCode.unsupportedVersion.rawValue
    static let duplicateSequenceNumber = KafkaErrorCode.duplicateSequenceNumber.rawValue
    static let outOfOrderSequenceNumber = KafkaErrorCode.outOfOrderSequenceNumber.rawValue
    static let unknownProducerId = KafkaErrorCode.unknownProducerId.rawValue
}
