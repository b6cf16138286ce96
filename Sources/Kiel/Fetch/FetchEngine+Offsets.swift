import KafkaProtocol
import KielIO

/// Start offsets: ListOffsets by timestamp, one request per leader, in parallel, and the
/// positions of assigned partitions that have none yet.
extension FetchEngine {
    /// The offset of each partition at its timestamp (-2 earliest, -1 latest, else epoch ms).
    /// A partition without a known leader gets a metadata refresh first, then fails the lookup
    /// as LEADER_NOT_AVAILABLE (retriable) if there is still none.
    func listOffsets(_ lookups: [TopicPartition: Int64],
                     _ done: @escaping (Result<[TopicPartition: Int64], KielError>) -> Void) {
        guard !lookups.isEmpty else { return loop.callSoon { done(.success([:])) } }
        if let leaderless = lookups.keys.first(where: { cluster.leaderConnection(for: $0) == nil }) {
            return cluster.refreshMetadata { [weak self] result in
                guard let self else { return }
                if case .failure(let error) = result { return done(.failure(error)) }
                if lookups.keys.allSatisfy({ self.cluster.leaderConnection(for: $0) != nil }) {
                    return self.listOffsets(lookups, done)
                }
                done(.failure(.broker(BrokerError(.leaderNotAvailable, topic: leaderless.topic,
                                                  partition: leaderless.partition))))
            }
        }
        var byLeader: [Int32: [TopicPartition]] = [:]
        for tp in lookups.keys { byLeader[cluster.metadata.leader(for: tp)!, default: []].append(tp) }
        var remaining = byLeader.count
        var found: [TopicPartition: Int64] = [:]
        var firstError: KielError?
        for (leader, tps) in byLeader {
            var request = ListOffsetsRequest()
            request.isolationLevel = settings.isolationLevel.wireValue
            let grouped = Dictionary(grouping: tps, by: \.topic)
            request.topics = grouped.keys.sorted().map { topic in
                ListOffsetsRequest.Topic(name: topic, partitions: grouped[topic]!.sorted().map {
                    ListOffsetsRequest.Partition(partitionIndex: $0.partition, timestamp: lookups[$0]!)
                })
            }
            cluster.connection(forNode: leader)!.send(request) { [weak self] result in
                guard let self else { return }
                switch result {
                case .failure(let error):
                    firstError = firstError ?? error
                    self.cluster.refreshMetadata { _ in }
                case .success(let answer):
                    for t in answer.response.topics {
                        for p in t.partitions {
                            let tp = TopicPartition(t.name, p.partitionIndex)
                            guard p.errorCode == 0 else {
                                let error = BrokerError(wireCode: p.errorCode, topic: tp.topic, partition: tp.partition)
                                firstError = firstError ?? .broker(error)
                                if error.isRetriable { self.cluster.refreshMetadata { _ in } }
                                continue
                            }
                            found[tp] = p.offset
                        }
                    }
                }
                remaining -= 1
                if remaining == 0 { done(firstError.map { .failure($0) } ?? .success(found)) }
            }
        }
    }

    /// Looks up the position of each of `tps` that is assigned and has none, from its start.
    /// A time after the last record answers -1: those start at the end. `done` gets nil once
    /// every position is known, or the first error.
    func resolvePositions(_ tps: [TopicPartition], _ done: @escaping (KielError?) -> Void) {
        var lookups: [TopicPartition: Int64] = [:]
        var runs: [TopicPartition: Int] = [:]
        for tp in tps {
            guard let a = assignments[tp], a.position == nil, let ts = a.start.listOffsetsTimestamp() else { continue }
            lookups[tp] = ts
            runs[tp] = a.run
        }
        guard !lookups.isEmpty else { return loop.callSoon { done(nil) } }
        // Only while the partition is still on the run that asked: a seek meanwhile wins.
        func current(_ tp: TopicPartition) -> Bool { assignments[tp]?.run == runs[tp] }
        listOffsets(lookups) { [weak self] result in
            guard let self else { return }
            switch result {
            case .failure(let error): done(error)
            case .success(let offsets):
                var pastEnd: [TopicPartition: Int64] = [:]
                for (tp, offset) in offsets where current(tp) {
                    guard offset >= 0 else { pastEnd[tp] = -1; continue }
                    let ts = lookups[tp]!
                    self.assignments[tp]?.position = offset
                    self.assignments[tp]?.timestampFloor = ts >= 0 ? ts : nil
                    self.assignments[tp]?.fromLatest = ts == -1
                }
                guard !pastEnd.isEmpty else { return done(nil) }
                self.listOffsets(pastEnd) { latest in
                    switch latest {
                    case .failure(let error): done(error)
                    case .success(let offsets):
                        for (tp, offset) in offsets where current(tp) {
                            self.assignments[tp]?.position = max(0, offset)
                            self.assignments[tp]?.timestampFloor = nil
                            self.assignments[tp]?.fromLatest = true
                        }
                        done(nil)
                    }
                }
            }
        }
    }
}
