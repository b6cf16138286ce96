/// Reads topics without coordinating with other consumers: kiel's `SingleConsumer`.
///
/// `consume(topic, start:)` returns the next batch of messages from every partition of the
/// topic (one Fetch per partition leader, in parallel), deserialized, each with its topic,
/// partition, offset, key, timestamp and headers. The first call for a topic finds the
/// starting offsets (`start`: beginning, end, a date, an interval ago, or an offset); later
/// calls continue where the previous left off. A record whose value fails to deserialize is
/// reported through `onError` and skipped. An out-of-range offset is recovered by looking the
/// start up again. `startConsuming` keeps fetching and hands every batch to a closure.
///
/// Loop-confined: create it and call it on the loop thread only; completions run there.
public final class SingleConsumer<Value> {
    /// Consumer settings: how to fetch (`fetch`, whose fields read as this struct's own:
    /// `options.maxWaitTime`) and the cluster's.
    @dynamicMemberLookup
    public struct Options: Sendable {
        /// How to fetch: wait, byte limits, decode budget, backoff.
        public var fetch = FetchOptions()
        /// Connections, timeouts and metadata (not used by `init(cluster:...)`).
        public var cluster = Cluster.Options()
        /// The defaults.
        public init() {}
        /// `fetch`'s fields, as if they were this struct's.
        public subscript<T>(dynamicMember field: WritableKeyPath<FetchOptions, T>) -> T {
            get { fetch[keyPath: field] }
            set { fetch[keyPath: field] = newValue }
        }
    }

    /// What one `consume` call delivers.
    public typealias Batch = Result<[ConsumerMessage<Value>], KielError>

    /// The loop this consumer runs on (its cluster's).
    public let loop: IOLoop
    /// The Kafka cluster this consumer fetches through (its own, or shared).
    public let cluster: Cluster
    /// The settings it was made with.
    public let options: Options
    let deserializer: Deserializer<Value>
    let ownsCluster: Bool
    /// The messages of subscribed topics: each non-empty batch fetched, in offset order within
    /// each partition. Called on the loop thread.
    public var onMessages: (([ConsumerMessage<Value>]) -> Void)?
    /// Problems no completion is waiting for: a record that failed to deserialize (skipped), a
    /// partition that answered with an error, a failed fetch round of a subscribed topic
    /// (tried again after `retryBackoff`). Called on the loop thread.
    public var onError: ((KielError) -> Void)?

    /// The fetch engine: positions, lookups, requests, answers.
    let engine: FetchEngine
    /// Pause, resume, seek and lag per partition.
    public let fetching: FetchControl
    var starts: [String: StartPosition] = [:]
    var partitionFilter: [String: Set<Int32>] = [:]
    var loops: [String: ConsumeLoop] = [:]
    /// Topics whose last round had a partition answer with an error, or had every partition
    /// paused: a subscription's empty round then waits `retryBackoff` before asking again.
    var partitionErrors: Set<String> = []
    var closed = false
    /// For `statistics()`.
    var messagesDelivered = 0
    var statisticsReporter: StatisticsReporter?

    /// The next offset to read, per partition.
    public internal(set) var positions: [TopicPartition: Int64] {
        get { engine.assignments.compactMapValues(\.position) }
        set { for (tp, offset) in newValue { engine.setPosition(tp, offset) } }
    }

    /// The high watermark each partition last reported.
    public var highWatermarks: [TopicPartition: Int64] { engine.assignments.compactMapValues(\.highWatermark) }

    final class ConsumeLoop {
        var running = true
        var timer: TimeoutHandle?
    }

    /// A consumer with its own cluster connections to `brokers` (bootstrap hosts), closed by `close`.
    public convenience init(loop: IOLoop, brokers: [String], deserializer: Deserializer<Value>,
                            options: Options = Options()) throws(KielError) {
        let cluster = try Cluster(loop: loop, hosts: brokers, options: options.cluster)
        self.init(cluster: cluster, deserializer: deserializer, options: options, ownsCluster: true)
    }

    /// A consumer on a cluster shared with other clients; `close` leaves the cluster open.
    public convenience init(cluster: Cluster, deserializer: Deserializer<Value>, options: Options = Options()) {
        self.init(cluster: cluster, deserializer: deserializer, options: options, ownsCluster: false)
    }

