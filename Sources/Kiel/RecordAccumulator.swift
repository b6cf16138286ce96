/// Limits the producer's accumulator works within.
struct AccumulatorLimits: Sendable {
    /// How long a batch may wait for more records before it is sent.
    var linger: Duration
    /// Records per batch: a batch this full is sent at once (kiel's `batch_size`).
    var batchRecords: Int
    /// Bytes per batch (estimated encoded size): a batch this full is sent at once.
    var batchBytes: Int
    /// All records accepted and not yet acknowledged may take at most this many bytes; beyond
    /// it `append` fails with `.bufferFull` rather than growing without bound.
    var bufferBytes: Int
    /// The largest single record accepted (estimated encoded size).
    var maxRecordBytes: Int

    init(linger: Duration = .milliseconds(5), batchRecords: Int = 10_000,
                batchBytes: Int = 1 << 20, bufferBytes: Int = 64 << 20, maxRecordBytes: Int = 1 << 20) {
        self.linger = linger
        self.batchRecords = max(1, batchRecords)
        self.batchBytes = batchBytes
        self.bufferBytes = max(bufferBytes, maxRecordBytes + ProducerBatch<Void>.overhead)
        self.maxRecordBytes = maxRecordBytes
    }
}

/// The producer's per-partition batching, as a pure value with no I/O and no clock of its own
/// (callers pass monotonic nanoseconds), so every rule is unit-testable.
///
/// Rules: one open batch per partition takes new records; a batch is ready when it is full (by
/// records or bytes), its linger expired, a newer batch follows it, or a flush was requested.
/// Up to `maxInFlight` batches per partition are in flight (1 unless the producer is
/// idempotent). When one comes back for a retry the partition pauses: nothing new goes out until
/// every batch in flight is back, and retried batches return to the queue in their original
/// order, so the partition's order holds. With idempotence each batch takes its sequence
/// numbers when first sent and keeps them on retries. Owned by one producer, on its loop thread.
struct RecordAccumulator<Token> {
    let limits: AccumulatorLimits
    private(set) var queues: [TopicPartition: [ProducerBatch<Token>]] = [:]
    /// Batches sent and not yet settled, oldest first.
    private(set) var inFlight: [TopicPartition: [ProducerBatch<Token>]] = [:]
    /// Partitions waiting for their in-flight batches to return after one failed.
    private(set) var paused: Set<TopicPartition> = []
    /// Batches per partition on the wire at once.
    var maxInFlight = 1
    private var nextSequence: [TopicPartition: Int32] = [:]
    private var nextBatchID: UInt64 = 1
    private(set) var bufferedBytes = 0
    private(set) var bufferedRecords = 0
    /// The partition the last record joined and how full its open batch is since, so the
    /// sticky partitioner's question about that partition (every record but one per batch)
    /// costs no dictionary lookup. Forgotten by every change to a queue other than `append`.
    private var lastOpen: (tp: TopicPartition, count: Int, bytes: Int)?
    /// While set, every batch counts as ready (flush / close).
    var flushing = false

    init(limits: AccumulatorLimits) { self.limits = limits }

    var isEmpty: Bool { bufferedRecords == 0 }
    var queuedRecords: Int { queues.values.reduce(0) { $0 + $1.reduce(0) { $0 + $1.count } } }

    /// Whether `tp` may put another batch on the wire.
    private func hasRoom(_ tp: TopicPartition) -> Bool {
        !paused.contains(tp) && (inFlight[tp]?.count ?? 0) < maxInFlight
    }

    /// The in-flight batch of `tp` with `id`.
    func inFlightBatch(_ tp: TopicPartition, id: UInt64) -> ProducerBatch<Token>? {
        inFlight[tp]?.first { $0.id == id }
    }

    /// Accepts a record or says why not (too large, buffer full). Accepted records are owned by
    /// the accumulator until `complete`/`failAll` hands their tokens back. `now` is read only
    /// when the record opens a batch (linger counts from there), not for every record.
    mutating func append(_ record: PendingRecord<Token>, to tp: TopicPartition,
                         now: @autoclosure () -> UInt64) -> Result<Void, KielError> {
        if record.size + ProducerBatch<Token>.overhead > limits.maxRecordBytes {
            return .failure(.messageTooLarge(size: record.size, limit: limits.maxRecordBytes))
        }
        if bufferedBytes + record.size > limits.bufferBytes {
            return .failure(.bufferFull(bufferedBytes: bufferedBytes, limit: limits.bufferBytes))
        }
        // One dictionary access that mutates the stored queue in place: copying it out would
        // copy the open batch's record array on every append.
        let open = Self.append(record, to: &queues[tp, default: []], tp: tp, now: now, limits: limits, nextID: &nextBatchID)
        lastOpen = (tp, open.count, open.bytes)
        bufferedBytes += record.size
        bufferedRecords += 1
        return .success(())
    }

