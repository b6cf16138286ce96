/// The consumer's wire side: finding start offsets with ListOffsets, fetching from each
/// leader in parallel, and turning fetched record batches into messages.
extension SingleConsumer {
    /// Fetch versions that name topics by string (v13+ use topic ids).
    static var fetchVersions: ClosedRange<Int16> { 4...12 }

    func resolveOffsets(_ tps: [TopicPartition], _ done: @escaping (KielError?) -> Void) {
        guard let topic = tps.first?.topic else { return done(nil) }
        let start = starts[topic] ?? .end
        var lookups: [TopicPartition: Int64] = [:]
        for tp in tps {
            let reset = needsReset.contains(tp)
            if case .offset(let n) = start, !reset {
                positions[tp] = n
                // Corrections that belonged to an earlier start (a seek replaced it) must not
                // skip records from this exact offset.
                timestampFloor[tp] = nil
                fromLatest.remove(tp)
                continue
            }
            // An explicit offset that turned out to be out of range falls back to the beginning.
            if case .offset = start { lookups[tp] = -2 } else { lookups[tp] = start.listOffsetsTimestamp()! }
            if let ts = lookups[tp], ts >= 0 { timestampFloor[tp] = ts } else { timestampFloor[tp] = nil }
            if lookups[tp] == -1 { fromLatest.insert(tp) } else { fromLatest.remove(tp) }
        }
        guard !lookups.isEmpty else { return done(nil) }
        listOffsets(lookups) { [weak self] result in
            guard let self else { return }
            switch result {
            case .failure(let error): done(error)
            case .success(let offsets):
                // A timestamp after the last record answers -1: start at the end instead.
                let pastEnd = offsets.filter { $0.value < 0 }.map(\.key)
                for (tp, offset) in offsets where offset >= 0 {
                    self.positions[tp] = offset
                    self.needsReset.remove(tp)
                }
                guard !pastEnd.isEmpty else { return done(nil) }
                self.listOffsets(Dictionary(uniqueKeysWithValues: pastEnd.map { ($0, Int64(-1)) })) { latest in
                    switch latest {
                    case .failure(let error): done(error)
                    case .success(let offsets):
                        for (tp, offset) in offsets {
                            self.positions[tp] = max(0, offset)
                            self.needsReset.remove(tp)
                            self.timestampFloor[tp] = nil
                            self.fromLatest.insert(tp)
                        }
                        done(nil)
                    }
                }
            }
        }
    }

    /// ListOffsets for each partition at its timestamp (-2 earliest, -1 latest), one request
    /// per leader, in parallel.
    func listOffsets(_ lookups: [TopicPartition: Int64],
                     _ done: @escaping (Result<[TopicPartition: Int64], KielError>) -> Void) {
        var byLeader: [Int32: [TopicPartition]] = [:]
        for tp in lookups.keys {
            guard let leader = cluster.metadata.leader(for: tp) else {
                cluster.refreshMetadata { _ in }
                return loop.callSoon { done(.failure(.broker(BrokerError(code: BrokerError.leaderNotAvailable,
                                                                          topic: tp.topic, partition: tp.partition)))) }
            }
            byLeader[leader, default: []].append(tp)
        }
        var remaining = byLeader.count
        var found: [TopicPartition: Int64] = [:]
        var firstError: KielError?
        for (leader, tps) in byLeader {
            guard let connection = cluster.connection(forNode: leader) else { continue }
            var request = ListOffsetsRequest()
            let grouped = Dictionary(grouping: tps, by: \.topic)
            request.topics = grouped.map { topic, parts in
                ListOffsetsRequest.Topic(name: topic, partitions: parts.map {
                    ListOffsetsRequest.Partition(partitionIndex: $0.partition, timestamp: lookups[$0]!)
                })
            }
            connection.send(request) { [weak self] result in
                guard let self else { return }
                switch result {
                case .failure(let error):
                    firstError = firstError ?? error
                    self.cluster.refreshMetadata { _ in }
                case .success(let answer):
                    for t in answer.response.topics {
                        for p in t.partitions {
                            let tp = TopicPartition(t.name, p.partitionIndex)
                            if p.errorCode == 0 {
                                found[tp] = p.offset
                            } else {
                                let error = BrokerError(code: p.errorCode, topic: tp.topic, partition: tp.partition)
                                firstError = firstError ?? .broker(error)
                                if error.isRetriable { self.cluster.refreshMetadata { _ in } }
                            }
                        }
                    }
                }
                remaining -= 1
                if remaining == 0 { done(firstError.map { .failure($0) } ?? .success(found)) }
            }
        }
    }

