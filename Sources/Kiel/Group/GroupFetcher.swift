// Fetching a changing set of partitions for a grouped consumer.

import KielIO
import KafkaProtocol

/// Keeps fetching the partitions it is told to, from their leaders, one Fetch per leader in
/// flight (a long poll of `maxWait`), and hands the records of each partition on in offset
/// order. A partition can be added or stopped at any moment; once stopped, nothing more of it
/// is delivered, not even from a response already on its way.
///
/// Loop-confined: call it on the loop thread only; callbacks run there.
final class GroupFetcher {
    struct Settings {
        var maxWait: Duration = .seconds(1)
        var minBytes = 1
        var maxBytes = 1 << 20
        /// Where a partition starts when the group has no offset for it, or its offset is
        /// gone: ListOffsets' -2 (earliest) or -1 (latest).
        var resetTimestamp: Int64 = -2
        /// Pause before asking a leader again after a round that failed or only brought errors.
        var retryBackoff: Duration = .milliseconds(200)
        /// What one fetch answer may decode to; nil is `DecodeBudget.forFetch(maxBytes: maxBytes)`.
        var decodeBudget: DecodeBudget?
    }

    let loop: IOLoop
    let cluster: Cluster
    let settings: Settings
    var onRecords: ((TopicPartition, [Record], _ nextOffset: Int64) -> Void)?
    var onError: ((KielError) -> Void)?

    /// Next offset to fetch, per partition being fetched.
    private var positions: [TopicPartition: Int64] = [:]
    /// Bumped on every start, so a response for an earlier run of a partition is ignored.
    private var runs: [TopicPartition: Int] = [:]
    private var fetchingFrom: Set<Int32> = []
    /// Leaders whose last round failed: left alone for `retryBackoff`.
    private var pausedLeaders: Set<Int32> = []
    /// Counts fetch answers, to rotate which partition decodes first (and so gets the whole
    /// decode budget) from one answer to the next.
    private var answers = 0
    private var pumpScheduled = false
    private var waitingForMetadata = false
    private var closed = false

    init(loop: IOLoop, cluster: Cluster, settings: Settings) {
        self.loop = loop
        self.cluster = cluster
        self.settings = settings
    }

    func start(_ tp: TopicPartition, at offset: Int64) {
        positions[tp] = offset
        runs[tp, default: 0] += 1
        schedulePump()
    }

    func stop(_ tp: TopicPartition) {
        positions[tp] = nil
        runs[tp, default: 0] += 1
    }

    func close() {
        closed = true
        positions = [:]
    }

    /// The offset to start at when the group has none: earliest or latest, per partition.
    func resetOffsets(_ tps: [TopicPartition], _ completion: @escaping (Result<[TopicPartition: Int64], KielError>) -> Void) {
        guard !tps.isEmpty else { return loop.callSoon { completion(.success([:])) } }
        var byLeader: [Int32: [TopicPartition]] = [:]
        for tp in tps {
            guard let leader = cluster.metadata.leader(for: tp) else {
                return cluster.refreshMetadata { [weak self] result in
                    guard let self else { return }
                    switch result {
                    case .failure(let error): completion(.failure(error))
                    case .success(let metadata):
                        if tps.allSatisfy({ metadata.leader(for: $0) != nil }) {
                            self.resetOffsets(tps, completion)
                        } else {
                            completion(.failure(.unknownPartition(topic: tp.topic, partition: tp.partition)))
                        }
                    }
                }
            }
            byLeader[leader, default: []].append(tp)
        }
        var offsets: [TopicPartition: Int64] = [:]
        var left = byLeader.count
        var failure: KielError?
        for (leader, group) in byLeader {
            guard let connection = cluster.connection(forNode: leader) else {
                return loop.callSoon { completion(.failure(.noBrokersAvailable("leader \(leader) is not connected"))) }
            }
            var request = ListOffsetsRequest()
            let topics = Dictionary(grouping: group, by: \.topic)
            request.topics = topics.keys.sorted().map { topic in
                ListOffsetsRequest.Topic(name: topic, partitions: topics[topic]!.map {
                    ListOffsetsRequest.Partition(partitionIndex: $0.partition, timestamp: settings.resetTimestamp)
                })
            }
            connection.send(request, versionRange: 1 ... Int16.max) { result in
                switch result {
                case .failure(let error): failure = error
                case .success(let (response, _)):
                    for topic in response.topics {
                        for partition in topic.partitions {
                            if partition.errorCode != 0 {
                                failure = .broker(BrokerError(code: partition.errorCode, topic: topic.name,
                                                              partition: partition.partitionIndex))
                            } else {
                                offsets[TopicPartition(topic.name, partition.partitionIndex)] = partition.offset
                            }
                        }
                    }
                }
                left -= 1
                if left == 0 { completion(failure.map { .failure($0) } ?? .success(offsets)) }
            }
        }
    }