    /// Whether a record of `size` bytes for `tp` would join the batch filling there, rather
    /// than open a new one (there is none: the last was sent; or it is full).
    func openBatchTakes(_ size: Int, at tp: TopicPartition) -> Bool {
        if let open = lastOpen, open.tp == tp {
            return open.count < limits.batchRecords && open.bytes + size <= limits.batchBytes
        }
        guard let last = queues[tp]?.last else { return false }
        return Self.takes(last, size, limits)
    }

    private static func takes(_ batch: ProducerBatch<Token>, _ size: Int, _ limits: AccumulatorLimits) -> Bool {
        batch.count < limits.batchRecords && batch.bytes + size <= limits.batchBytes && batch.attempts == 0
    }

    /// Returns the fill of the batch the record joined.
    private static func append(_ record: PendingRecord<Token>, to queue: inout [ProducerBatch<Token>],
                               tp: TopicPartition, now: () -> UInt64, limits: AccumulatorLimits,
                               nextID: inout UInt64) -> (count: Int, bytes: Int) {
        let last = queue.count - 1
        if last >= 0, takes(queue[last], record.size, limits) {
            queue[last].records.append(record)
            queue[last].bytes += record.size
            return (queue[last].count, queue[last].bytes)
        }
        var batch = ProducerBatch<Token>(id: nextID, partition: tp, createdAt: now())
        nextID += 1
        batch.records.reserveCapacity(min(limits.batchRecords, 1024))
        batch.records.append(record)
        batch.bytes += record.size
        queue.append(batch)
        return (batch.count, batch.bytes)
    }

    private func isReady(_ batch: ProducerBatch<Token>, isLast: Bool, now: UInt64) -> Bool {
        if now < batch.notBefore { return false }
        if flushing || !isLast || batch.attempts > 0 { return true }
        if batch.count >= limits.batchRecords || batch.bytes >= limits.batchBytes { return true }
        return now >= batch.createdAt.saturatingAdd(Self.nanoseconds(limits.linger))
    }

    /// Takes the ready batches of partitions that have nothing in flight and that `canSend`
    /// accepts (e.g. their leader is known), marks them in flight, and returns them. With
    /// `idempotent`, batches sent for the first time get their base sequence here.
    mutating func drain(now: UInt64, idempotent: Bool,
                        canSend: (TopicPartition) -> Bool = { _ in true }) -> [ProducerBatch<Token>] {
        lastOpen = nil
        var out: [ProducerBatch<Token>] = []
        for (tp, queue) in queues where hasRoom(tp) {
            guard let first = queue.first, isReady(first, isLast: queue.count == 1, now: now),
                  canSend(tp) else { continue }
            var batch = first
            var rest = queue
            rest.removeFirst()
            queues[tp] = rest.isEmpty ? nil : rest
            if idempotent && batch.baseSequence == nil {
                let base = nextSequence[tp, default: 0]
                batch.baseSequence = base
                nextSequence[tp] = Self.add(base, batch.count)
            }
            batch.attempts += 1
            inFlight[tp, default: []].append(batch)
            out.append(batch)
        }
        return out.sorted { $0.partition < $1.partition }
    }

    /// The earliest instant at which some batch not yet ready becomes ready (linger or backoff
    /// expiry), for the producer's timer; nil when nothing waits on time. Partitions that
    /// `canSend` refuses (their leader has its share of requests out) wait on an answer, not on
    /// time, and are left out: a deadline already past for them would fire the timer in a loop.
    func nextDeadline(now: UInt64, canSend: (TopicPartition) -> Bool = { _ in true }) -> UInt64? {
        var earliest: UInt64?
        for (tp, queue) in queues where hasRoom(tp) {
            guard let first = queue.first, canSend(tp) else { continue }
            let lingerEnd = (queue.count > 1 || flushing || first.attempts > 0) ? 0
                : first.createdAt.saturatingAdd(Self.nanoseconds(limits.linger))
            let at = max(lingerEnd, first.notBefore)
            earliest = min(earliest ?? at, at)
        }
        return earliest
    }