    init(cluster: Cluster, deserializer: Deserializer<Value>, options: Options, ownsCluster: Bool) {
        self.loop = cluster.loop
        self.cluster = cluster
        self.deserializer = deserializer
        self.options = options
        self.ownsCluster = ownsCluster
        engine = FetchEngine(loop: cluster.loop, cluster: cluster, settings: options.fetch)
        fetching = FetchControl(engine: engine)
        engine.onError = { [weak self] error in self?.onError?(error) }
    }

    /// Loads metadata (kiel's `connect()`).
    public func connect(_ completion: @escaping (Result<Void, KielError>) -> Void = { _ in }) {
        loop.assertInLoop()
        cluster.start { completion($0.map { _ in () }) }
    }

    /// The next messages of `topic`. `start` counts only on the first call for a topic (or
    /// after `seek`). `partitions` limits reading to those partitions (first call only).
    public func consume(_ topic: String, start: StartPosition = .end, partitions: [Int32]? = nil,
                        _ completion: @escaping (Batch) -> Void) {
        fetch(topic, start: start, partitions: partitions, now: false, completion)
    }

    /// `consume`, for a subscription too. `now`: with the topic's partitions and positions
    /// known the Fetch is sent before this returns (a subscription's next Fetch, on its way
    /// before the last answer is handed over); otherwise on a later turn, so a seek or pause
    /// right after `consume` still counts. After a lookup the Fetch is sent only if `wanted()`
    /// still says so, and an answer nobody wants any more gives its positions back: a
    /// subscription stopped meanwhile skips no records.
    private func fetch(_ topic: String, start: StartPosition, partitions: [Int32]?, now: Bool,
                       while wanted: @escaping () -> Bool = { true }, _ completion: @escaping (Batch) -> Void) {
        loop.assertInLoop()
        guard !closed else { return loop.callSoon { completion(.failure(.closed)) } }
        if starts[topic] == nil {
            starts[topic] = start
            if let partitions { partitionFilter[topic] = Set(partitions) }
        }
        let fetchFrom = { [weak self] (all: [Int32]) in
            guard let self, wanted() else { return }
            var all = all
            if let filter = self.partitionFilter[topic] {
                all = all.filter { filter.contains($0) }
                if all.isEmpty {
                    return self.loop.callSoon {
                        completion(.failure(.unknownPartition(topic: topic, partition: filter.min() ?? -1)))
                    }
                }
            }
            let tps = all.map { TopicPartition(topic, $0) }
            let start = self.starts[topic] ?? .end
            for tp in tps where self.engine.assignments[tp] == nil { self.engine.assign(tp, from: start) }
            self.engine.fetchRound(tps, while: wanted) { [weak self] result in
                guard let self else { return }
                switch result {
                case .failure(let error): completion(.failure(error))
                case .success(let round):
                    // Errors only, or every partition paused: a subscription waits a backoff
                    // before asking again instead of asking in a tight loop.
                    if round.partitionErrors || round.allPaused { self.partitionErrors.insert(topic) }
                    let messages = self.messages(round.records)
                    // Stopped meanwhile (an error handler, even one called while these were
                    // made, may have unsubscribed): the records go back to be fetched again.
                    guard wanted() else { return self.engine.giveBack(round.taken) }
                    completion(.success(messages))
                }
            }
        }
        if now, let known = cluster.metadata.partitions(of: topic) { return fetchFrom(known) }
        cluster.partitions(of: topic) { result in
            switch result {
            case .failure(let error): completion(.failure(error))
            case .success(let all): fetchFrom(all)
            }
        }
    }

    /// Keeps fetching `topic` and hands each non-empty batch to `onMessages` and each failure
    /// to `onError`, until `unsubscribe(topic)` or `close`, or a `.tls` or `.authentication`
    /// error (reported once: the connection has given up). `start` and `partitions` are as in `consume`;
    /// subscribing again replaces the earlier subscription. Each next Fetch is sent before the
    /// last batch is handed over, so the broker gathers it while `onMessages` runs; a seek,
    /// pause or unsubscribe from the callback discards that answer, and nothing is skipped.
    public func subscribe(_ topic: String, start: StartPosition = .end, partitions: [Int32]? = nil) {
        runLoop(topic, start: start, partitions: partitions) { [weak self] batch in
            switch batch {
            case .success(let messages): self?.onMessages?(messages)
            case .failure(let error): self?.onError?(error)
            }
        }
    }

