// Offsets: look them up by time (ListOffsets) and delete the records before them
// (DeleteRecords), each partition at its leader.

import KafkaProtocol

extension Admin {
    /// The offset of each partition at its `StartPosition`: `.beginning`, `.end`, `.date` or
    /// `.ago` (the first record at or after that time; -1 when there is none). One outcome
    /// per partition; `.offset` is an `.invalidArgument` for its partition.
    public func listOffsets(_ queries: [TopicPartition: StartPosition],
                            _ completion: @escaping (Result<[TopicPartition: Result<ListedOffset, KielError>], KielError>) -> Void) {
        guard !queries.isEmpty else { return answerSoon([:], completion) }
        guard !closed else { return loop.callSoon { completion(.failure(.closed)) } }
        var invalid: [TopicPartition: Result<ListedOffset, KielError>] = [:]
        var timestamps: [TopicPartition: Int64] = [:]
        for (tp, position) in queries {
            if let ts = position.listOffsetsTimestamp() { timestamps[tp] = ts } else {
                invalid[tp] = .failure(.invalidArgument("\(position) is not a time to look an offset up by"))
            }
        }
        guard !timestamps.isEmpty else { return loop.callSoon { completion(.success(invalid)) } }
        withMetadata(completion) { [weak self] _ in
            self?.queryOffsets(timestamps) { found in completion(Admin.whole(found.merging(invalid) { a, _ in a })) }
        }
    }

    /// Deletes each partition's records before the offset given (-1: all of them, up to the
    /// high watermark) with DeleteRecords to its leader; one outcome per partition, the new
    /// log start offset (low watermark) on success.
    public func deleteRecords(before offsets: [TopicPartition: Int64],
                              _ completion: @escaping (Result<[TopicPartition: Result<Int64, KielError>], KielError>) -> Void) {
        guard !offsets.isEmpty else { return answerSoon([:], completion) }
        withMetadata(completion) { [weak self] _ in
            guard let self else { return completion(.failure(.closed)) }
            let (byLeader, leaderless) = self.byLeader(Array(offsets.keys))
            let gather = AdminGather<TopicPartition, Int64>(requests: byLeader.count + 1) { completion(Admin.whole($0)) }
            for tp in leaderless { gather.set(tp, .failure(self.noLeader(tp))) }
            for (connection, tps) in byLeader {
                var request = DeleteRecordsRequest()
                request.timeoutMs = self.timeoutMs
                request.topics = Admin.byTopic(tps) { DeleteRecordsRequest.Partition(partitionIndex: $0.partition, offset: offsets[$0]!) }
                self.send(request, to: connection) { result in
                    switch result {
                    case .failure(let error): gather.fail(tps, error)
                    case .success(let response):
                        for t in response.topics {
                            for p in t.partitions {
                                gather.set(TopicPartition(t.name, p.partitionIndex),
                                           Admin.error(p.errorCode, topic: t.name, partition: p.partitionIndex).map { .failure($0) }
                                            ?? .success(p.lowWatermark))
                            }
                        }
                        gather.fail(tps, .protocolViolation("DeleteRecords answered nothing for it"))
                    }
                    gather.finishOne()
                }
            }
            gather.finishOne()
        }
    }

    /// ListOffsets for `timestamps` (or the special -1 latest, -2 earliest) at each
    /// partition's leader, as metadata already held names it.
    func queryOffsets(_ timestamps: [TopicPartition: Int64],
                      _ done: @escaping ([TopicPartition: Result<ListedOffset, KielError>]) -> Void) {
        let (byLeader, leaderless) = byLeader(Array(timestamps.keys))
        let gather = AdminGather<TopicPartition, ListedOffset>(requests: byLeader.count + 1, done)
        for tp in leaderless { gather.set(tp, .failure(noLeader(tp))) }
        for (connection, tps) in byLeader {
            var request = ListOffsetsRequest()
            request.timeoutMs = timeoutMs
            request.topics = Admin.byTopic(tps) { ListOffsetsRequest.Partition(partitionIndex: $0.partition, timestamp: timestamps[$0]!) }
            send(request, to: connection) { result in
                switch result {
                case .failure(let error): gather.fail(tps, error)
                case .success(let response):
                    for t in response.topics {
                        for p in t.partitions {
                            gather.set(TopicPartition(t.name, p.partitionIndex),
                                       Admin.error(p.errorCode, topic: t.name, partition: p.partitionIndex).map { .failure($0) }
                                        ?? .success(ListedOffset(offset: p.offset, timestamp: p.timestamp)))
                        }
                    }
                    gather.fail(tps, .protocolViolation("ListOffsets answered nothing for it"))
                }
                gather.finishOne()
            }
        }
        gather.finishOne()
    }

    /// `tps` grouped by their leaders' connections, and those without a known leader.
    private func byLeader(_ tps: [TopicPartition]) -> (leaders: [(BrokerConnection, [TopicPartition])], leaderless: [TopicPartition]) {
        var groups: [ObjectIdentifier: (BrokerConnection, [TopicPartition])] = [:]
        var leaderless: [TopicPartition] = []
        for tp in tps.sorted() {
            guard let c = cluster.leaderConnection(for: tp) else { leaderless.append(tp); continue }
            groups[ObjectIdentifier(c), default: (c, [])].1.append(tp)
        }
        return (Array(groups.values), leaderless)
    }

    private func noLeader(_ tp: TopicPartition) -> KielError {
        cluster.metadata.partitions(of: tp.topic) == nil ? .unknownTopic(tp.topic)
            : cluster.metadata.partitions(of: tp.topic)!.contains(tp.partition)
            ? .broker(BrokerError(.leaderNotAvailable, topic: tp.topic, partition: tp.partition))
            : .unknownPartition(topic: tp.topic, partition: tp.partition)
    }

    static func byTopic<P: WireStruct>(_ tps: [TopicPartition], _ make: (TopicPartition) -> P) -> [NamedTopic<P>] {
        let grouped = Dictionary(grouping: tps.sorted(), by: \.topic)
        return grouped.keys.sorted().map { NamedTopic(name: $0, partitions: grouped[$0]!.map(make)) }
    }
}
