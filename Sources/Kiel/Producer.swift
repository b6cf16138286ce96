import Foundation

/// Sends values to Kafka topics: kiel's `Producer`, on today's protocol.
///
/// Each accepted value gets exactly one delivery report, `Result<RecordMetadata, KielError>`,
/// on the loop thread. Records are batched per partition (one batch accumulating while the
/// previous one is in flight), sent to each partition's leader, retried with backoff on
/// retriable errors and leader moves, and — with the idempotent producer, on by default where
/// the broker offers InitProducerId — never duplicated or reordered by a retry. `flush` and
/// `close` wait until every accepted value has its report.
///
/// Loop-confined: create it and call it on the loop thread only.
public final class Producer<Value> {
    /// Producer tunables; kiel's names where kiel had them.
    public struct Options: Sendable {
        /// Records per batch (kiel's `batch_size`); a full batch is sent without waiting.
        public var batchSize = 10_000
        /// How long a batch waits for more records before it is sent.
        public var linger: Duration = .milliseconds(5)
        /// Bytes per batch (estimated, before compression).
        public var batchBytes = 1 << 20
        /// Memory for accepted, unacknowledged records; beyond it `produce` throws `.bufferFull`.
        public var bufferBytes = 64 << 20
        /// The largest record accepted.
        public var maxRecordBytes = 1 << 20
        /// How batches are compressed on the wire: none, gzip, snappy, lz4 or zstd.
        public var compression: CompressionCodec = .none
        /// -1: all in-sync replicas; 1: the leader; 0: no acknowledgement (no offsets reported).
        public var requiredAcks: Int16 = -1
        /// How long the broker may wait for replicas before answering.
        public var ackTimeout: Duration = .seconds(5)
        /// Use the idempotent producer when the broker supports it (needs requiredAcks = -1).
        public var idempotent = true
        /// A record not acknowledged within this time after `produce` fails with `.timeout`.
        public var deliveryTimeout: Duration = .seconds(120)
        /// Delay before resending a batch after a retriable error.
        public var retryBackoff: Duration = .milliseconds(100)
        /// Produce requests on the wire per broker. Each carries every partition ready for that
        /// broker; the idempotent producer may have several batches of one partition in them.
        public var maxRequestsInFlight = 2
        /// Connections, timeouts and metadata (not used by `init(cluster:...)`).
        public var cluster = Cluster.Options()
        /// The defaults above.
        public init() {}
    }

    /// One message's outcome.
    public typealias DeliveryReport = (Result<RecordMetadata, KielError>) -> Void

    /// The loop this producer runs on (its cluster's).
    public let loop: IOLoop
    /// The Kafka cluster this producer sends through (its own, or shared).
    public let cluster: Cluster
    /// The settings it was made with.
    public let options: Options
    /// Errors no delivery report is waiting for: the delivery failure of a record produced
    /// without a report, and a producer id the broker refused or could not give (retried, or
    /// producing without idempotence when the refusal is final). Called on the loop thread.
    public var onError: ((KielError) -> Void)?
    /// Called on the loop thread, once, when buffer space frees up after `produce` threw
    /// `.bufferFull`: once what is buffered has fallen to half of `bufferBytes`. A producing
    /// loop can wait for it instead of retrying on a timer.
    public var onBufferAvailable: (() -> Void)?
    /// Set when `.bufferFull` was thrown and `onBufferAvailable` is owed.
    var waitingForBuffer = false
    let serializer: Serializer<Value>
    let keyMaker: ((Value) -> [UInt8]?)?
    let partitioner: Partitioner
    let ownsCluster: Bool

