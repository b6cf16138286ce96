// Topics: create, delete, add partitions, list and describe (with the cluster's brokers).

import KafkaProtocol

extension Admin {
    /// Creates `topics` (CreateTopics, on the controller); one outcome per topic name, e.g.
    /// TOPIC_ALREADY_EXISTS as `.broker` for one while the others are created. `validateOnly`
    /// checks the request and creates nothing.
    public func createTopics(_ topics: [NewTopic], validateOnly: Bool = false,
                             _ completion: @escaping (Result<[String: Result<Void, KielError>], KielError>) -> Void) {
        guard !topics.isEmpty else { return answerSoon([:], completion) }
        var request = CreateTopicsRequest()
        request.topics = topics.map { t in
            CreateTopicsRequest.Topic(name: t.name, numPartitions: t.partitions, replicationFactor: t.replicationFactor,
                                      configs: t.configs.sorted { $0.key < $1.key }.map { .init(name: $0.key, value: $0.value) })
        }
        request.timeoutMs = timeoutMs
        request.validateOnly = validateOnly
        withController(completion) { [weak self] connection in
            self?.send(request, to: connection) { result in
                completion(result.map { response in
                    var out: [String: Result<Void, KielError>] = [:]
                    for t in response.topics {
                        out[t.name] = Admin.error(t.errorCode, topic: t.name, message: t.errorMessage).map { .failure($0) } ?? .success(())
                    }
                    for t in topics where out[t.name] == nil {
                        out[t.name] = .failure(.protocolViolation("CreateTopics answered nothing for \(t.name)"))
                    }
                    return out
                })
                self?.cluster.refreshMetadata { _ in }
            }
        }
    }

    /// Deletes the topics `names` (DeleteTopics, on the controller); one outcome per name.
    public func deleteTopics(_ names: [String],
                             _ completion: @escaping (Result<[String: Result<Void, KielError>], KielError>) -> Void) {
        guard !names.isEmpty else { return answerSoon([:], completion) }
        let request = DeleteTopicsRequest(names: names, timeoutMs: timeoutMs)
        withController(completion) { [weak self] connection in
            self?.send(request, to: connection) { result in
                completion(result.map { response in
                    var out: [String: Result<Void, KielError>] = [:]
                    for (i, r) in response.responses.enumerated() {
                        // v6+ may leave the name out for a topic asked for by id; ours are by name, in order.
                        let name = r.name ?? (i < names.count ? names[i] : "")
                        out[name] = Admin.error(r.errorCode, topic: name, message: r.errorMessage).map { .failure($0) } ?? .success(())
                    }
                    for name in names where out[name] == nil {
                        out[name] = .failure(.protocolViolation("DeleteTopics answered nothing for \(name)"))
                    }
                    return out
                })
                self?.cluster.refreshMetadata { _ in }
            }
        }
    }

    /// Raises topics' partition counts to the totals given (CreatePartitions, on the
    /// controller); one outcome per topic. A topic cannot shrink (INVALID_PARTITIONS).
    public func createPartitions(_ totals: [String: Int32],
                                 _ completion: @escaping (Result<[String: Result<Void, KielError>], KielError>) -> Void) {
        guard !totals.isEmpty else { return answerSoon([:], completion) }
        var request = CreatePartitionsRequest()
        request.topics = totals.sorted { $0.key < $1.key }.map { CreatePartitionsRequest.Topic(name: $0.key, count: $0.value) }
        request.timeoutMs = timeoutMs
        withController(completion) { [weak self] connection in
            self?.send(request, to: connection) { result in
                completion(result.map { response in
                    var out: [String: Result<Void, KielError>] = [:]
                    for r in response.results {
                        out[r.name] = Admin.error(r.errorCode, topic: r.name, message: r.errorMessage).map { .failure($0) } ?? .success(())
                    }
                    for name in totals.keys where out[name] == nil {
                        out[name] = .failure(.protocolViolation("CreatePartitions answered nothing for \(name)"))
                    }
                    return out
                })
                self?.cluster.refreshMetadata { _ in }
            }
        }
    }

    /// The brokers, the controller and the topics `topics` (every topic when nil) with their
    /// partitions' leaders, replicas and ISR (Metadata). A topic that does not exist comes
    /// back with its `error` (UNKNOWN_TOPIC_OR_PARTITION); none is created.
    public func describeCluster(topics: [String]? = nil,
                                _ completion: @escaping (Result<ClusterDescription, KielError>) -> Void) {
        withAnyBroker(completion) { [weak self] connection in
            self?.send(MetadataRequest(topics: topics, allowAutoTopicCreation: false), to: connection) { result in
                completion(result.map(ClusterDescription.init))
            }
        }
    }

    /// Every topic but Kafka's own (unless `includeInternal`), by name, with its partitions.
    public func listTopics(includeInternal: Bool = false,
                           _ completion: @escaping (Result<[TopicDescription], KielError>) -> Void) {
        describeCluster { result in
            completion(result.map { $0.topics.filter { includeInternal || !$0.isInternal } })
        }
    }
}

extension ClusterDescription {
    /// The admin view of a Metadata answer, sorted by node id and by topic name.
    init(_ r: MetadataResponse) {
        clusterID = r.clusterId
        controllerID = r.controllerId
        brokers = r.brokers.map { BrokerDescription(nodeID: $0.nodeId, host: $0.host, port: $0.port, rack: $0.rack) }
            .sorted { $0.nodeID < $1.nodeID }
        topics = r.topics.map { t in
            let name = t.name ?? ""
            return TopicDescription(
                name: name, topicID: t.topicId, isInternal: t.isInternal,
                error: t.errorCode == 0 ? nil : BrokerError(wireCode: t.errorCode, topic: name),
                partitions: t.partitions.map { p in
                    PartitionDescription(partition: p.partitionIndex, leader: p.leaderId, leaderEpoch: p.leaderEpoch,
                                         replicas: p.replicaNodes, isr: p.isrNodes, offlineReplicas: p.offlineReplicas,
                                         error: p.errorCode == 0 ? nil
                                            : BrokerError(wireCode: p.errorCode, topic: name, partition: p.partitionIndex))
                }.sorted { $0.partition < $1.partition })
        }.sorted { $0.name < $1.name }
    }
}