    // MARK: the fetch loop

    private func schedulePump() {
        guard !pumpScheduled, !closed else { return }
        pumpScheduled = true
        loop.callSoon { [weak self] in
            self?.pumpScheduled = false
            self?.pump()
        }
    }

    /// Sends a Fetch to every leader that has partitions to fetch and none in flight.
    private func pump() {
        guard !closed else { return }
        var byLeader: [Int32: [TopicPartition]] = [:]
        var leaderless = false
        for tp in positions.keys {
            if let leader = cluster.metadata.leader(for: tp) {
                byLeader[leader, default: []].append(tp)
            } else {
                leaderless = true
            }
        }
        if leaderless { refreshMetadataSoon() }
        for (leader, tps) in byLeader where !fetchingFrom.contains(leader) && !pausedLeaders.contains(leader) {
            guard let connection = cluster.connection(forNode: leader) else { continue }
            fetch(tps.sorted(), from: leader, over: connection)
        }
    }

    private func fetch(_ tps: [TopicPartition], from leader: Int32, over connection: BrokerConnection) {
        let asked = Dictionary(uniqueKeysWithValues: tps.map { ($0, (offset: positions[$0]!, run: runs[$0] ?? 0)) })
        var request = FetchRequest()
        request.maxWaitMs = Int32(clamping: settings.maxWait.milliseconds)
        request.minBytes = Int32(clamping: settings.minBytes)
        request.maxBytes = Int32(clamping: settings.maxBytes)
        let perPartition = partitionMaxBytes(total: settings.maxBytes, partitions: tps.count, floor: 64 << 10)
        let topics = Dictionary(grouping: tps, by: \.topic)
        request.topics = topics.keys.sorted().map { topic in
            FetchRequest.Topic(topic: topic, partitions: topics[topic]!.map {
                FetchRequest.Partition(partition: $0.partition, fetchOffset: asked[$0]!.offset, partitionMaxBytes: perPartition)
            })
        }
        fetchingFrom.insert(leader)
        // From v13 topics go by id; by name is all we need, and Kafka 4 still speaks v4–12.
        // Capped: a "forever" maxWait plus the request timeout must not overflow the deadline.
        let timeout = settings.maxWait.cappedAdding(connection.options.requestTimeout)
        connection.send(request, timeout: timeout, versionRange: 4 ... 12) { [weak self] result in
            guard let self else { return }
            self.fetchingFrom.remove(leader)
            var healthy = true
            switch result {
            case .failure(let error):
                if !self.closed { self.onError?(error) }
                self.refreshMetadataSoon()
                healthy = false
            case .success(let (response, _)):
                healthy = self.handle(response, asked: asked)
            }
            if !healthy {
                // Errors and nothing delivered: don't ask again in a tight loop.
                self.pausedLeaders.insert(leader)
                self.loop.callLater(self.settings.retryBackoff) { [weak self] in
                    self?.pausedLeaders.remove(leader)
                    self?.schedulePump()
                }
            }
            self.schedulePump()
        }
    }

