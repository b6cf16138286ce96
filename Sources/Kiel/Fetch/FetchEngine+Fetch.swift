import KafkaProtocol
import KielIO

/// Fetch requests and their answers: one request per leader, built and absorbed the same way
/// whether the engine runs a single round or keeps fetching.
extension FetchEngine {
    /// Fetch versions that name topics by string (v13+ use topic ids; Kafka 4 still speaks 4–12).
    static var fetchVersions: ClosedRange<Int16> { 4...12 }

    /// What one round brought: each partition's records (at or after its position), in the
    /// order of the answers, a partition's records in one or more pieces (a piece per record
    /// batch, so they are not copied into one array), and whether any partition answered with
    /// an error.
    struct Round {
        var records: [(TopicPartition, [Record])] = []
        var partitionErrors = false
        /// Nothing was asked: every partition is paused.
        var allPaused = false
        /// Where each partition with records was asked at, so the round can give them back.
        var taken: Taken = [:]
    }

    /// One answer absorbed: the records of the partitions that moved (a partition's in one or
    /// more pieces, in order), each partition's outcome, and where those that moved were asked at.
    struct Absorbed {
        var records: [(TopicPartition, [Record])] = []
        var outcomes: [Outcome] = []
        var taken: Taken = [:]
    }

    /// Per partition: the offset and run an answer was asked at, and the position it left.
    typealias Taken = [TopicPartition: (offset: Int64, run: Int, after: Int64)]

    /// Records absorbed that will not be delivered after all: each partition goes back to
    /// where it was asked at, unless something moved it since (a seek, a later answer). A
    /// partition whose answers were dropped on their way (`dropAnswersOnTheirWay`) counts as
    /// not moved.
    func giveBack(_ taken: Taken) {
        for (tp, t) in taken {
            guard var a = assignments[tp], a.position == t.after,
                  a.run == t.run || a.runKeepingPosition == a.run else { continue }
            a.position = t.offset
            a.run += 1
            a.runKeepingPosition = a.run
            assignments[tp] = a
        }
    }

    /// The offset and run each partition of a request was asked at, to recognise a stale answer.
    typealias Asked = [TopicPartition: (offset: Int64, run: Int)]

    enum Outcome { case moved, nothing, failed }

    // MARK: one round

    /// Asks each leader once for `tps` (looking positions up first where there are none) and
    /// answers when every leader has, never before this call returns. Fails only when every
    /// leader failed and nothing arrived. With every position known the requests are sent
    /// before this returns; after a lookup, only if `wanted()` still says so (otherwise there
    /// is no answer at all).
    func fetchRound(_ tps: [TopicPartition], while wanted: @escaping () -> Bool = { true },
                    _ completion: @escaping (Result<Round, KielError>) -> Void) {
        guard tps.contains(where: needsLookup) else { return sendRound(tps, completion) }
        let runs = tps.map { assignments[$0]?.run }
        resolvePositions(tps) { [weak self] error in
            guard let self, wanted() else { return }
            if let error { return completion(.failure(error)) }
            // Sought meanwhile to a start that needs a lookup of its own: that one first.
            if zip(tps, runs).contains(where: { self.assignments[$0]?.run != $1 && self.needsLookup($0) }) {
                return self.fetchRound(tps, while: wanted, completion)
            }
            self.sendRound(tps, completion)
        }
    }

    /// Whether `tp` has no position yet and one is looked up (not an exact offset).
    private func needsLookup(_ tp: TopicPartition) -> Bool {
        guard let a = assignments[tp], a.position == nil else { return false }
        return a.start.listOffsetsTimestamp() != nil
    }

    /// One Fetch per leader of `tps`, answered when all have been.
    private func sendRound(_ tps: [TopicPartition], _ completion: @escaping (Result<Round, KielError>) -> Void) {
        let byLeader = fetchableByLeader(tps)
        guard !byLeader.isEmpty else {
            let result: Result<Round, KielError>
            if tps.allSatisfy({ assignments[$0]?.paused == true }) {
                // Everything paused is nothing to fetch, not a failure.
                var idle = Round()
                idle.allPaused = true
                result = .success(idle)
            } else {
                result = .failure(.noBrokersAvailable("no leader known for \(tps.first?.topic ?? "")"))
            }
            return loop.callSoon { completion(result) }
        }
        var remaining = byLeader.count
        var round = Round()
        var errors: [KielError] = []
        for (leader, group) in byLeader {
            send(group, to: leader) { result in
                switch result {
                case .failure(let error): errors.append(error)
                case .success(let answer):
                    round.records += answer.records
                    round.taken.merge(answer.taken) { $1 }
                    if answer.outcomes.contains(.failed) { round.partitionErrors = true }
                }
                remaining -= 1
                guard remaining == 0 else { return }
                if round.records.isEmpty, errors.count == byLeader.count, let error = errors.first {
                    return completion(.failure(error))
                }
                completion(.success(round))
            }
        }
    }

