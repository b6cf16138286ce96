import KielIO
import KafkaProtocol

/// Administers a Kafka cluster: topics (create, delete, add partitions, list, describe,
/// configuration), consumer groups (list, describe, committed offsets and lag, delete), offsets
/// by time, deleting records, and the cluster's brokers, leaders, replicas and ISR.
///
/// Each request goes where Kafka wants it: topic creation and deletion to the controller,
/// group operations to the group's coordinator, ListOffsets and DeleteRecords to each
/// partition's leader. Each uses the highest version both sides speak; an API the broker does
/// not offer fails with `KielError.unsupportedByBroker`. Where an answer has one outcome per
/// topic, partition or group, the completion gets one `Result` per item: one topic failing
/// does not hide that the others were created. A `Result` failure of the whole call means no
/// item was answered (no broker, a timeout, an unsupported API).
///
/// Loop-confined: create and call it on the thread running its `IOLoop`; completions run there,
/// exactly once, never inside the call that registered them.
public final class Admin {
    /// Settings.
    public struct Options: Sendable {
        /// Connections, timeouts and metadata (not used by `init(cluster:options:)`).
        public var cluster = Cluster.Options()
        /// How long the broker may take over an operation (the request's `timeout_ms`), and
        /// how long on top of the connection's request timeout the answer may take.
        public var operationTimeout: Duration = .seconds(30)
        /// The defaults above.
        public init() {}
    }

    /// The loop it runs on.
    public let loop: IOLoop
    /// The cluster it talks to.
    public let cluster: Cluster
    /// The settings it was made with.
    public let options: Options
    let ownsCluster: Bool
    var closed = false

    /// An admin client with its own cluster connections to `brokers` (bootstrap hosts), closed by `close`.
    public convenience init(loop: IOLoop, brokers: [String], options: Options = Options()) throws(KielError) {
        let cluster = try Cluster(loop: loop, hosts: brokers, options: options.cluster)
        self.init(cluster: cluster, options: options, ownsCluster: true)
    }

    /// An admin client on a cluster shared with other clients; `close` leaves the cluster open.
    public convenience init(cluster: Cluster, options: Options = Options()) {
        self.init(cluster: cluster, options: options, ownsCluster: false)
    }

    init(cluster: Cluster, options: Options, ownsCluster: Bool) {
        self.loop = cluster.loop
        self.cluster = cluster
        self.options = options
        self.ownsCluster = ownsCluster
    }

    /// Loads metadata; optional (every operation refreshes what it needs).
    public func connect(_ completion: @escaping (Result<Void, KielError>) -> Void = { _ in }) {
        loop.assertInLoop()
        guard !closed else { return loop.callSoon { completion(.failure(.closed)) } }
        cluster.start { completion($0.map { _ in () }) }
    }

    /// Refuses new calls (they fail with `.closed`) and closes the cluster if it is its own,
    /// which fails the calls still under way with `.closed`; on a shared cluster those finish.
    public func close(_ completion: @escaping () -> Void = {}) {
        loop.assertInLoop()
        if !closed {
            closed = true
            if ownsCluster { cluster.close() }
        }
        loop.callSoon(completion)
    }

    // MARK: shared by the operations

    /// The operation timeout in milliseconds, for requests' `timeout_ms`.
    var timeoutMs: Int32 { Int32(clamping: options.operationTimeout.components.seconds * 1000
        + options.operationTimeout.components.attoseconds / 1_000_000_000_000_000) }

    /// Sends `request` on `connection`, with the operation timeout on top of the request
    /// timeout; a broker that offers no version of the API we speak is `.unsupportedByBroker`.
    func send<R: KafkaRequest>(_ request: R, to connection: BrokerConnection, versionRange: ClosedRange<Int16>? = nil,
                               _ completion: @escaping (Result<R.Response, KielError>) -> Void) {
        let timeout = cluster.options.connection.requestTimeout + options.operationTimeout
        connection.send(request, timeout: timeout, versionRange: versionRange) { result in
            switch result {
            case .success(let answer): completion(.success(answer.response))
            case .failure(.broker(let error)) where error.code == .unsupportedVersion:
                if let versions = connection.versions, (try? versions.version(for: R.apiKey, within: versionRange)) == nil {
                    return completion(.failure(.unsupportedByBroker(R.apiKey)))
                }
                completion(.failure(.broker(error)))
            case .failure(let error): completion(.failure(error))
            }
        }
    }

