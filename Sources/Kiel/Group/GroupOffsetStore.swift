// A consumer group's committed offsets, kept by Kafka's group coordinator.

import KielIO
import KafkaProtocol

/// Reads and commits a group's offsets with the group's coordinator broker. For the
/// ZooKeeper-coordinated group it commits the way a standalone consumer does: no JoinGroup,
/// generation -1 and an empty member id, which Kafka accepts for a group with no active
/// members of the Kafka group protocol. A member of a broker-coordinated group sets
/// `generation`, so its commits carry its generation, member id and instance id, and the
/// coordinator refuses them once the member was replaced (ILLEGAL_GENERATION,
/// UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS: not retried here). Finds the coordinator with
/// FindCoordinator and looks it up again when the broker says it moved.
///
/// Loop-confined: call it on the loop thread only; completions run there.
final class GroupOffsetStore {
    let loop: IOLoop
    let cluster: Cluster
    let group: String
    /// Stored with each commit, as kiel does ("committed by <member>").
    let metadata: String
    /// The membership a commit is made under, read when each attempt is sent.
    var generation: () -> GroupGeneration = { .standalone }
    private var coordinator: BrokerConnection?
    private var ownConnection: BrokerConnection?
    private var closed = false
    private let retryDelay: Duration = .milliseconds(200)
    private let attempts = 25

    init(loop: IOLoop, cluster: Cluster, group: String, member: String) {
        self.loop = loop
        self.cluster = cluster
        self.group = group
        self.metadata = "committed by \(member)"
    }

    /// The committed offset per partition; -1 where the group has none.
    func fetch(_ keys: [TopicPartition], _ completion: @escaping (Result<[TopicPartition: Int64], KielError>) -> Void) {
        withRetries(attempts, completion) { [weak self] done in
            self?.fetchOnce(keys, done)
        }
    }

    /// Commits offsets (the next offset to consume per partition), with `metadata` or kiel's
    /// "committed by <member>".
    func commit(_ offsets: [TopicPartition: Int64], metadata: String? = nil,
                _ completion: @escaping (Result<Void, KielError>) -> Void) {
        guard !offsets.isEmpty else { return loop.callSoon { completion(.success(())) } }
        withRetries(attempts, completion) { [weak self] done in
            self?.commitOnce(offsets, metadata: metadata, done)
        }
    }

    func close() {
        closed = true
        ownConnection?.close()
        ownConnection = nil
        coordinator = nil
    }

    // MARK: one attempt each

    private func fetchOnce(_ keys: [TopicPartition], _ done: @escaping (Result<[TopicPartition: Int64], KielError>) -> Void) {
        withCoordinator(done) { connection in
            var request = OffsetFetchRequest()
            request.groupId = self.group
            let byTopic = Dictionary(grouping: keys, by: \.topic)
            request.topics = byTopic.keys.sorted().map { topic in
                OffsetFetchRequest.Topic(name: topic, partitionIndexes: byTopic[topic]!.map(\.partition).sorted())
            }
            // v8+ moved everything into a per-group list; the single-group form is all we need.
            connection.send(request, versionRange: 1 ... 7) { result in
                switch result {
                case .failure(let error): done(.failure(error))
                case .success(let (response, _)):
                    if let error = self.brokerError(response.errorCode) { return done(.failure(error)) }
                    var offsets: [TopicPartition: Int64] = [:]
                    for topic in response.topics {
                        for partition in topic.partitions {
                            if let error = self.brokerError(partition.errorCode, topic.name, partition.partitionIndex) {
                                return done(.failure(error))
                            }
                            offsets[TopicPartition(topic.name, partition.partitionIndex)] = partition.committedOffset
                        }
                    }
                    for key in keys where offsets[key] == nil { offsets[key] = -1 }
                    done(.success(offsets))
                }
            }
        }
    }