    var accumulator: RecordAccumulator<DeliveryReport?>
    /// Records whose topic's partitions are being looked up, with when each was accepted.
    var awaitingTopic: [String: [(record: PendingRecord<DeliveryReport?>, partition: Int32?, since: Deadline)]] = [:]
    var awaitingBytes = 0
    /// The last topic produced to, with its partitions as of `Cluster.metadataChanges`.
    private var lastTopicPartitions: (topic: String, changes: Int, partitions: [Int32])?
    var producerID: Int64 = -1
    var producerEpoch: Int16 = -1
    var idempotenceState: IdempotenceState = .unknown
    var sendScheduled = false
    /// Wakes the sender when the first lingering batch is due.
    lazy var lingerTimer = EarliestDeadlineTimer(loop: loop) { [weak self] in self?.sendReady() }
    var expiryTimer: PeriodicCallback?
    var flushWaiters: [() -> Void] = []
    var closing = false
    var closed = false
    /// Set when the broker lost our producer state; sending pauses until nothing is in flight,
    /// then a new producer id is fetched and sequences restart.
    var needsNewProducerID = false
    /// Produce requests sent and not yet answered, per leader.
    var requestsInFlight: [Int32: Int] = [:]
    /// What `statistics()` reports.
    var counters = ProducerCounters()
    var statisticsReporter: StatisticsReporter?

    enum IdempotenceState { case unknown, initializing, enabled, disabled }

    /// A producer with its own cluster view of `brokers` (bootstrap hosts).
    public convenience init(loop: IOLoop, brokers: [String], serializer: Serializer<Value>,
                            keyMaker: ((Value) -> [UInt8]?)? = nil, partitioner: Partitioner = .default,
                            options: Options = Options()) throws(KielError) {
        let cluster = try Cluster(loop: loop, hosts: brokers, options: options.cluster)
        self.init(cluster: cluster, serializer: serializer, keyMaker: keyMaker, partitioner: partitioner,
                  options: options, ownsCluster: true)
    }

    /// A producer sharing an existing cluster view (which it does not close).
    public convenience init(cluster: Cluster, serializer: Serializer<Value>, keyMaker: ((Value) -> [UInt8]?)? = nil,
                            partitioner: Partitioner = .default, options: Options = Options()) {
        self.init(cluster: cluster, serializer: serializer, keyMaker: keyMaker, partitioner: partitioner,
                  options: options, ownsCluster: false)
    }

    init(cluster: Cluster, serializer: Serializer<Value>, keyMaker: ((Value) -> [UInt8]?)?,
         partitioner: Partitioner, options: Options, ownsCluster: Bool) {
        self.loop = cluster.loop
        self.cluster = cluster
        self.serializer = serializer
        self.keyMaker = keyMaker
        self.partitioner = partitioner
        self.options = options
        self.ownsCluster = ownsCluster
        self.accumulator = RecordAccumulator(limits: AccumulatorLimits(
            linger: options.linger, batchRecords: options.batchSize, batchBytes: options.batchBytes,
            bufferBytes: options.bufferBytes, maxRecordBytes: options.maxRecordBytes))
        if !options.idempotent || options.requiredAcks != -1 { idempotenceState = .disabled }
    }

    /// Loads metadata and, for the idempotent producer, obtains a producer id (kiel's
    /// `connect()`). Producing before `connect` completes is allowed: records wait.
    public func connect(_ completion: @escaping (Result<Void, KielError>) -> Void = { _ in }) {
        loop.assertInLoop()
        startExpiryTimerIfNeeded()
        cluster.start { [weak self] result in
            guard let self else { return }
            switch result {
            case .failure(let error): completion(.failure(error))
            case .success:
                self.initIdempotence { completion(.success(())) }
            }
        }
    }

    /// Records accepted and not yet reported.
    public var pendingCount: Int { accumulator.bufferedRecords + awaitingTopic.values.reduce(0) { $0 + $1.count } }

    /// Whether retries are protected by the idempotent producer (known after `connect`).
    public var isIdempotent: Bool { idempotenceState == .enabled }