    /// Fresh metadata, then `body`; failures (or a closed client) go to `completion`.
    func withMetadata<T>(_ completion: @escaping (Result<T, KielError>) -> Void,
                         _ body: @escaping (ClusterMetadata) -> Void) {
        loop.assertInLoop()
        guard !closed else { return loop.callSoon { completion(.failure(.closed)) } }
        cluster.refreshMetadata { result in
            switch result {
            case .failure(let error): completion(.failure(error))
            case .success(let metadata): body(metadata)
            }
        }
    }

    /// A connection to the controller (topic creation and deletion), else to any broker,
    /// which forwards (KRaft brokers do).
    func withController<T>(_ completion: @escaping (Result<T, KielError>) -> Void,
                           _ body: @escaping (BrokerConnection) -> Void) {
        withMetadata(completion) { [weak self] metadata in
            guard let self else { return completion(.failure(.closed)) }
            guard let connection = self.cluster.connection(forNode: metadata.controllerID)
                    ?? self.cluster.anyBrokerConnection() else {
                return completion(.failure(.noBrokersAvailable("metadata lists no broker")))
            }
            body(connection)
        }
    }

    /// A connection to any broker, after a metadata refresh.
    func withAnyBroker<T>(_ completion: @escaping (Result<T, KielError>) -> Void,
                          _ body: @escaping (BrokerConnection) -> Void) {
        withMetadata(completion) { [weak self] _ in
            guard let self else { return completion(.failure(.closed)) }
            guard let connection = self.cluster.anyBrokerConnection() else {
                return completion(.failure(.noBrokersAvailable("metadata lists no broker")))
            }
            body(connection)
        }
    }

    /// The connection to `group`'s coordinator and its node id.
    func withCoordinator<T>(of group: String, _ completion: @escaping (Result<T, KielError>) -> Void,
                            _ body: @escaping (BrokerConnection, Int32) -> Void) {
        guard !closed else { return loop.callSoon { completion(.failure(.closed)) } }
        cluster.findCoordinator(group: group) { [weak self] result in
            guard let self else { return completion(.failure(.closed)) }
            switch result {
            case .failure(let error): completion(.failure(error))
            case .success(let (node, address)):
                guard let connection = self.cluster.connection(forNode: node) else {
                    return completion(.failure(.noBrokersAvailable("coordinator \(node) at \(address) is not in the metadata")))
                }
                body(connection, node)
            }
        }
    }

    /// The error for a per-item code, or nil for 0.
    static func error(_ code: Int16, topic: String? = nil, partition: Int32? = nil, message: String? = nil) -> KielError? {
        code == 0 ? nil : .broker(BrokerError(wireCode: code, topic: topic, partition: partition, message: message))
    }

    /// Items' outcomes as the call's: an API the broker lacks fails the whole call, as it
    /// does for calls that send one request, since no item could have gone otherwise.
    static func whole<K, V>(_ results: [K: Result<V, KielError>]) -> Result<[K: Result<V, KielError>], KielError> {
        for case .failure(let error) in results.values {
            if case .unsupportedByBroker = error { return .failure(error) }
        }
        return .success(results)
    }

    /// The answer for an empty request, on a later turn.
    func answerSoon<T>(_ value: T, _ completion: @escaping (Result<T, KielError>) -> Void) {
        loop.assertInLoop()
        let outcome: Result<T, KielError> = closed ? .failure(.closed) : .success(value)
        loop.callSoon { completion(outcome) }
    }
}

/// Collects the answers of several requests sent at once and calls `done` after the last.
/// Loop-confined, like its caller.
final class AdminGather<Key: Hashable, Value> {
    private var remaining: Int
    private(set) var results: [Key: Result<Value, KielError>] = [:]
    private let done: ([Key: Result<Value, KielError>]) -> Void

    init(requests: Int, _ done: @escaping ([Key: Result<Value, KielError>]) -> Void) {
        remaining = requests
        self.done = done
    }

    /// Records one item's outcome.
    func set(_ key: Key, _ result: Result<Value, KielError>) { results[key] = result }

    /// Records `error` for each of `keys` not answered yet.
    func fail(_ keys: [Key], _ error: KielError) {
        for key in keys where results[key] == nil { results[key] = .failure(error) }
    }

    /// One request is answered; the last one calls `done`.
    func finishOne() {
        remaining -= 1
        if remaining == 0 { done(results) }
    }
}
