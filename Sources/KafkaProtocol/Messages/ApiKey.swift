/// Every Kafka API by its wire number (the `apiKey` of the request header).
///
/// Value type; any thread. Only some of these have message types here (see `ApiSpec`); the
/// rest exist so that an ApiVersions answer can be read and printed in full.
public enum ApiKey: Int16, CaseIterable, Sendable, CustomStringConvertible {
    case produce = 0
    case fetch = 1
    case listOffsets = 2
    case metadata = 3
    case leaderAndIsr = 4
    case stopReplica = 5
    case updateMetadata = 6
    case controlledShutdown = 7
    case offsetCommit = 8
    case offsetFetch = 9
    case findCoordinator = 10
    case joinGroup = 11
    case heartbeat = 12
    case leaveGroup = 13
    case syncGroup = 14
    case describeGroups = 15
    case listGroups = 16
    case saslHandshake = 17
    case apiVersions = 18
    case createTopics = 19
    case deleteTopics = 20
    case deleteRecords = 21
    case initProducerId = 22
    case offsetForLeaderEpoch = 23
    case addPartitionsToTxn = 24
    case addOffsetsToTxn = 25
    case endTxn = 26
    case writeTxnMarkers = 27
    case txnOffsetCommit = 28
    case describeAcls = 29
    case createAcls = 30
    case deleteAcls = 31
    case describeConfigs = 32
    case alterConfigs = 33
    case alterReplicaLogDirs = 34
    case describeLogDirs = 35
    case saslAuthenticate = 36
    case createPartitions = 37
    case createDelegationToken = 38
    case renewDelegationToken = 39
    case expireDelegationToken = 40
    case describeDelegationToken = 41
    case deleteGroups = 42
    case electLeaders = 43
    case incrementalAlterConfigs = 44
    case alterPartitionReassignments = 45
    case listPartitionReassignments = 46
    case offsetDelete = 47
    case describeClientQuotas = 48
    case alterClientQuotas = 49
    case describeUserScramCredentials = 50
    case alterUserScramCredentials = 51
    case vote = 52
    case beginQuorumEpoch = 53
    case endQuorumEpoch = 54
    case describeQuorum = 55
    case alterPartition = 56
    case updateFeatures = 57
    case envelope = 58
    case fetchSnapshot = 59
    case describeCluster = 60
    case describeProducers = 61
    case brokerRegistration = 62
    case brokerHeartbeat = 63
    case unregisterBroker = 64
    case describeTransactions = 65
    case listTransactions = 66
    case allocateProducerIds = 67
    case consumerGroupHeartbeat = 68
    case consumerGroupDescribe = 69
    case controllerRegistration = 70
    case getTelemetrySubscriptions = 71
    case pushTelemetry = 72
    case assignReplicasToDirs = 73
    case listConfigResources = 74
    case describeTopicPartitions = 75
    case shareGroupHeartbeat = 76
    case shareGroupDescribe = 77
    case shareFetch = 78
    case shareAcknowledge = 79
    case addRaftVoter = 80
    case removeRaftVoter = 81
    case updateRaftVoter = 82
    case initializeShareGroupState = 83
    case readShareGroupState = 84
    case writeShareGroupState = 85
    case deleteShareGroupState = 86
    case readShareGroupStateSummary = 87
    case streamsGroupHeartbeat = 88
    case streamsGroupDescribe = 89
    case describeShareGroupOffsets = 90
    case alterShareGroupOffsets = 91
    case deleteShareGroupOffsets = 92

    /// The name Kafka uses, e.g. "ApiVersions".
    public var name: String { ApiKey.names[Int(rawValue)] }

    /// The name and key, e.g. "fetch(1)".
    public var description: String { "\(name)(\(rawValue))" }

    private static let names: [String] = [
        "Produce", "Fetch", "ListOffsets", "Metadata", "LeaderAndIsr", "StopReplica",
        "UpdateMetadata", "ControlledShutdown", "OffsetCommit", "OffsetFetch", "FindCoordinator",
        "JoinGroup", "Heartbeat", "LeaveGroup", "SyncGroup", "DescribeGroups", "ListGroups",
        "SaslHandshake", "ApiVersions", "CreateTopics", "DeleteTopics", "DeleteRecords",
        "InitProducerId", "OffsetForLeaderEpoch", "AddPartitionsToTxn", "AddOffsetsToTxn", "EndTxn",
        "WriteTxnMarkers", "TxnOffsetCommit", "DescribeAcls", "CreateAcls", "DeleteAcls",
        "DescribeConfigs", "AlterConfigs", "AlterReplicaLogDirs", "DescribeLogDirs",
        "SaslAuthenticate", "CreatePartitions", "CreateDelegationToken", "RenewDelegationToken",
        "ExpireDelegationToken", "DescribeDelegationToken", "DeleteGroups", "ElectLeaders",
        "IncrementalAlterConfigs", "AlterPartitionReassignments", "ListPartitionReassignments",
        "OffsetDelete", "DescribeClientQuotas", "AlterClientQuotas", "DescribeUserScramCredentials",
        "AlterUserScramCredentials", "Vote", "BeginQuorumEpoch", "EndQuorumEpoch", "DescribeQuorum",
        "AlterPartition", "UpdateFeatures", "Envelope", "FetchSnapshot", "DescribeCluster",
        "DescribeProducers", "BrokerRegistration", "BrokerHeartbeat", "UnregisterBroker",
        "DescribeTransactions", "ListTransactions", "AllocateProducerIds", "ConsumerGroupHeartbeat",
        "ConsumerGroupDescribe", "ControllerRegistration", "GetTelemetrySubscriptions",
        "PushTelemetry", "AssignReplicasToDirs", "ListConfigResources", "DescribeTopicPartitions",
        "ShareGroupHeartbeat", "ShareGroupDescribe", "ShareFetch", "ShareAcknowledge",
        "AddRaftVoter", "RemoveRaftVoter", "UpdateRaftVoter", "InitializeShareGroupState",
        "ReadShareGroupState", "WriteShareGroupState", "DeleteShareGroupState",
        "ReadShareGroupStateSummary", "StreamsGroupHeartbeat", "StreamsGroupDescribe",
        "DescribeShareGroupOffsets", "AlterShareGroupOffsets", "DeleteShareGroupOffsets",
    ]
}