    /// Delivers what came; false when partitions answered with errors (or records that could
    /// not be decoded) and nothing was delivered. The partitions share one decode budget; the
    /// one that decodes first moves one place on with every answer, so a batch that needs the
    /// whole budget gets it within as many answers as there are partitions.
    private func handle(_ response: FetchResponse, asked: [TopicPartition: (offset: Int64, run: Int)]) -> Bool {
        var outOfRange: [TopicPartition] = []
        var delivered = false
        var failed = false
        let budget = settings.decodeBudget ?? .forFetch(maxBytes: settings.maxBytes)
        var remaining = budget
        let parts = response.topics.flatMap { topic in topic.partitions.map { (topic: topic.topic, partition: $0) } }
        let first = parts.isEmpty ? 0 : answers % parts.count
        answers &+= 1
        for i in parts.indices {
            let (topic, partition) = parts[(first + i) % parts.count]
            let tp = TopicPartition(topic, partition.partitionIndex)
            // Stopped or restarted meanwhile: this answer is for a run that is over.
            guard let ask = asked[tp], runs[tp] == ask.run, positions[tp] == ask.offset else { continue }
            switch partition.errorCode {
            case 0:
                switch deliver(tp, from: ask.offset, partition.records ?? [], budget: budget, remaining: &remaining) {
                case .moved: delivered = true
                case .failed: failed = true
                case .nothing: break
                }
            case BrokerError.offsetOutOfRange:
                outOfRange.append(tp)
            default:
                failed = true
                let error = BrokerError(code: partition.errorCode, topic: tp.topic, partition: tp.partition)
                if error.isRetriable { refreshMetadataSoon() } else { onError?(.broker(error)) }
            }
        }
        if !outOfRange.isEmpty { reset(outOfRange) }
        return delivered || !failed
    }

    private enum Delivery { case moved, nothing, failed }

    /// Hands on the records of one partition, decoding under `remaining` (what is left of
    /// `budget`): whether its position moved, or nothing could be decoded.
    private func deliver(_ tp: TopicPartition, from offset: Int64, _ bytes: [UInt8], budget: DecodeBudget,
                         remaining: inout DecodeBudget) -> Delivery {
        guard !bytes.isEmpty else { return .nothing }
        let decoded = RecordBatchDecoder(topic: tp.topic, partition: tp.partition, budget: budget)
            .decodeUntilError(bytes, remaining: &remaining)
        // A batch may begin before the offset asked for (compressed or legacy sets): skip those.
        let records = decoded.batches.flatMap(\.records).filter { $0.offset >= offset }
        // A hostile last offset of Int64.max must not trap: the position saturates there.
        let after = records.last.map { $0.offset == .max ? .max : $0.offset + 1 } ?? offset
        let next = max(decoded.nextOffset ?? offset, after)
        if let error = decoded.error {
            onError?(.protocolViolation("\(tp): \(error)"))
        }
        guard next > offset else { return decoded.error == nil ? .nothing : .failed }
        positions[tp] = next
        onRecords?(tp, records, next)
        return .moved
    }

    private func reset(_ tps: [TopicPartition]) {
        let runsAsked = tps.map { runs[$0] ?? 0 }
        resetOffsets(tps) { [weak self] result in
            guard let self else { return }
            switch result {
            case .failure(let error): self.onError?(error)
            case .success(let offsets):
                for (tp, run) in zip(tps, runsAsked) where self.runs[tp] == run && self.positions[tp] != nil {
                    if let offset = offsets[tp] { self.positions[tp] = offset }
                }
            }
            self.schedulePump()
        }
    }

    private func refreshMetadataSoon() {
        guard !waitingForMetadata, !closed else { return }
        waitingForMetadata = true
        loop.callLater(.milliseconds(200)) { [weak self] in
            self?.cluster.refreshMetadata { _ in
                self?.waitingForMetadata = false
                self?.schedulePump()
            }
        }
    }
}