    /// Assigned, unpaused partitions among `tps` with a position, by leader; a partition
    /// without a known leader asks for fresh metadata.
    func fetchableByLeader(_ tps: some Sequence<TopicPartition>) -> [Int32: [TopicPartition]] {
        var byLeader: [Int32: [TopicPartition]] = [:]
        var leaderless = false
        for tp in tps {
            guard let a = assignments[tp], !a.paused, a.position != nil else { continue }
            if let leader = cluster.metadata.leader(for: tp), cluster.connection(forNode: leader) != nil {
                byLeader[leader, default: []].append(tp)
            } else {
                leaderless = true
            }
        }
        if leaderless { refreshMetadataSoon() }
        return byLeader
    }

    // MARK: one request

    /// Sends one Fetch for `tps` to `leader` and absorbs the answer: the records per partition
    /// (those that moved; a partition's in one or more pieces, in order), and each partition's outcome.
    func send(_ tps: [TopicPartition], to leader: Int32,
              _ completion: @escaping (Result<Absorbed, KielError>) -> Void) {
        guard let connection = cluster.connection(forNode: leader) else {
            return loop.callSoon { completion(.failure(.noBrokersAvailable("leader \(leader) is not known"))) }
        }
        let (request, asked) = makeRequest(tps.sorted())
        // Capped: a "forever" maxWait plus the request timeout must not overflow the deadline.
        let timeout = settings.maxWaitTime.cappedAdding(connection.options.requestTimeout)
        let sentAt = loop.now.uptimeNanoseconds
        counters.fetchRequests += 1
        connection.send(request, timeout: timeout, versionRange: Self.fetchVersions) { [weak self] result in
            guard let self else { return }
            self.counters.fetchLatency.record(nanoseconds: self.loop.now.uptimeNanoseconds &- sentAt)
            switch result {
            case .failure(let error):
                self.counters.fetchFailures += 1
                if error.isRetriable { self.refreshMetadataSoon() }
                completion(.failure(error))
            case .success(let answer):
                completion(.success(self.absorb(answer.response, asked: asked)))
            }
        }
        // On the wire before the caller goes on to deliver the last answer: the broker gathers
        // the next one meanwhile.
        connection.flushNow()
    }

    /// kiel's rule: `maxBytes` shared evenly among the partitions asked of one leader, never
    /// below the floor, and more for a partition whose next batch did not fit.
    func makeRequest(_ tps: [TopicPartition]) -> (FetchRequest, Asked) {
        var asked: Asked = [:]
        for tp in tps { asked[tp] = (assignments[tp]!.position!, assignments[tp]!.run) }
        let share = partitionMaxBytes(total: settings.maxBytes, partitions: tps.count, floor: settings.partitionMaxBytesFloor)
        var request = FetchRequest()
        request.maxWaitMs = Int32(clamping: settings.maxWaitTime.milliseconds)
        request.isolationLevel = settings.isolationLevel.wireValue
        request.minBytes = Int32(clamping: settings.minBytes)
        request.maxBytes = Int32(clamping: max(settings.maxBytes, Int(share)))
        let byTopic = Dictionary(grouping: tps, by: \.topic)
        request.topics = byTopic.keys.sorted().map { topic in
            FetchRequest.Topic(topic: topic, partitions: byTopic[topic]!.map {
                FetchRequest.Partition(partition: $0.partition, fetchOffset: asked[$0]!.offset,
                                       partitionMaxBytes: max(share, assignments[$0]?.maxBytesOverride ?? 0))
            })
        }
        return (request, asked)
    }

    // MARK: answers

    /// Every partition of one answer, sharing one decode budget. The partition that decodes
    /// first moves one place on with every answer, so a batch that needs the whole budget gets
    /// it within as many answers as there are partitions; the records keep the answer's order,
    /// a partition's in one piece per record batch.
    func absorb(_ response: FetchResponse, asked: Asked) -> Absorbed {
        let parts = response.topics.flatMap { t in t.partitions.map { (topic: t.topic, partition: $0) } }
        guard !parts.isEmpty else { return Absorbed() }
        var budget = decodeBudget
        var records = [(TopicPartition, [[Record]])?](repeating: nil, count: parts.count)
        var outcomes: [Outcome] = []
        let first = answers % parts.count
        answers &+= 1
        for i in parts.indices {
            let index = (first + i) % parts.count
            let (topic, p) = parts[index]
            let tp = TopicPartition(topic, p.partitionIndex)
            // Unassigned, sought or restarted meanwhile: this answer is for a run that is over.
            // Paused meanwhile: dropped, and asked again after resume.
            guard let ask = asked[tp], let a = assignments[tp], a.run == ask.run, a.position == ask.offset,
                  !a.paused else { continue }
            let (got, outcome) = absorb(p, tp, budget: &budget)
            outcomes.append(outcome)
            if outcome == .moved { records[index] = (tp, got) }
        }
        var absorbed = Absorbed(outcomes: outcomes)
        for (tp, pieces) in records.compactMap({ $0 }) {
            guard let ask = asked[tp], let after = assignments[tp]?.position else { continue }
            absorbed.taken[tp] = (ask.offset, ask.run, after)
            absorbed.records += pieces.map { (tp, $0) }
        }
        // An `onError` above may have sought, unassigned or unsubscribed a partition of this
        // answer: its records belong to a run that is over, and go back if the position stayed.
        let over = absorbed.taken.filter { assignments[$0.key]?.run != $0.value.run }
        if !over.isEmpty {
            giveBack(over)
            absorbed.records.removeAll { over[$0.0] != nil }
            for tp in over.keys { absorbed.taken[tp] = nil }
        }
        return absorbed
    }

