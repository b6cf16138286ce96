import KafkaProtocol

/// The messages of `Fixtures/generate_protocol_fixtures.py`, built with the same values on
/// this side (the script's CANONICAL table). Keep the two in step.
enum Canonical {
    static let uuid1 = KafkaUUID(high: 0x0123_4567_89ab_cdef, low: 0x0123_4567_89ab_cdef)

    static let messages: [String: any KafkaMessage] = [
        "ApiVersionsRequest": ApiVersionsRequest(clientSoftwareName: "kiel-swift", clientSoftwareVersion: "0.1.0"),
        "MetadataRequest": {
            var m = MetadataRequest(topics: ["orders", "payments"], allowAutoTopicCreation: false)
            m.includeTopicAuthorizedOperations = true
            return m
        }(),
        "MetadataRequestAllTopics": MetadataRequest(topics: nil, allowAutoTopicCreation: true),
        "ProduceRequest": ProduceRequest(acks: -1, timeoutMs: 1500, topics: [
            .init(name: "orders", partitions: [.init(index: 0, records: [1, 2, 3, 4, 5]), .init(index: 3, records: nil)]),
        ]),
        "FetchRequest": {
            var f = FetchRequest()
            f.replicaId = -1
            f.maxWaitMs = 500
            f.minBytes = 1
            f.maxBytes = 1_048_576
            f.isolationLevel = 1
            f.topics = [.init(topic: "orders", topicId: uuid1, partitions: [
                .init(partition: 0, fetchOffset: 42, partitionMaxBytes: 65536, currentLeaderEpoch: 5),
            ])]
            f.rackId = "rack-a"
            return f
        }(),
        "ListOffsetsRequest": {
            var l = ListOffsetsRequest()
            l.isolationLevel = 1
            l.timeoutMs = 1000
            l.topics = [.init(name: "orders", partitions: [.init(partitionIndex: 1, timestamp: -2)])]
            return l
        }(),
        "FindCoordinatorRequest": FindCoordinatorRequest(key: "group-1", keyType: 0),
        "OffsetCommitRequest": {
            var o = OffsetCommitRequest()
            o.groupId = "group-1"
            o.generationIdOrMemberEpoch = 3
            o.memberId = "member-1"
            o.topics = [.init(name: "orders", partitions: [.init(partitionIndex: 0, committedOffset: 100, committedMetadata: "meta")])]
            return o
        }(),
        "OffsetFetchRequest": {
            var o = OffsetFetchRequest()
            o.groupId = "group-1"
            o.topics = [.init(name: "orders", partitionIndexes: [0, 1, 2])]
            o.groups = [.init(groupId: "group-1", topics: [.init(name: "orders", partitionIndexes: [0, 1, 2])])]
            return o
        }(),
        "JoinGroupRequest": {
            var j = JoinGroupRequest()
            j.groupId = "group-1"
            j.sessionTimeoutMs = 10000
            j.rebalanceTimeoutMs = 30000
            j.protocolType = "consumer"
            j.protocols = [.init(name: "range", metadata: [0, 1, 2])]
            return j
        }(),
        "SyncGroupRequest": {
            var s = SyncGroupRequest()
            s.groupId = "group-1"
            s.generationId = 3
            s.memberId = "member-1"
            s.protocolType = "consumer"
            s.protocolName = "range"
            s.assignments = [.init(memberId: "member-1", assignment: [0, 1])]
            return s
        }(),
        "HeartbeatRequest": HeartbeatRequest(groupId: "group-1", generationId: 3, memberId: "member-1"),
        "LeaveGroupRequest": LeaveGroupRequest(groupId: "group-1", memberId: "member-1"),
        "DescribeGroupsRequest": {
            var d = DescribeGroupsRequest(groups: ["group-1", "group-2"])
            d.includeAuthorizedOperations = true
            return d
        }(),
        "ListGroupsRequest": {
            var l = ListGroupsRequest()
            l.statesFilter = ["Stable"]
            l.typesFilter = ["classic"]
            return l
        }(),
        "CreateTopicsRequest": {
            var c = CreateTopicsRequest()
            c.topics = [.init(name: "orders", numPartitions: 4, replicationFactor: 1,
                              configs: [.init(name: "cleanup.policy", value: "compact")])]
            c.timeoutMs = 5000
            return c
        }(),
        "DeleteTopicsRequest": DeleteTopicsRequest(names: ["orders"], timeoutMs: 5000),
        "InitProducerIdRequest": {
            var i = InitProducerIdRequest()
            i.transactionTimeoutMs = 60000
            return i
        }(),
        "ApiVersionsResponse": {
            var a = ApiVersionsResponse()
            a.apiKeys = [.init(apiKey: 0, minVersion: 3, maxVersion: 11), .init(apiKey: 18, minVersion: 0, maxVersion: 3)]
            return a
        }(),
        "ProduceResponse": {
            var p = ProduceResponse.Partition()
            p.baseOffset = 42
            p.logStartOffset = 0
            var t = ProduceResponse.Topic()
            t.name = "orders"
            t.partitions = [p]
            var r = ProduceResponse()
            r.topics = [t]
            return r
        }(),
        "FetchResponse": {
            var p = FetchResponse.Partition()
            p.highWatermark = 10
            p.lastStableOffset = 10
            p.logStartOffset = 0
            p.records = [0, 1, 2, 3]
            var t = FetchResponse.Topic()
            t.topic = "orders"
            t.topicId = uuid1
            t.partitions = [p]
            var r = FetchResponse()
            r.topics = [t]
            return r
        }(),
        "ListOffsetsResponse": {
            var p = ListOffsetsResponse.Partition()
            p.partitionIndex = 1
            p.offset = 77
            p.leaderEpoch = 0
            var t = ListOffsetsResponse.Topic()
            t.name = "orders"
            t.partitions = [p]
            var r = ListOffsetsResponse()
            r.topics = [t]
            return r
        }(),
        "FindCoordinatorResponse": {
            var r = FindCoordinatorResponse()
            r.nodeId = 111
            r.host = "localhost"
            r.port = 9092
            var c = FindCoordinatorResponse.Coordinator()
            c.key = "group-1"
            c.nodeId = 111
            c.host = "localhost"
            c.port = 9092
            r.coordinators = [c]
            return r
        }(),
        "OffsetFetchResponse": {
            var p = OffsetFetchResponse.Partition()
            p.committedOffset = 100
            p.metadata = "meta"
            var t = OffsetFetchResponse.Topic()
            t.name = "orders"
            t.partitions = [p]
            var g = OffsetFetchResponse.Group()
            g.groupId = "group-1"
            g.topics = [t]
            var r = OffsetFetchResponse()
            r.topics = [t]
            r.groups = [g]
            return r
        }(),
        "HeartbeatResponse": {
            var h = HeartbeatResponse()
            h.errorCode = 27
            return h
        }(),
        "SaslHandshakeRequest": SaslHandshakeRequest(mechanism: "SCRAM-SHA-512"),
        "SaslHandshakeResponse": {
            var r = SaslHandshakeResponse()
            r.errorCode = 33
            r.mechanisms = ["PLAIN", "SCRAM-SHA-256"]
            return r
        }(),
        "SaslAuthenticateRequest": SaslAuthenticateRequest(authBytes: Array("n,,n=alice,r=nonce".utf8)),
        "SaslAuthenticateResponse": {
            var r = SaslAuthenticateResponse()
            r.authBytes = Array("r=nonce,s=c2FsdA==,i=4096".utf8)
            r.sessionLifetimeMs = 3_600_000
            return r
        }(),
        "CreateTopicsResponse": {
            var t = CreateTopicsResponse.Topic()
            t.name = "orders"
            t.topicId = uuid1
            t.errorCode = 36
            t.errorMessage = "exists"
            t.numPartitions = 4
            t.replicationFactor = 1
            var r = CreateTopicsResponse()
            r.topics = [t]
            return r
        }(),
        "CreatePartitionsRequest": {
            var c = CreatePartitionsRequest()
            var payments = CreatePartitionsRequest.Topic(name: "payments", count: 2)
            var assignment = CreatePartitionsRequest.Assignment()
            assignment.brokerIds = [1, 2]
            payments.assignments = [assignment]
            c.topics = [.init(name: "orders", count: 6), payments]
            c.timeoutMs = 5000
            c.validateOnly = true
            return c
        }(),
        "CreatePartitionsResponse": {
            var t = CreatePartitionsResponse.Result()
            t.name = "orders"
            t.errorCode = 37
            t.errorMessage = "too few"
            var r = CreatePartitionsResponse()
            r.results = [t]
            return r
        }(),
        "DescribeConfigsRequest": {
            var d = DescribeConfigsRequest()
            d.resources = [.init(type: .topic, name: "orders"), .init(type: .broker, name: "1", keys: ["log.retention.ms"])]
            d.includeSynonyms = true
            d.includeDocumentation = true
            return d
        }(),
        "DescribeConfigsResponse": {
            var synonym = DescribeConfigsResponse.Synonym()
            synonym.name = "log.cleanup.policy"
            synonym.value = "delete"
            synonym.source = 5
            var e = DescribeConfigsResponse.Entry()
            e.name = "cleanup.policy"
            e.value = "compact"
            e.configSource = 1
            e.synonyms = [synonym]
            e.configType = 7
            e.documentation = "what to do"
            var result = DescribeConfigsResponse.Result()
            result.resourceType = ConfigResourceType.topic.rawValue
            result.resourceName = "orders"
            result.configs = [e]
            var r = DescribeConfigsResponse()
            r.results = [result]
            return r
        }(),
        "AlterConfigsRequest": {
            var a = AlterConfigsRequest()
            a.resources = [.init(type: .topic, name: "orders", configs: [
                .init(name: "retention.ms", value: "60000"), .init(name: "cleanup.policy", value: nil),
            ])]
            return a
        }(),
        "AlterConfigsResponse": {
            var result = AlterConfigsResourceResult()
            result.errorCode = 40
            result.errorMessage = "bad value"
            result.resourceType = 2
            result.resourceName = "orders"
            var r = AlterConfigsResponse()
            r.responses = [result]
            return r
        }(),
        "IncrementalAlterConfigsRequest": {
            var a = IncrementalAlterConfigsRequest()
            a.resources = [.init(type: .topic, name: "orders", configs: [
                .init(name: "retention.ms", operation: .set, value: "60000"),
                .init(name: "cleanup.policy", operation: .delete, value: nil),
            ])]
            a.validateOnly = true
            return a
        }(),
        "IncrementalAlterConfigsResponse": {
            var result = AlterConfigsResourceResult()
            result.resourceType = 2
            result.resourceName = "orders"
            var r = IncrementalAlterConfigsResponse()
            r.responses = [result]
            return r
        }(),
        "DeleteGroupsRequest": DeleteGroupsRequest(groups: ["group-1", "group-2"]),
        "DeleteGroupsResponse": {
            var one = DeleteGroupsResponse.Result()
            one.groupId = "group-1"
            var two = DeleteGroupsResponse.Result()
            two.groupId = "group-2"
            two.errorCode = 68
            var r = DeleteGroupsResponse()
            r.results = [one, two]
            return r
        }(),
        "DeleteRecordsRequest": {
            var d = DeleteRecordsRequest()
            d.topics = [.init(name: "orders", partitions: [.init(partitionIndex: 0, offset: 42), .init(partitionIndex: 2, offset: -1)])]
            d.timeoutMs = 5000
            return d
        }(),
        "DeleteRecordsResponse": {
            var ok = DeleteRecordsResponse.Partition()
            ok.lowWatermark = 42
            var failed = DeleteRecordsResponse.Partition()
            failed.partitionIndex = 2
            failed.errorCode = 1
            var r = DeleteRecordsResponse()
            r.topics = [.init(name: "orders", partitions: [ok, failed])]
            return r
        }(),
    ]
}