    private func commitOnce(_ offsets: [TopicPartition: Int64], metadata: String?,
                            _ done: @escaping (Result<Void, KielError>) -> Void) {
        withCoordinator(done) { connection in
            var request = OffsetCommitRequest()
            request.groupId = self.group
            let generation = self.generation()
            request.generationIdOrMemberEpoch = generation.generationId
            request.memberId = generation.memberId
            request.groupInstanceId = generation.groupInstanceId
            let byTopic = Dictionary(grouping: offsets.keys, by: \.topic)
            request.topics = byTopic.keys.sorted().map { topic in
                OffsetCommitRequest.Topic(name: topic, partitions: byTopic[topic]!.sorted().map { key in
                    OffsetCommitRequest.Partition(partitionIndex: key.partition, committedOffset: offsets[key]!,
                                                  committedMetadata: metadata ?? self.metadata)
                })
            }
            // v0 and v1 are gone from Kafka 4, and v1 carried a per-partition timestamp we don't send.
            connection.send(request, versionRange: 2 ... Int16.max) { result in
                switch result {
                case .failure(let error): done(.failure(error))
                case .success(let (response, _)):
                    for topic in response.topics {
                        for partition in topic.partitions {
                            if let error = self.brokerError(partition.errorCode, topic.name, partition.partitionIndex) {
                                return done(.failure(error))
                            }
                        }
                    }
                    done(.success(()))
                }
            }
        }
    }

    // MARK: the coordinator

    private func withCoordinator<T>(_ done: @escaping (Result<T, KielError>) -> Void,
                                    _ body: @escaping (BrokerConnection) -> Void) {
        guard !closed else { return loop.callSoon { done(.failure(.closed)) } }
        if let coordinator, coordinator.state != .closed { return body(coordinator) }
        findCoordinator { result in
            switch result {
            case .failure(let error): done(.failure(error))
            case .success(let connection): body(connection)
            }
        }
    }

    private func findCoordinator(_ completion: @escaping (Result<BrokerConnection, KielError>) -> Void) {
        cluster.findCoordinator(group: group) { [weak self] result in
            guard let self else { return completion(.failure(.closed)) }
            switch result {
            case .failure(let error): completion(.failure(error))
            case .success(let (node, address)):
                completion(.success(self.connect(node: node, address: address)))
            }
        }
    }

    /// A connection of our own, even when the coordinator is a broker we fetch from: a broker
    /// answers one connection's requests in order, so on the fetch connection every commit
    /// would wait behind a long-polling Fetch.
    private func connect(node: Int32, address: BrokerAddress) -> BrokerConnection {
        if let own = ownConnection, own.address == address, own.state != .closed {
            coordinator = own
            return own
        }
        ownConnection?.close()
        let connection = BrokerConnection(loop: loop, address: address, nodeID: node, options: cluster.options.connection)
        ownConnection = connection
        coordinator = connection
        return connection
    }

    private func brokerError(_ code: Int16, _ topic: String? = nil, _ partition: Int32? = nil) -> KielError? {
        guard code != 0 else { return nil }
        let error = BrokerError(wireCode: code, topic: topic, partition: partition)
        switch KafkaErrorCode(rawValue: code) {
        case .notCoordinator, .coordinatorNotAvailable:
            coordinator = nil   // look it up again on the retry
        default: break
        }
        return .broker(error)
    }

    /// Runs `attempt` until it succeeds, fails for good, or runs out of tries; retriable errors
    /// (coordinator moving or loading, connection trouble) wait a little first.
    private func withRetries<T>(_ left: Int, _ completion: @escaping (Result<T, KielError>) -> Void,
                                _ attempt: @escaping (@escaping (Result<T, KielError>) -> Void) -> Void) {
        attempt { [weak self] result in
            guard let self else { return completion(result) }
            if case .failure(let error) = result, error.isRetriable, left > 1, !self.closed {
                KielLog.debug("group \(self.group): \(error); retrying")
                self.loop.callLater(self.retryDelay) {
                    self.withRetries(left - 1, completion, attempt)
                }
                return
            }
            completion(result)
        }
    }
}

/// The membership an offset commit is made under: a generation of a broker-coordinated group
/// and the member's ids in it, or none (a standalone commit). A plain value.
struct GroupGeneration: Equatable, Sendable {
    /// The generation; -1 outside one.
    var generationId: Int32
    /// The id the coordinator gave the member; "" outside a generation.
    var memberId: String
    /// A static member's instance id; nil for a dynamic member.
    var groupInstanceId: String? = nil

    /// Not a member of a broker-coordinated generation.
    static let standalone = GroupGeneration(generationId: -1, memberId: "")
}