    func fetch(_ tps: [TopicPartition], _ completion: @escaping (Batch) -> Void) {
        var byLeader: [Int32: [TopicPartition]] = [:]
        var missingLeader = false
        for tp in tps {
            if let leader = cluster.metadata.leader(for: tp), cluster.connection(forNode: leader) != nil {
                byLeader[leader, default: []].append(tp)
            } else {
                missingLeader = true
            }
        }
        if missingLeader { cluster.refreshMetadata { _ in } }
        guard !byLeader.isEmpty else {
            return loop.callSoon { completion(.failure(.noBrokersAvailable("no leader known for \(tps.first?.topic ?? "")"))) }
        }
        var remaining = byLeader.count
        var messages: [ConsumerMessage<Value>] = []
        var errors: [KielError] = []
        for (leader, group) in byLeader {
            let connection = cluster.connection(forNode: leader)!
            let share = partitionMaxBytes(total: options.maxBytes, partitions: group.count,
                                          floor: options.partitionMaxBytesFloor)
            var request = FetchRequest()
            request.maxWaitMs = Int32(clamping: options.maxWaitTime.milliseconds)
            request.minBytes = Int32(clamping: options.minBytes)
            request.maxBytes = Int32(clamping: max(options.maxBytes, Int(share)))
            request.topics = Dictionary(grouping: group, by: \.topic).sorted { $0.key < $1.key }.map { topic, parts in
                FetchRequest.Topic(topic: topic, partitions: parts.sorted().map {
                    FetchRequest.Partition(partition: $0.partition, fetchOffset: positions[$0] ?? 0,
                                           partitionMaxBytes: max(share, maxBytesOverride[$0] ?? 0))
                })
            }
            let timeout = options.maxWaitTime.cappedAdding(options.cluster.connection.requestTimeout)
            connection.send(request, timeout: timeout, versionRange: Self.fetchVersions) { [weak self] result in
                guard let self else { return }
                switch result {
                case .failure(let error):
                    errors.append(error)
                    if error.isRetriable { self.cluster.refreshMetadata { _ in } }
                case .success(let answer):
                    if answer.response.errorCode != 0 {
                        errors.append(.broker(BrokerError(code: answer.response.errorCode)))
                    }
                    messages += self.absorb(answer.response)
                }
                remaining -= 1
                guard remaining == 0 else { return }
                if messages.isEmpty, errors.count == byLeader.count, let error = errors.first {
                    return completion(.failure(error))
                }
                completion(.success(messages))
            }
        }
    }

    /// The budget each fetch answer decodes under.
    var decodeBudget: DecodeBudget { options.decodeBudget ?? .forFetch(maxBytes: options.maxBytes) }

    /// Every partition of one fetch answer, sharing one decode budget. The partition that
    /// decodes first moves one place on with every answer, so a batch that needs the whole
    /// budget gets it within as many answers as there are partitions; the messages keep the
    /// answer's order.
    func absorb(_ response: FetchResponse) -> [ConsumerMessage<Value>] {
        let parts = response.topics.flatMap { t in t.partitions.map { (topic: t.topic, partition: $0) } }
        guard !parts.isEmpty else { return [] }
        var remaining = decodeBudget
        var out = [[ConsumerMessage<Value>]](repeating: [], count: parts.count)
        let first = fetchAnswers % parts.count
        fetchAnswers &+= 1
        for i in 0..<parts.count {
            let index = (first + i) % parts.count
            out[index] = absorb(parts[index].partition, topic: parts[index].topic, budget: &remaining)
        }
        return Array(out.joined())
    }

