/// The client's view of a Kafka cluster and its connections: bootstraps from a host list
/// (tried in order), keeps metadata (brokers, topics, partitions, leaders) fresh — on a period,
/// and on demand after retriable errors or leader moves — and hands out one connection per
/// broker. Producers and consumers share one cluster per loop if they like.
///
/// Loop-confined: create and call it on the loop thread only; completions run there and never
/// inside the call that registered them.
public final class Cluster {
    /// Tunables for the cluster.
    public struct Options: Sendable {
        /// Settings of every broker connection the cluster opens.
        public var connection = BrokerConnection.Options()
        /// Metadata is refreshed at least this often.
        public var metadataMaxAge: Duration = .seconds(300)
        /// Two on-demand refreshes are at least this far apart.
        public var metadataMinInterval: Duration = .milliseconds(100)
        /// Whether asking for an unknown topic creates it (when the broker allows that).
        public var allowAutoTopicCreation = false
        /// Plaintext (the default) or TLS for every connection: `connection.security`.
        public var security: Security {
            get { connection.security }
            set { connection.security = newValue }
        }
        /// The defaults above.
        public init() {}
    }

    /// The loop every client of this cluster runs on.
    public let loop: IOLoop
    /// The hosts first asked for metadata, in the order given.
    public let bootstrap: [BrokerAddress]
    /// The settings it was made with.
    public let options: Options
    /// The last metadata received; empty until the first refresh completes.
    public private(set) var metadata = ClusterMetadata() {
        didSet { metadataChanges &+= 1 }
    }
    /// Counts the changes to `metadata`, so a caller can keep what it read from it until the next.
    private(set) var metadataChanges = 0
    private var connections: [BrokerAddress: BrokerConnection] = [:]
    private var refreshWaiters: [(Result<ClusterMetadata, KielError>) -> Void] = []
    private var refreshing = false
    private var pendingTopics: Set<String> = []
    private var lastRefresh: Deadline?
    private var periodic: PeriodicCallback?
    private var closed = false
    /// The TLS settings loaded once for every connection (nil for plaintext).
    private let tls: Result<TLSContext, TLSError>?

    /// `hosts` are bootstrap entries: `host`, `host:port` (default port 9092), possibly
    /// comma-separated. Throws `.invalidArgument` for malformed ones, and `.tls` for TLS
    /// settings that cannot be loaded (a missing CA file, a wrong key password).
    public init(loop: IOLoop, hosts: [String], options: Options = Options()) throws(KielError) {
        self.loop = loop
        self.bootstrap = try BrokerAddress.parseList(hosts)
        self.options = options
        self.tls = options.security.loadTLS()
        if case .failure(let error) = tls { throw .tls(error) }
    }

    /// Loads metadata (kiel's `connect()`), then keeps it fresh on a period.
    public func start(_ completion: @escaping (Result<ClusterMetadata, KielError>) -> Void) {
        loop.assertInLoop()
        if periodic == nil {
            let p = PeriodicCallback(loop: loop, interval: options.metadataMaxAge) { [weak self] in
                self?.refreshMetadata { _ in }
            }
            p.start()
            periodic = p
        }
        refreshMetadata(completion)
    }

    /// Asks a broker for metadata of every topic (plus brokers), merging the answer. Concurrent
    /// calls share one request. Bootstrap hosts and known brokers are tried in order until one
    /// answers.
    public func refreshMetadata(_ completion: @escaping (Result<ClusterMetadata, KielError>) -> Void) {
        loop.assertInLoop()
        guard !closed else { return loop.callSoon { completion(.failure(.closed)) } }
        refreshWaiters.append(completion)
        guard !refreshing else { return }
        refreshing = true
        var delay: Duration = .zero
        if let lastRefresh {
            let since = loop.now - lastRefresh
            if since < options.metadataMinInterval { delay = options.metadataMinInterval - since }
        }
        loop.callLater(delay) { [weak self] in self?.runRefresh() }
    }

    /// The partitions of `topic`, from metadata already held or after a refresh. An unknown
    /// topic is `.unknownTopic` (it is created instead if `allowAutoTopicCreation` is set and
    /// the broker agrees).
    public func partitions(of topic: String, _ completion: @escaping (Result<[Int32], KielError>) -> Void) {
        loop.assertInLoop()
        if let known = metadata.partitions(of: topic) {
            return loop.callSoon { completion(.success(known)) }
        }
        pendingTopics.insert(topic)
        refreshMetadata { [weak self] result in
            switch result {
            case .failure(let error): completion(.failure(error))
            case .success(let meta):
                if let parts = meta.partitions(of: topic) { return completion(.success(parts)) }
                if let self, self.pendingTopics.contains(topic) {
                    // The refresh that answered was already under way and did not name the
                    // topic (nor auto-create it): ask again with a refresh that does.
                    return self.partitions(of: topic, completion)
                }
                if let info = meta.topics[topic], info.errorCode != 0,
                   info.errorCode != BrokerError.unknownTopicOrPartition {
                    return completion(.failure(.broker(BrokerError(wireCode: info.errorCode, topic: topic))))
                }
                completion(.failure(.unknownTopic(topic)))
            }
        }
    }

    /// The connection to a broker by node id, if metadata lists it and the cluster is open.
    public func connection(forNode node: Int32) -> BrokerConnection? {
        loop.assertInLoop()
        // Closed: no new connections, though clients sharing the cluster may still ask.
        guard !closed, let address = metadata.brokers[node] else { return nil }
        return connection(to: address, nodeID: node)
    }