    /// An in-flight batch of `tp` was acknowledged (or definitively failed): it leaves the
    /// accumulator and frees its buffer space. Returns it so its tokens can be reported.
    /// Without `id`, the oldest in flight.
    mutating func complete(_ tp: TopicPartition, id: UInt64? = nil) -> ProducerBatch<Token>? {
        guard let batch = takeInFlight(tp, id: id) else { return nil }
        bufferedBytes -= batch.records.reduce(0) { $0 + $1.size }
        bufferedRecords -= batch.count
        return batch
    }

    /// An in-flight batch of `tp` failed retriably: it goes back into the queue ahead of every
    /// newer batch, not to be sent before `notBefore`, keeping its sequence numbers; the
    /// partition pauses until its other batches in flight are back. Without `id`, the oldest.
    mutating func retry(_ tp: TopicPartition, id: UInt64? = nil, notBefore: UInt64) {
        lastOpen = nil
        guard var batch = takeInFlight(tp, id: id) else { return }
        batch.notBefore = notBefore
        var queue = queues[tp] ?? []
        let at = queue.firstIndex { $0.id > batch.id } ?? queue.count
        queue.insert(batch, at: at)
        queues[tp] = queue
        if inFlight[tp] != nil { paused.insert(tp) }
    }

    private mutating func takeInFlight(_ tp: TopicPartition, id: UInt64?) -> ProducerBatch<Token>? {
        guard var list = inFlight[tp], !list.isEmpty else { return nil }
        var index = 0
        if let id {
            guard let found = list.firstIndex(where: { $0.id == id }) else { return nil }
            index = found
        }
        let i = index
        let batch = list.remove(at: i)
        inFlight[tp] = list.isEmpty ? nil : list
        if list.isEmpty { paused.remove(tp) }
        return batch
    }

    /// Removes every batch (queued and in flight) of the partitions `matching` selects and
    /// returns their records, for failing them (unknown topic, close without flush).
    mutating func failAll(matching: (TopicPartition) -> Bool = { _ in true }) -> [PendingRecord<Token>] {
        lastOpen = nil
        var out: [PendingRecord<Token>] = []
        for tp in Array(queues.keys) where matching(tp) {
            for batch in queues.removeValue(forKey: tp) ?? [] { out.append(contentsOf: batch.records) }
        }
        for tp in Array(inFlight.keys) where matching(tp) {
            for batch in inFlight.removeValue(forKey: tp) ?? [] { out.append(contentsOf: batch.records) }
            paused.remove(tp)
        }
        bufferedBytes -= out.reduce(0) { $0 + $1.size }
        bufferedRecords -= out.count
        return out
    }

    /// Removes queued (not in-flight) batches created before `instant` — records that waited
    /// longer than the delivery timeout, e.g. for a leader that never appeared.
    mutating func expireQueued(createdBefore instant: UInt64) -> [PendingRecord<Token>] {
        lastOpen = nil
        var out: [PendingRecord<Token>] = []
        for tp in Array(queues.keys) {
            var queue = queues[tp]!
            queue.removeAll { batch in
                guard batch.createdAt < instant else { return false }
                out.append(contentsOf: batch.records)
                return true
            }
            queues[tp] = queue.isEmpty ? nil : queue
        }
        bufferedBytes -= out.reduce(0) { $0 + $1.size }
        bufferedRecords -= out.count
        return out
    }

    /// After a new producer id (or epoch), sequences start again at zero; batches not yet
    /// acknowledged take new ones when next sent.
    mutating func resetSequences() {
        nextSequence.removeAll()
        for tp in Array(queues.keys) {
            for i in queues[tp]!.indices { queues[tp]![i].baseSequence = nil }
        }
    }

    /// Sequence arithmetic wraps at Int32.max back to zero, as Kafka's does.
    static func add(_ sequence: Int32, _ n: Int) -> Int32 {
        Int32((Int64(sequence) + Int64(n)) % (Int64(Int32.max) + 1))
    }

    static func nanoseconds(_ d: Duration) -> UInt64 { d.unsignedNanoseconds }
}
