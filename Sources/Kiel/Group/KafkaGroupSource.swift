// The Kafka side of a grouped consumer: metadata, the group's offsets, fetching.

import KielIO
import KafkaProtocol

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
    var onBatch: ((TopicPartition, [Record], Int64) -> Void)?
    var onError: ((KielError) -> Void)?

    init(cluster: Cluster, offsets: GroupOffsetStore, fetcher: FetchEngine, startWithoutCommit: StartPosition = .beginning) {
        self.cluster = cluster
        self.offsets = offsets
        self.fetcher = fetcher
        self.startWithoutCommit = startWithoutCommit
        fetcher.startContinuous()
        fetcher.onRecords = { [weak self] tp, records, next in self?.onBatch?(tp, records, next) }
        fetcher.onError = { [weak self] error in self?.onError?(error) }
    }

    func partitionCounts(_ topics: [String], _ completion: @escaping (Result<[String: Int], KielError>) -> Void) {
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

    func startOffsets(_ keys: [TopicPartition], _ completion: @escaping (Result<[TopicPartition: Int64], KielError>) -> Void) {
        offsets.fetch(keys) { [weak self] result in
            guard let self else { return }
            switch result {
            case .failure(let error): completion(.failure(error))
            case .success(let committed):
                let missing = keys.filter { (committed[$0] ?? -1) < 0 }
                let timestamp = self.startWithoutCommit.listOffsetsTimestamp() ?? -2
                let lookups = Dictionary(uniqueKeysWithValues: missing.map { ($0, timestamp) })
                self.fetcher.listOffsets(lookups) { reset in
                    switch reset {
                    case .failure(let error): completion(.failure(error))
                    case .success(let resetOffsets):
                        var result: [TopicPartition: Int64] = [:]
                        for tp in keys {
                            if let offset = committed[tp], offset >= 0 {
                                result[tp] = offset
                            } else if let offset = resetOffsets[tp] {
                                result[tp] = offset
                            }
                        }
                        completion(.success(result))
                    }
                }
            }
        }
    }

    func commit(_ offsets: [TopicPartition: Int64], _ completion: @escaping (Result<Void, KielError>) -> Void) {
        self.offsets.commit(offsets, completion)
    }

    func startFetching(_ key: TopicPartition, at offset: Int64) {
        fetcher.assign(key, from: .offset(offset), ifOutOfRange: startWithoutCommit)
    }
    func stopFetching(_ key: TopicPartition) { fetcher.unassign(key) }

    func close() {
        fetcher.close()
        offsets.close()
    }
}
