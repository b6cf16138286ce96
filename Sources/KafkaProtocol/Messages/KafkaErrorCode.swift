/// Every error code a Kafka broker can return, by name.
///
/// Value type; any thread. `KafkaErrorCode(rawValue:)` is nil for a code this table does not
/// know (a newer broker); keep the raw `Int16` in that case. `isRetriable` marks the errors
/// that Kafka classifies as transient: the same request may succeed later (usually after a
/// metadata refresh or a backoff).
public enum KafkaErrorCode: Int16, CaseIterable, Sendable, CustomStringConvertible {
    case unknownServerError = -1
    case none = 0
    case offsetOutOfRange = 1
    case corruptMessage = 2
    case unknownTopicOrPartition = 3
    case invalidFetchSize = 4
    case leaderNotAvailable = 5
    case notLeaderOrFollower = 6
    case requestTimedOut = 7
    case brokerNotAvailable = 8
    case replicaNotAvailable = 9
    case messageTooLarge = 10
    case staleControllerEpoch = 11
    case offsetMetadataTooLarge = 12
    case networkException = 13
    case coordinatorLoadInProgress = 14
    case coordinatorNotAvailable = 15
    case notCoordinator = 16
    case invalidTopicException = 17
    case recordListTooLarge = 18
    case notEnoughReplicas = 19
    case notEnoughReplicasAfterAppend = 20
    case invalidRequiredAcks = 21
    case illegalGeneration = 22
    case inconsistentGroupProtocol = 23
    case invalidGroupId = 24
    case unknownMemberId = 25
    case invalidSessionTimeout = 26
    case rebalanceInProgress = 27
    case invalidCommitOffsetSize = 28
    case topicAuthorizationFailed = 29
    case groupAuthorizationFailed = 30
    case clusterAuthorizationFailed = 31
    case invalidTimestamp = 32
    case unsupportedSaslMechanism = 33
    case illegalSaslState = 34
    case unsupportedVersion = 35
    case topicAlreadyExists = 36
    case invalidPartitions = 37
    case invalidReplicationFactor = 38
    case invalidReplicaAssignment = 39
    case invalidConfig = 40
    case notController = 41
    case invalidRequest = 42
    case unsupportedForMessageFormat = 43
    case policyViolation = 44
    case outOfOrderSequenceNumber = 45
    case duplicateSequenceNumber = 46
    case invalidProducerEpoch = 47
    case invalidTxnState = 48
    case invalidProducerIdMapping = 49
    case invalidTransactionTimeout = 50
    case concurrentTransactions = 51
    case transactionCoordinatorFenced = 52
    case transactionalIdAuthorizationFailed = 53
    case securityDisabled = 54
    case operationNotAttempted = 55
    case kafkaStorageError = 56
    case logDirNotFound = 57
    case saslAuthenticationFailed = 58
    case unknownProducerId = 59
    case reassignmentInProgress = 60
    case delegationTokenAuthDisabled = 61
    case delegationTokenNotFound = 62
    case delegationTokenOwnerMismatch = 63
    case delegationTokenRequestNotAllowed = 64
    case delegationTokenAuthorizationFailed = 65
    case delegationTokenExpired = 66
    case invalidPrincipalType = 67
    case nonEmptyGroup = 68
    case groupIdNotFound = 69
    case fetchSessionIdNotFound = 70
    case invalidFetchSessionEpoch = 71
    case listenerNotFound = 72
    case topicDeletionDisabled = 73
    case fencedLeaderEpoch = 74
    case unknownLeaderEpoch = 75
    case unsupportedCompressionType = 76
    case staleBrokerEpoch = 77
    case offsetNotAvailable = 78
    case memberIdRequired = 79
    case preferredLeaderNotAvailable = 80
    case groupMaxSizeReached = 81
    case fencedInstanceId = 82
    case eligibleLeadersNotAvailable = 83
    case electionNotNeeded = 84
    case noReassignmentInProgress = 85
    case groupSubscribedToTopic = 86
    case invalidRecord = 87
    case unstableOffsetCommit = 88
    case throttlingQuotaExceeded = 89
    case producerFenced = 90
    case resourceNotFound = 91
    case duplicateResource = 92
    case unacceptableCredential = 93
    case inconsistentVoterSet = 94
    case invalidUpdateVersion = 95
    case featureUpdateFailed = 96
    case principalDeserializationFailure = 97
    case snapshotNotFound = 98
    case unknownTopicId = 100
    case duplicateBrokerRegistration = 101
    case brokerIdNotRegistered = 102
    case inconsistentTopicId = 103
    case inconsistentClusterId = 104
    case transactionalIdNotFound = 105
    case fetchSessionTopicIdError = 106
    case ineligibleReplica = 107
    case newLeaderElected = 108
    case offsetMovedToTieredStorage = 109
    case fencedMemberEpoch = 110
    case unreleasedInstanceId = 111
    case unsupportedAssignor = 112
    case staleMemberEpoch = 113
    case mismatchedEndpointType = 114
    case unsupportedEndpointType = 115
    case unknownControllerId = 116
    case unknownSubscriptionId = 117
    case telemetryTooLarge = 118
    case invalidRegistration = 119
    case transactionAbortable = 120
    case invalidRecordState = 121
    case shareSessionNotFound = 122
    case invalidShareSessionEpoch = 123
    case fencedStateEpoch = 124
    case invalidVoterKey = 125
    case duplicateVoter = 126
    case voterNotFound = 127
    case invalidRegularExpression = 128
    case rebootstrapRequired = 129
    case streamsInvalidTopology = 130
    case streamsInvalidTopologyEpoch = 131
    case streamsTopologyFenced = 132
    case shareSessionLimitReached = 133