    /// Queues `value` for `topic`. Throws at once — and reports nothing — if the value cannot
    /// be serialized, is too large, the buffer is full, or the producer is closing; otherwise
    /// `report` (if given) is called exactly once with where the record landed or why not.
    ///
    /// The key is `key`, else `keyMaker(value)`; the partition is `partition`, else the
    /// partitioner's choice among the topic's partitions.
    public func produce(_ topic: String, _ value: Value, key: [UInt8]? = nil, partition: Int32? = nil,
                        headers: [RecordHeader] = [], timestamp: Date? = nil,
                        _ report: DeliveryReport? = nil) throws(KielError) {
        loop.assertInLoop()
        guard !closing else { throw .closed }
        let bytes: [UInt8]
        do { bytes = try serializer.serialize(value) } catch {
            throw .serialization("cannot serialize value for \(topic)", underlying: error)
        }
        let ms = Int64(((timestamp ?? Date()).timeIntervalSince1970 * 1000).rounded(.down))
        let record = PendingRecord<DeliveryReport?>(key: key ?? keyMaker?(value), value: bytes, headers: headers,
                                                    timestamp: ms, token: report)
        try produceRecord(record, topic: topic, partition: partition)
        counters.recordsProduced += 1
        counters.bytesProduced += record.size
    }

    /// Calls `completion` once every record accepted so far has its delivery report.
    public func flush(_ completion: @escaping () -> Void) {
        loop.assertInLoop()
        flushWaiters.append(completion)
        accumulator.flushing = true
        scheduleSend()
        checkFlushed()
    }

    /// Flushes, then closes (and closes the cluster if the producer created it). New
    /// `produce` calls throw `.closed` from now on. The producer keeps itself alive until the
    /// flush is done, so an owner may let go of it right after calling `close`.
    public func close(_ completion: @escaping () -> Void = {}) {
        loop.assertInLoop()
        closing = true
        // Strong on purpose: the flush waiter is the only thing holding a released producer
        // until every accepted record has its report (bounded by the delivery timeout).
        flush { [self] in
            self.closed = true
            self.expiryTimer?.stop()
            self.lingerTimer.disarm()
            if self.ownsCluster { self.cluster.close() }
            completion()
        }
    }

    // MARK: accepting records

    func produceRecord(_ record: PendingRecord<DeliveryReport?>, topic: String, partition: Int32?) throws(KielError) {
        if record.size + ProducerBatch<Void>.overhead > options.maxRecordBytes {
            throw .messageTooLarge(size: record.size, limit: options.maxRecordBytes)
        }
        guard let partitions = knownPartitions(of: topic) else {
            return try awaitTopic(record, topic: topic, partition: partition)
        }
        let chosen = partition ?? partitioner.place(key: record.key, size: record.size, topic: topic, partitions: partitions,
                                                    accumulator: accumulator)
        guard partitions.contains(chosen) else { throw .unknownPartition(topic: topic, partition: chosen) }
        guard accumulator.bufferedBytes + awaitingBytes + record.size <= accumulator.limits.bufferBytes else {
            throw bufferFull()
        }
        try accumulator.append(record, to: TopicPartition(topic, chosen), now: loop.now.uptimeNanoseconds).get()
        scheduleSend()
    }

    /// The topic's partitions from metadata, kept for the next record to the same topic until
    /// the metadata changes: one string comparison per record instead of a lookup.
    private func knownPartitions(of topic: String) -> [Int32]? {
        if let last = lastTopicPartitions, last.changes == cluster.metadataChanges, last.topic == topic {
            return last.partitions
        }
        guard let partitions = cluster.metadata.partitions(of: topic) else { return nil }
        lastTopicPartitions = (topic, cluster.metadataChanges, partitions)
        return partitions
    }

    /// The topic is not in metadata yet: hold the record (within the buffer limit) while the
    /// cluster looks it up; an unknown topic fails every record held for it.
    private func awaitTopic(_ record: PendingRecord<DeliveryReport?>, topic: String, partition: Int32?) throws(KielError) {
        guard accumulator.bufferedBytes + awaitingBytes + record.size <= accumulator.limits.bufferBytes else {
            throw bufferFull()
        }
        let first = awaitingTopic[topic] == nil
        awaitingTopic[topic, default: []].append((record, partition, loop.now))
        awaitingBytes += record.size
        if first { lookUp(topic) }
    }