    /// The connection to the current leader of `tp`, if one is known.
    public func leaderConnection(for tp: TopicPartition) -> BrokerConnection? {
        metadata.leader(for: tp).flatMap { connection(forNode: $0) }
    }

    /// A connection for a request any broker can answer (FindCoordinator, InitProducerId): to
    /// a listed broker already connected if there is one, else to the lowest node id; nil
    /// while metadata lists no broker.
    public func anyBrokerConnection() -> BrokerConnection? {
        loop.assertInLoop()
        let nodes = metadata.brokers.keys.sorted()
        let ready = nodes.first { node in metadata.brokers[node].flatMap { connections[$0] }?.state == .ready }
        return (ready ?? nodes.first).flatMap { connection(forNode: $0) }
    }

    /// Closes every connection; their outstanding requests fail with `.closed`.
    public func close() {
        loop.assertInLoop()
        guard !closed else { return }
        closed = true
        periodic?.stop()
        periodic = nil
        for connection in connections.values { connection.close() }
        connections.removeAll()
        let waiters = refreshWaiters
        refreshWaiters.removeAll()
        for waiter in waiters { loop.callSoon { waiter(.failure(.closed)) } }
    }

    /// The connections held now (for the statistics).
    var openConnections: some Collection<BrokerConnection> { connections.values }

    // MARK: internals

    private func connection(to address: BrokerAddress, nodeID: Int32?) -> BrokerConnection {
        if let existing = connections[address], existing.state != .closed { return existing }
        let c = BrokerConnection(loop: loop, address: address, nodeID: nodeID, options: options.connection, tls: tls)
        connections[address] = c
        return c
    }

    /// Candidates for a metadata request: connections already up, then known brokers, then
    /// the bootstrap list in the order given.
    private func metadataCandidates() -> [BrokerAddress] {
        var out: [BrokerAddress] = []
        for (address, c) in connections where c.state == .ready { out.append(address) }
        for address in metadata.brokers.sorted(by: { $0.key < $1.key }).map(\.value) + bootstrap
        where !out.contains(address) { out.append(address) }
        return out
    }

    private func runRefresh() {
        guard !closed else { return }
        let topics = pendingTopics
        pendingTopics.removeAll()
        var request = MetadataRequest(topics: nil, allowAutoTopicCreation: options.allowAutoTopicCreation)
        if !topics.isEmpty && options.allowAutoTopicCreation {
            // Only named topics are auto-created; ask for those, then merge.
            request = MetadataRequest(topics: topics.sorted(), allowAutoTopicCreation: true)
        }
        attemptRefresh(request, candidates: metadataCandidates(), errors: [])
    }

    private func attemptRefresh(_ request: MetadataRequest, candidates: [BrokerAddress],
                                errors: [(address: BrokerAddress, error: KielError)]) {
        guard !closed else { return }
        guard let address = candidates.first else {
            // When TLS or authentication failed everywhere, asking again won't help: say so,
            // not retriably.
            if let first = errors.first, errors.allSatisfy({ $0.error.endsConnection }) {
                return finishRefresh(.failure(first.error))
            }
            return finishRefresh(.failure(.noBrokersAvailable(errors.map { "\($0.address): \($0.error)" }
                .joined(separator: "; "))))
        }
        let c = connection(to: address, nodeID: nil)
        c.send(request, timeout: options.connection.requestTimeout) { [weak self] result in
            guard let self else { return }
            switch result {
            case .success(let answer):
                let fresh = ClusterMetadata(answer.response)
                self.metadata.merge(fresh, replacingAllTopics: request.topics == nil)
                self.dropDepartedBrokers()
                self.finishRefresh(.success(self.metadata))
            case .failure(let error):
                KielLog.info("metadata from \(address) failed: \(error)")
                self.attemptRefresh(request, candidates: Array(candidates.dropFirst()),
                                    errors: errors + [(address, error)])
            }
        }
    }

    /// Closes idle connections to brokers that metadata no longer lists (and that are not
    /// bootstrap hosts); a busy one is kept until a later refresh finds it idle.
    private func dropDepartedBrokers() {
        let keep = Set(metadata.brokers.values).union(bootstrap)
        for (address, c) in connections where !keep.contains(address) && !c.isBusy {
            c.close()
            connections[address] = nil
        }
    }

    private func finishRefresh(_ result: Result<ClusterMetadata, KielError>) {
        refreshing = false
        lastRefresh = loop.now
        let waiters = refreshWaiters
        refreshWaiters.removeAll()
        for waiter in waiters { waiter(result) }
    }
}

extension ClusterMetadata {
    /// The client's view of a Metadata answer.
    init(_ response: MetadataResponse) {
        self.init()
        for b in response.brokers {
            brokers[b.nodeId] = BrokerAddress(host: b.host, port: Int(b.port))
        }
        for t in response.topics {
            guard let name = t.name else { continue }
            topics[name] = TopicInfo(name: name, errorCode: t.errorCode, partitions: t.partitions.map {
                PartitionInfo(partition: $0.partitionIndex, leader: $0.leaderId, leaderEpoch: $0.leaderEpoch,
                              errorCode: $0.errorCode)
            })
        }
        controllerID = response.controllerId
        clusterID = response.clusterId
    }
}