    /// Kafka's name for the code, e.g. "NOT_LEADER_OR_FOLLOWER".
    public var name: String { KafkaErrorCode.info[self]!.name }

    /// Whether Kafka classifies the error as transient.
    public var isRetriable: Bool { KafkaErrorCode.info[self]!.retriable }

    /// Whether this is the "no error" code.
    public var isError: Bool { self != .none }

    /// "NAME (code)", with "retriable" for transient errors.
    public var description: String { "\(name) (\(rawValue))" + (isRetriable ? ", retriable" : "") }

    /// A readable name for any raw code, known or not.
    public static func describe(_ code: Int16) -> String {
        KafkaErrorCode(rawValue: code)?.description ?? "unknown error code \(code)"
    }

    private static let info: [KafkaErrorCode: (name: String, retriable: Bool)] = [
        .unknownServerError: ("UNKNOWN_SERVER_ERROR", false),
        .none: ("NONE", false),
        .offsetOutOfRange: ("OFFSET_OUT_OF_RANGE", false),
        .corruptMessage: ("CORRUPT_MESSAGE", true),
        .unknownTopicOrPartition: ("UNKNOWN_TOPIC_OR_PARTITION", true),
        .invalidFetchSize: ("INVALID_FETCH_SIZE", false),
        .leaderNotAvailable: ("LEADER_NOT_AVAILABLE", true),
        .notLeaderOrFollower: ("NOT_LEADER_OR_FOLLOWER", true),
        .requestTimedOut: ("REQUEST_TIMED_OUT", true),
        .brokerNotAvailable: ("BROKER_NOT_AVAILABLE", false),
        .replicaNotAvailable: ("REPLICA_NOT_AVAILABLE", true),
        .messageTooLarge: ("MESSAGE_TOO_LARGE", false),
        .staleControllerEpoch: ("STALE_CONTROLLER_EPOCH", false),
        .offsetMetadataTooLarge: ("OFFSET_METADATA_TOO_LARGE", false),
        .networkException: ("NETWORK_EXCEPTION", true),
        .coordinatorLoadInProgress: ("COORDINATOR_LOAD_IN_PROGRESS", true),
        .coordinatorNotAvailable: ("COORDINATOR_NOT_AVAILABLE", true),
        .notCoordinator: ("NOT_COORDINATOR", true),
        .invalidTopicException: ("INVALID_TOPIC_EXCEPTION", false),
        .recordListTooLarge: ("RECORD_LIST_TOO_LARGE", false),
        .notEnoughReplicas: ("NOT_ENOUGH_REPLICAS", true),
        .notEnoughReplicasAfterAppend: ("NOT_ENOUGH_REPLICAS_AFTER_APPEND", true),
        .invalidRequiredAcks: ("INVALID_REQUIRED_ACKS", false),
        .illegalGeneration: ("ILLEGAL_GENERATION", false),
        .inconsistentGroupProtocol: ("INCONSISTENT_GROUP_PROTOCOL", false),
        .invalidGroupId: ("INVALID_GROUP_ID", false),
        .unknownMemberId: ("UNKNOWN_MEMBER_ID", false),
        .invalidSessionTimeout: ("INVALID_SESSION_TIMEOUT", false),
        .rebalanceInProgress: ("REBALANCE_IN_PROGRESS", false),
        .invalidCommitOffsetSize: ("INVALID_COMMIT_OFFSET_SIZE", false),
        .topicAuthorizationFailed: ("TOPIC_AUTHORIZATION_FAILED", false),
        .groupAuthorizationFailed: ("GROUP_AUTHORIZATION_FAILED", false),
        .clusterAuthorizationFailed: ("CLUSTER_AUTHORIZATION_FAILED", false),
        .invalidTimestamp: ("INVALID_TIMESTAMP", false),
        .unsupportedSaslMechanism: ("UNSUPPORTED_SASL_MECHANISM", false),
        .illegalSaslState: ("ILLEGAL_SASL_STATE", false),
        .unsupportedVersion: ("UNSUPPORTED_VERSION", false),
        .topicAlreadyExists: ("TOPIC_ALREADY_EXISTS", false),
        .invalidPartitions: ("INVALID_PARTITIONS", false),
        .invalidReplicationFactor: ("INVALID_REPLICATION_FACTOR", false),
        .invalidReplicaAssignment: ("INVALID_REPLICA_ASSIGNMENT", false),
        .invalidConfig: ("INVALID_CONFIG", false),
        .notController: ("NOT_CONTROLLER", true),
        .invalidRequest: ("INVALID_REQUEST", false),
        .unsupportedForMessageFormat: ("UNSUPPORTED_FOR_MESSAGE_FORMAT", false),
        .policyViolation: ("POLICY_VIOLATION", false),
        .outOfOrderSequenceNumber: ("OUT_OF_ORDER_SEQUENCE_NUMBER", false),
        .duplicateSequenceNumber: ("DUPLICATE_SEQUENCE_NUMBER", false),
        .invalidProducerEpoch: ("INVALID_PRODUCER_EPOCH", false),
        .invalidTxnState: ("INVALID_TXN_STATE", false),
        .invalidProducerIdMapping: ("INVALID_PRODUCER_ID_MAPPING", false),
        .invalidTransactionTimeout: ("INVALID_TRANSACTION_TIMEOUT", false),
        .concurrentTransactions: ("CONCURRENT_TRANSACTIONS", true),
        .transactionCoordinatorFenced: ("TRANSACTION_COORDINATOR_FENCED", false),
        .transactionalIdAuthorizationFailed: ("TRANSACTIONAL_ID_AUTHORIZATION_FAILED", false),
        .securityDisabled: ("SECURITY_DISABLED", false),
        .operationNotAttempted: ("OPERATION_NOT_ATTEMPTED", false),
        .kafkaStorageError: ("KAFKA_STORAGE_ERROR", true),
        .logDirNotFound: ("LOG_DIR_NOT_FOUND", false),
        .saslAuthenticationFailed: ("SASL_AUTHENTICATION_FAILED", false),
        .unknownProducerId: ("UNKNOWN_PRODUCER_ID", false),
        .reassignmentInProgress: ("REASSIGNMENT_IN_PROGRESS", false),
        .delegationTokenAuthDisabled: ("DELEGATION_TOKEN_AUTH_DISABLED", false),
        .delegationTokenNotFound: ("DELEGATION_TOKEN_NOT_FOUND", false),
        .delegationTokenOwnerMismatch: ("DELEGATION_TOKEN_OWNER_MISMATCH", false),
        .delegationTokenRequestNotAllowed: ("DELEGATION_TOKEN_REQUEST_NOT_ALLOWED", false),
        .delegationTokenAuthorizationFailed: ("DELEGATION_TOKEN_AUTHORIZATION_FAILED", false),
        .delegationTokenExpired: ("DELEGATION_TOKEN_EXPIRED", false),
        .invalidPrincipalType: ("INVALID_PRINCIPAL_TYPE", false),
        .nonEmptyGroup: ("NON_EMPTY_GROUP", false),
        .groupIdNotFound: ("GROUP_ID_NOT_FOUND", false),
        .fetchSessionIdNotFound: ("FETCH_SESSION_ID_NOT_FOUND", true),
        .invalidFetchSessionEpoch: ("INVALID_FETCH_SESSION_EPOCH", true),
        .listenerNotFound: ("LISTENER_NOT_FOUND", true),
        .topicDeletionDisabled: ("TOPIC_DELETION_DISABLED", false),
        .fencedLeaderEpoch: ("FENCED_LEADER_EPOCH", true),
        .unknownLeaderEpoch: ("UNKNOWN_LEADER_EPOCH", true),
        .unsupportedCompressionType: ("UNSUPPORTED_COMPRESSION_TYPE", false),
        .staleBrokerEpoch: ("STALE_BROKER_EPOCH", false),
        .offsetNotAvailable: ("OFFSET_NOT_AVAILABLE", true),
        .memberIdRequired: ("MEMBER_ID_REQUIRED", false),
        .preferredLeaderNotAvailable: ("PREFERRED_LEADER_NOT_AVAILABLE", true),
        .groupMaxSizeReached: ("GROUP_MAX_SIZE_REACHED", false),
        .fencedInstanceId: ("FENCED_INSTANCE_ID", false),
        .eligibleLeadersNotAvailable: ("ELIGIBLE_LEADERS_NOT_AVAILABLE", true),
        .electionNotNeeded: ("ELECTION_NOT_NEEDED", true),
        .noReassignmentInProgress: ("NO_REASSIGNMENT_IN_PROGRESS", false),
        .groupSubscribedToTopic: ("GROUP_SUBSCRIBED_TO_TOPIC", false),
        .invalidRecord: ("INVALID_RECORD", false),
        .unstableOffsetCommit: ("UNSTABLE_OFFSET_COMMIT", true),
        .throttlingQuotaExceeded: ("THROTTLING_QUOTA_EXCEEDED", true),
        .producerFenced: ("PRODUCER_FENCED", false),
        .resourceNotFound: ("RESOURCE_NOT_FOUND", false),
        .duplicateResource: ("DUPLICATE_RESOURCE", false),
        .unacceptableCredential: ("UNACCEPTABLE_CREDENTIAL", false),
        .inconsistentVoterSet: ("INCONSISTENT_VOTER_SET", false),
        .invalidUpdateVersion: ("INVALID_UPDATE_VERSION", false),
        .featureUpdateFailed: ("FEATURE_UPDATE_FAILED", false),
        .principalDeserializationFailure: ("PRINCIPAL_DESERIALIZATION_FAILURE", false),
        .snapshotNotFound: ("SNAPSHOT_NOT_FOUND", false),
        .unknownTopicId: ("UNKNOWN_TOPIC_ID", true),
        .duplicateBrokerRegistration: ("DUPLICATE_BROKER_REGISTRATION", false),
        .brokerIdNotRegistered: ("BROKER_ID_NOT_REGISTERED", false),
        .inconsistentTopicId: ("INCONSISTENT_TOPIC_ID", true),
        .inconsistentClusterId: ("INCONSISTENT_CLUSTER_ID", false),
        .transactionalIdNotFound: ("TRANSACTIONAL_ID_NOT_FOUND", false),
        .fetchSessionTopicIdError: ("FETCH_SESSION_TOPIC_ID_ERROR", true),
        .ineligibleReplica: ("INELIGIBLE_REPLICA", false),
        .newLeaderElected: ("NEW_LEADER_ELECTED", false),
        .offsetMovedToTieredStorage: ("OFFSET_MOVED_TO_TIERED_STORAGE", false),
        .fencedMemberEpoch: ("FENCED_MEMBER_EPOCH", false),
        .unreleasedInstanceId: ("UNRELEASED_INSTANCE_ID", false),
        .unsupportedAssignor: ("UNSUPPORTED_ASSIGNOR", false),
        .staleMemberEpoch: ("STALE_MEMBER_EPOCH", false),
        .mismatchedEndpointType: ("MISMATCHED_ENDPOINT_TYPE", false),
        .unsupportedEndpointType: ("UNSUPPORTED_ENDPOINT_TYPE", false),
        .unknownControllerId: ("UNKNOWN_CONTROLLER_ID", false),
        .unknownSubscriptionId: ("UNKNOWN_SUBSCRIPTION_ID", false),
        .telemetryTooLarge: ("TELEMETRY_TOO_LARGE", false),
        .invalidRegistration: ("INVALID_REGISTRATION", false),
        .transactionAbortable: ("TRANSACTION_ABORTABLE", false),
        .invalidRecordState: ("INVALID_RECORD_STATE", false),
        .shareSessionNotFound: ("SHARE_SESSION_NOT_FOUND", true),
        .invalidShareSessionEpoch: ("INVALID_SHARE_SESSION_EPOCH", true),
        .fencedStateEpoch: ("FENCED_STATE_EPOCH", false),
        .invalidVoterKey: ("INVALID_VOTER_KEY", false),
        .duplicateVoter: ("DUPLICATE_VOTER", false),
        .voterNotFound: ("VOTER_NOT_FOUND", false),
        .invalidRegularExpression: ("INVALID_REGULAR_EXPRESSION", false),
        .rebootstrapRequired: ("REBOOTSTRAP_REQUIRED", false),
        .streamsInvalidTopology: ("STREAMS_INVALID_TOPOLOGY", false),
        .streamsInvalidTopologyEpoch: ("STREAMS_INVALID_TOPOLOGY_EPOCH", false),
        .streamsTopologyFenced: ("STREAMS_TOPOLOGY_FENCED", false),
        .shareSessionLimitReached: ("SHARE_SESSION_LIMIT_REACHED", false),
    ]
}