    /// One partition of an answer: its error code, its high watermark, and the records at or
    /// after its position (a compressed batch may start before it), decoded under `budget`, in
    /// one non-empty piece per record batch (taken as decoded, not copied into one array).
    /// Moves the position past what was decoded, control batches included.
    func absorb(_ p: FetchResponse.Partition, _ tp: TopicPartition, budget: inout DecodeBudget) -> ([[Record]], Outcome) {
        guard var a = assignments[tp], let position = a.position else { return ([], .nothing) }
        switch p.errorCode {
        case 0:
            break
        case BrokerError.offsetOutOfRange:
            outOfRange(tp)
            onError?(.broker(BrokerError(wireCode: p.errorCode, topic: tp.topic, partition: tp.partition)))
            return ([], .failed)
        default:
            let error = BrokerError(wireCode: p.errorCode, topic: tp.topic, partition: tp.partition)
            if error.isRetriable { refreshMetadataSoon() }
            onError?(.broker(error))
            return ([], .failed)
        }
        let readCommitted = settings.isolationLevel == .readCommitted
        // Under read_committed the end a consumer can reach is the last stable offset.
        a.highWatermark = readCommitted && p.lastStableOffset >= 0 ? p.lastStableOffset : p.highWatermark
        // Reported once the partition's state is written back (defers run last to first), so
        // a seek from `onError` is not overwritten.
        var decodeError: KielError?
        defer { if let decodeError { onError?(decodeError) } }
        defer { assignments[tp] = a }
        // The records stay where they lie in the answer's frame: decoded as views into it.
        guard let (bytes, range) = p.recordsInFrame, !range.isEmpty else { return ([], .nothing) }
        counters.bytesFetched += range.count
        // Whole batches before a bad one (CRC mismatch, corrupt compression, over the decode
        // budget) are still delivered; the bad one is reported and fetched again next time.
        // read_committed needs the transaction markers to see where aborted transactions end.
        var decoded = RecordBatchDecoder(topic: tp.topic, partition: tp.partition, budget: decodeBudget,
                                         includeControlBatches: readCommitted)
            .decodeUntilError(bytes, in: range, remaining: &budget, buffers: &decompression)
        if readCommitted { decoded.batches = ReadCommitted.committed(decoded.batches, aborted: p.abortedTransactions ?? []) }
        if let error = decoded.error {
            decodeError = .protocolViolation("records of \(tp) after offset \(position): \(error)")
        }
        if decoded.batches.isEmpty && decoded.truncated {
            // Not even one whole batch fit: ask for more next time.
            let current = a.maxBytesOverride ?? Int32(clamping: settings.partitionMaxBytesFloor)
            a.maxBytesOverride = min(current.multipliedReportingOverflow(by: 2).overflow ? .max : current * 2, 64 << 20)
        }
        var from = position
        if a.fromLatest, let first = decoded.batches.first {
            a.fromLatest = false
            // "Latest" landed inside a batch that was already there: skip the rest of it.
            if first.baseOffset < position, first.lastOffset >= position { from = first.nextOffset }
        }
        var out: [[Record]] = []
        var next = from
        for i in decoded.batches.indices {
            // Taken out of the batch, so its array becomes a piece of `out` without a copy.
            var records: [Record] = []
            swap(&records, &decoded.batches[i].records)
            if a.timestampFloor == nil, let last = records.last, Self.allAtOrAfter(from, records) {
                // The usual case, every record is wanted: all of them at once.
                out.append(records)
                next = last.offset == .max ? .max : last.offset + 1
                continue
            }
            var kept: [Record] = []
            for record in records where record.offset >= from {
                // A hostile offset of Int64.max must not trap: the position saturates there.
                next = record.offset == .max ? .max : record.offset + 1
                if let floor = a.timestampFloor {
                    if record.timestamp < floor { continue }
                    a.timestampFloor = nil
                }
                kept.append(record)
            }
            if !kept.isEmpty { out.append(kept) }
        }
        if let after = decoded.nextOffset, after > next { next = after }
        a.position = next
        if next > position { return (out, .moved) }
        return (out, decoded.error == nil ? .nothing : .failed)
    }

    /// Whether every record's offset is at least `offset`.
    static func allAtOrAfter(_ offset: Int64, _ records: [Record]) -> Bool {
        for i in records.indices where records[i].offset < offset { return false }
        return true
    }

    func refreshMetadataSoon() {
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