    /// Asks the cluster for the topic's partitions. While the answer is a retriable failure —
    /// no broker reachable yet, a topic just created and without a leader — it asks again
    /// after the retry backoff, and only records held longer than the delivery timeout fail
    /// (librdkafka holds records for an unreachable cluster the same way). Any other answer
    /// settles every record held for the topic.
    private func lookUp(_ topic: String) {
        cluster.partitions(of: topic) { [weak self] result in
            guard let self else { return }
            if case .failure(let error) = result, error.isRetriable, !self.closed {
                self.failHeld(topic, olderThan: self.options.deliveryTimeout, error)
                if self.awaitingTopic[topic] != nil {
                    self.loop.callLater(self.options.retryBackoff) { [weak self] in self?.lookUp(topic) }
                }
                return
            }
            guard let held = self.awaitingTopic.removeValue(forKey: topic) else { return }
            self.awaitingBytes -= held.reduce(0) { $0 + $1.record.size }
            for (record, partition, _) in held {
                if case .failure(let error) = result {
                    settle(record.token, .failure(error))
                    continue
                }
                do throws(KielError) { try self.produceRecord(record, topic: topic, partition: partition) } catch {
                    settle(record.token, .failure(error))
                }
            }
            self.checkFlushed()
        }
    }

    /// Fails the records held for `topic` that waited `limit` or longer.
    private func failHeld(_ topic: String, olderThan limit: Duration, _ error: KielError) {
        guard let held = awaitingTopic[topic] else { return }
        let now = loop.now
        let expired = held.filter { now - $0.since >= limit }
        guard !expired.isEmpty else { return }
        let kept = held.filter { now - $0.since < limit }
        awaitingTopic[topic] = kept.isEmpty ? nil : kept
        awaitingBytes -= expired.reduce(0) { $0 + $1.record.size }
        for held in expired {
            settle(held.record.token, .failure(.timeout("delivery not confirmed within \(options.deliveryTimeout): \(error)")))
        }
        checkFlushed()
    }

    /// The `.bufferFull` error, remembering that a caller waits for room.
    private func bufferFull() -> KielError {
        waitingForBuffer = true
        return .bufferFull(bufferedBytes: accumulator.bufferedBytes + awaitingBytes, limit: accumulator.limits.bufferBytes)
    }

    /// Records were settled: wake a caller waiting for room once half the buffer is free, and
    /// `flush` waiters once nothing is pending.
    func checkFlushed() {
        if waitingForBuffer, (accumulator.bufferedBytes + awaitingBytes) * 2 <= accumulator.limits.bufferBytes {
            waitingForBuffer = false
            if let onBufferAvailable { loop.callSoon(onBufferAvailable) }
        }
        guard pendingCount == 0, !flushWaiters.isEmpty else { return }
        accumulator.flushing = false
        let waiters = flushWaiters
        flushWaiters.removeAll()
        loop.callSoon { for waiter in waiters { waiter() } }
    }

    func startExpiryTimerIfNeeded() {
        guard expiryTimer == nil, !closed else { return }
        let timer = PeriodicCallback(loop: loop, interval: .milliseconds(500)) { [weak self] in self?.expireStale() }
        timer.start()
        expiryTimer = timer
    }

    /// Fails records that waited in the queue longer than the delivery timeout (their leader
    /// never became reachable).
    private func expireStale() {
        let limit = AccumulatorLimits.nanoseconds(options.deliveryTimeout)
        let now = loop.now.uptimeNanoseconds
        guard now > limit else { return }
        let stale = accumulator.expireQueued(createdBefore: now - limit)
        for record in stale {
            settle(record.token, .failure(.timeout("delivery not confirmed within \(options.deliveryTimeout)")))
        }
        if !stale.isEmpty { checkFlushed() }
    }
}

extension AccumulatorLimits {
    static func nanoseconds(_ d: Duration) -> UInt64 { RecordAccumulator<Void>.nanoseconds(d) }
}
