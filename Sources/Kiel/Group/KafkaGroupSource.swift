// The Kafka side of a grouped consumer: metadata, the group's offsets, fetching.

import KielIO
import KafkaProtocol

extension PartitionKey {
    init(_ tp: TopicPartition) { self.init(topic: tp.topic, partition: Int(tp.partition)) }
    var topicPartition: TopicPartition { TopicPartition(topic, Int32(clamping: partition)) }
}

/// What a group member needs from Kafka, on a `Cluster`: partition counts from metadata,
/// committed offsets from the group coordinator (falling back to `startWithoutCommit`),
/// commits, and the fetch engine, continuously fetching the partitions the member consumes.
///
/// Loop-confined: call it on the loop thread only; callbacks run there.
final class KafkaGroupSource: GroupPartitionSource {
    typealias Batch = [Record]
    let cluster: Cluster
    let offsets: GroupOffsetStore
    let fetcher: FetchEngine
    /// Where a partition without a committed offset starts: `.beginning` or `.end`; also where
    /// a committed offset found out of range goes.
    let startWithoutCommit: StartPosition
    var onBatch: ((PartitionKey, [Record], Int64) -> Void)?
    var onError: ((any Error) -> Void)?

    init(cluster: Cluster, offsets: GroupOffsetStore, fetcher: FetchEngine, startWithoutCommit: StartPosition = .beginning) {
        self.cluster = cluster
        self.offsets = offsets
        self.fetcher = fetcher
        self.startWithoutCommit = startWithoutCommit
        fetcher.startContinuous()
        fetcher.onRecords = { [weak self] tp, records, next in self?.onBatch?(PartitionKey(tp), records, next) }
        fetcher.onError = { [weak self] error in self?.onError?(error) }
    }

    func partitionCounts(_ topics: [String], _ completion: @escaping (Result<[String: Int], any Error>) -> Void) {
        cluster.refreshMetadata { result in
            switch result {
            case .failure(let error): completion(.failure(error))
            case .success(let metadata):
                var counts: [String: Int] = [:]
                for topic in topics {
                    if let ids = metadata.partitions(of: topic), !ids.isEmpty { counts[topic] = ids.count }
                }
                completion(.success(counts))
            }
        }
    }

    func startOffsets(_ keys: [PartitionKey], _ completion: @escaping (Result<[PartitionKey: Int64], any Error>) -> Void) {
        let tps = keys.map(\.topicPartition)
        offsets.fetch(tps) { [weak self] result in
            guard let self else { return }
            switch result {
            case .failure(let error): completion(.failure(error))
            case .success(let committed):
                let missing = tps.filter { (committed[$0] ?? -1) < 0 }
                let timestamp = self.startWithoutCommit.listOffsetsTimestamp() ?? -2
                let lookups = Dictionary(uniqueKeysWithValues: missing.map { ($0, timestamp) })
                self.fetcher.listOffsets(lookups) { reset in
                    switch reset {
                    case .failure(let error): completion(.failure(error))
                    case .success(let resetOffsets):
                        var result: [PartitionKey: Int64] = [:]
                        for tp in tps {
                            if let offset = committed[tp], offset >= 0 {
                                result[PartitionKey(tp)] = offset
                            } else if let offset = resetOffsets[tp] {
                                result[PartitionKey(tp)] = offset
                            }
                        }
                        completion(.success(result))
                    }
                }
            }
        }
    }

    func commit(_ offsets: [PartitionKey: Int64], _ completion: @escaping (Result<Void, any Error>) -> Void) {
        var byTP: [TopicPartition: Int64] = [:]
        for (key, offset) in offsets { byTP[key.topicPartition] = offset }
        self.offsets.commit(byTP) { result in completion(result.mapError { $0 }) }
    }

    func startFetching(_ key: PartitionKey, at offset: Int64) {
        fetcher.assign(key.topicPartition, from: .offset(offset), ifOutOfRange: startWithoutCommit)
    }
    func stopFetching(_ key: PartitionKey) { fetcher.unassign(key.topicPartition) }

    func close() {
        fetcher.close()
        offsets.close()
    }
}