    /// Stops fetching `topic` for `subscribe`; positions are kept, so a later `subscribe` or
    /// `consume` goes on where this one stopped.
    public func unsubscribe(_ topic: String) {
        loop.assertInLoop()
        if let state = loops.removeValue(forKey: topic) {
            state.running = false
            if let t = state.timer { loop.removeTimeout(t) }
            // The subscription asks for the next records before handing over the last: that
            // answer is not for anyone now.
            for tp in engine.assignments.keys where tp.topic == topic { engine.dropAnswersOnTheirWay(tp) }
        }
    }

    /// The earlier form of `subscribe`, handing batches and failures to one closure.
    @available(*, deprecated, message: "use subscribe(_:start:partitions:) with onMessages and onError")
    public func startConsuming(_ topic: String, start: StartPosition = .end, partitions: [Int32]? = nil,
                               _ handler: @escaping (Batch) -> Void) {
        runLoop(topic, start: start, partitions: partitions, handler)
    }

    /// The earlier name of `unsubscribe`.
    @available(*, deprecated, renamed: "unsubscribe")
    public func stopConsuming(_ topic: String) { unsubscribe(topic) }

    /// Calls `consume` for `topic` again and again, handing non-empty batches and failures to
    /// `deliver`, pausing `retryBackoff` after a failure or a round where every partition failed.
    private func runLoop(_ topic: String, start: StartPosition, partitions: [Int32]?,
                         _ deliver: @escaping (Batch) -> Void) {
        loop.assertInLoop()
        unsubscribe(topic)
        let state = ConsumeLoop()
        loops[topic] = state
        // The loop holds the consumer only weakly: a consumer its owner let go of stops
        // fetching instead of living on, unreachable, in its own callbacks.
        weak let owner = self
        func next() {
            guard state.running, let consumer = owner, !consumer.closed else { return }
            consumer.fetch(topic, start: start, partitions: partitions, now: true, while: { state.running }) { result in
                guard state.running, let consumer = owner, !consumer.closed else { return }
                switch result {
                case .success(let messages):
                    let errored = consumer.partitionErrors.remove(topic) != nil
                    if !messages.isEmpty {
                        // The next Fetch leaves before these are handed over, so the broker
                        // gathers the next answer while the callback runs. A seek, pause or
                        // unsubscribe from the callback makes that answer stale: it is dropped.
                        next()
                        return deliver(result)
                    }
                    guard errored else { return next() }
                    // Every partition failing at once (say, a leader that moved) would otherwise be
                    // asked again in a tight loop until metadata catches up.
                    state.timer = consumer.loop.callLater(consumer.options.retryBackoff) { next() }
                case .failure(let error):
                    deliver(result)
                    // A TLS or authentication failure won't heal by asking again.
                    if error.endsConnection { return }
                    state.timer = consumer.loop.callLater(consumer.options.retryBackoff) { next() }
                }
            }
        }
        next()
    }

    /// Forgets the position in `topic`: the next `consume` starts again from `start`.
    public func seek(_ topic: String, to start: StartPosition) {
        loop.assertInLoop()
        starts[topic] = start
        for tp in engine.assignments.keys where tp.topic == topic { engine.seek(tp, to: start) }
    }

    /// Whether every partition read from `topic` has been read up to its high watermark
    /// (as of the last fetch) — `kiel consume -e`'s test.
    public func reachedEnd(of topic: String) -> Bool {
        let tps = engine.assignments.filter { $0.key.topic == topic }.map(\.value)
        guard !tps.isEmpty else { return false }
        return tps.allSatisfy { a in
            guard let position = a.position, let end = a.highWatermark else { return false }
            return position >= end
        }
    }

    /// Stops every subscription and closes the cluster if this consumer created it.
    public func close(_ completion: @escaping () -> Void = {}) {
        loop.assertInLoop()
        closed = true
        for topic in Array(loops.keys) { unsubscribe(topic) }
        engine.close()
        if ownsCluster { cluster.close() }
        loop.callSoon(completion)
    }
}