    /// One partition of a fetch answer under a budget of its own.
    func absorb(_ p: FetchResponse.Partition, topic: String) -> [ConsumerMessage<Value>] {
        var budget = decodeBudget
        return absorb(p, topic: topic, budget: &budget)
    }

    /// One partition of a fetch answer: advance the position, keep the high watermark, and
    /// deserialize the records at or after the position (a compressed batch may start before
    /// it), spending `budget` on decoding.
    func absorb(_ p: FetchResponse.Partition, topic: String, budget: inout DecodeBudget) -> [ConsumerMessage<Value>] {
        let tp = TopicPartition(topic, p.partitionIndex)
        guard var position = positions[tp] else { return [] }
        switch p.errorCode {
        case 0:
            break
        case BrokerError.offsetOutOfRange:
            KielLog.info("offset \(position) out of range for \(tp); looking the start up again")
            needsReset.insert(tp)
            onError?(.broker(BrokerError(code: p.errorCode, topic: topic, partition: tp.partition)))
            return []
        default:
            let error = BrokerError(code: p.errorCode, topic: topic, partition: tp.partition)
            if error.isRetriable { cluster.refreshMetadata { _ in } }
            partitionErrors.insert(topic)
            onError?(.broker(error))
            return []
        }
        highWatermarks[tp] = p.highWatermark
        guard let bytes = p.records, !bytes.isEmpty else { return [] }
        // Whole batches before a bad one (CRC mismatch, corrupt compression, over the decode
        // budget) are still delivered; the bad one is reported and fetched again next time
        // (`startConsuming` waits `retryBackoff` first when nothing else arrived).
        let decoded = RecordBatchDecoder(topic: topic, partition: tp.partition, budget: decodeBudget)
            .decodeUntilError(bytes, remaining: &budget)
        if let error = decoded.error {
            partitionErrors.insert(topic)
            onError?(.protocolViolation("records of \(tp) after offset \(position): \(error)"))
        }
        if decoded.batches.isEmpty && decoded.truncated {
            // Not even one whole batch fit: ask for more next time.
            let current = maxBytesOverride[tp] ?? Int32(clamping: options.partitionMaxBytesFloor)
            maxBytesOverride[tp] = min(current.multipliedReportingOverflow(by: 2).overflow ? Int32.max : current * 2,
                                       Int32(64 << 20))
        }
        if let first = decoded.batches.first, fromLatest.remove(tp) != nil,
           first.baseOffset < position, first.lastOffset >= position {
            // "Latest" landed inside a batch: that batch was already there, skip the rest of it.
            position = first.nextOffset
        }
        var out: [ConsumerMessage<Value>] = []
        var next = position
        for batch in decoded.batches {
            for record in batch.records where record.offset >= position {
                // A hostile offset of Int64.max must not trap; saturating keeps the position there.
                next = record.offset == .max ? .max : record.offset + 1
                if let floor = timestampFloor[tp] {
                    if record.timestamp < floor { continue }
                    timestampFloor[tp] = nil
                }
                do {
                    let value = try deserializer.deserialize(record.value ?? [])
                    out.append(ConsumerMessage(topic: topic, partition: tp.partition, offset: record.offset,
                                               key: record.key, timestamp: record.timestamp,
                                               headers: record.headers, value: value))
                } catch {
                    onError?(.serialization("cannot deserialize \(tp)@\(record.offset)", underlying: error))
                }
            }
        }
        if let after = decoded.nextOffset, after > next { next = after }
        positions[tp] = next
        return out
    }
}
