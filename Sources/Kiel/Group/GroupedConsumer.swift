// kiel's GroupedConsumer: consumers sharing a group divide the partitions through ZooKeeper.

import KielIO
import KafkaProtocol
import ZooKeeper

/// A consumer that shares the partitions of its topics with the other members of its group,
/// kiel's "grouped consumer". Members find each other in ZooKeeper (`/kiel/groups/<group>`:
/// a party of members and a shared set of `topic:partition` strings), each runs the same
/// stable `PartitionAllocator` over the sorted members and partitions, and consumes its own
/// share. Offsets are committed to and read from Kafka's group coordinator, so a partition's
/// next consumer starts where the last one stopped.
///
/// Beyond kiel: a partition changes hands through an ephemeral claim, so two members never
/// consume it at once; the member giving it up stops fetching and commits what it delivered
/// before letting go; `onRebalance` says what this member gained and lost; partitions of
/// topics created or grown later join the shared set; a suspended ZooKeeper session keeps its
/// share but takes nothing new (and stops once the session may have expired); after an
/// expiry the member rejoins with a new session; `close` commits, leaves the party and closes
/// the session so the others take over at once.
///
/// ```swift
/// let consumer = try GroupedConsumer(loop: loop, brokers: ["kafka1:9092"], group: "workers",
///                                    zooKeeper: "zk1:2181,zk2:2181", deserializer: .json)
/// consumer.onMessages = { messages in for m in messages { handle(m.value) } }
/// consumer.consume("jobs")
/// consumer.connect { result in ... }
/// ```
///
/// Loop-confined: create it and call it on the loop thread only; every callback runs there.
public final class GroupedConsumer<Value> {
    /// The consumer's settings: how to fetch (`fetch`, whose fields read as this struct's own:
    /// `options.maxWaitTime`), how the group behaves, and the cluster's.
    @dynamicMemberLookup
    public struct Options: Sendable {
        /// How to fetch: wait, byte limits, decode budget, backoff (as `SingleConsumer`'s).
        public var fetch = FetchOptions()
        /// Commit after each delivered batch (kiel's default); otherwise call `commitOffsets`.
        public var autocommit = true
        /// The ZooKeeper session timeout asked for (the servers clamp it). A killed member's
        /// partitions move after about this long.
        public var sessionTimeout: Duration = .seconds(10)
        /// How often to look for new partitions of the subscribed topics.
        public var metadataInterval: Duration = .seconds(10)
        /// Where a partition starts when the group has no committed offset for it: `.beginning`
        /// (the default, so a new group misses nothing; `SingleConsumer` starts at `.end`) or
        /// `.end`.
        public var startWithoutCommit: StartPosition = .beginning
        /// This member's name in the party; `hostname:unique-id` by default.
        public var memberName: String = GroupMemberName.generate()
        /// Connections, timeouts and metadata (not used by `init(cluster:...)`).
        public var cluster = Cluster.Options()
        /// Credentials the ZooKeeper session presents (`addauth`), on every connection:
        /// `[.digest(user: "kiel", password: secret)]`, say. None by default. A scheme the
        /// servers refuse makes `connect` fail with `.zookeeper(.authFailed)`.
        public var zooKeeperCredentials: [ZooKeeperCredentials] = []
        /// The ACL of the znodes this member creates for its group (`/kiel/groups/<group>` and
        /// everything under it); open to all by default, as kiel has it. `ACL.creatorAll` keeps
        /// them to the identities in `zooKeeperCredentials` (every member then needs the same
        /// credentials); `ACL.creatorAllWorldRead` lets anyone read them. `/kiel/groups`, which
        /// every group shares, is created open when missing: create it beforehand to restrict it.
        public var zooKeeperACL: [ACL] = ACL.openUnsafe
        /// The defaults above.
        public init() {}
        /// `fetch`'s fields, as if they were this struct's.
        public subscript<T>(dynamicMember field: WritableKeyPath<FetchOptions, T>) -> T {
            get { fetch[keyPath: field] }
            set { fetch[keyPath: field] = newValue }
        }
    }

    /// The loop this consumer runs on (its cluster's).
    public let loop: IOLoop
    /// The group's name.
    public let group: String
    /// This member's name in the party (`Options.memberName`).
    public let memberName: String
    /// Turns record values into `Value`s.
    public let deserializer: Deserializer<Value>

    /// One partition's newly fetched messages, in offset order. With `autocommit`, offsets up
    /// to the last message are committed after this returns.
    public var onMessages: (([ConsumerMessage<Value>]) -> Void)?
    /// What this member gained and lost in one rebalance, reported once: when the lost
    /// partitions are no longer fetched and their delivered offsets are committed, and the
    /// gained ones have their start offsets (their messages come after this call). The lost
    /// partitions' claims are dropped only after this returns, so no other member is told it
    /// gained one before this one is told it lost it. A partition another member still holds
    /// comes in a later change, once that member lets go. `close`, and a session that expired
    /// or may have, report everything held as lost.
    public var onRebalance: ((AllocationChange) -> Void)?
    /// Errors no caller is waiting for: a record that failed to deserialize (it is skipped),
    /// a failed fetch or commit, ZooKeeper trouble.
    public var onError: ((KielError) -> Void)?

    /// The Kafka cluster this consumer fetches and commits through (its own, or shared).
    public let cluster: Cluster
    /// Pause, resume, seek and lag for the partitions this member holds now.
    public let fetching: FetchControl
    /// The group's committed offsets, read and committed by hand.
    public let offsets: GroupOffsets
    let ownsCluster: Bool
    let zooKeeper: ZooKeeperClient
    let member: GroupMember<[Record]>
    private var started = false
    var closed = false
    /// For `statistics()`.
    var messagesDelivered = 0
    var rebalances = 0
    var statisticsReporter: StatisticsReporter?
    /// Loading metadata and joining, for `connect`.
    private var connecting: GroupConnect!

    /// A consumer with its own cluster connections, closed by `close`.
    /// - Parameters:
    ///   - brokers: bootstrap hosts (`host` or `host:port`).
    ///   - group: the group's name; one znode name.
    ///   - connectString: the ZooKeeper ensemble as `ZooKeeperClient` takes it:
    ///     `"zk1:2181,zk2:2181"`, optionally with a chroot (`"zk1:2181,zk2:2181/app"`).
    ///   - partitionAllocator: who gets what; the same for every member of a group.
    public convenience init(loop: IOLoop, brokers: [String], group: String, zooKeeper connectString: String,
                            deserializer: Deserializer<Value>, partitionAllocator: PartitionAllocator = .roundRobin,
                            options: Options = Options()) throws(KielError) {
        let cluster = try Cluster(loop: loop, hosts: brokers, options: options.cluster)
        try self.init(cluster: cluster, ownsCluster: true, group: group, zooKeeper: connectString,
                      deserializer: deserializer, partitionAllocator: partitionAllocator, options: options)
    }

    /// A consumer on a cluster shared with other clients (a `Producer(cluster:)`, say), as
    /// `SingleConsumer(cluster:)`: `close` leaves the cluster open for them, and
    /// `options.cluster` is not used. The other parameters are as in
    /// `init(loop:brokers:group:zooKeeper:...)`; the loop is the cluster's.
    public convenience init(cluster: Cluster, group: String, zooKeeper connectString: String,
                            deserializer: Deserializer<Value>, partitionAllocator: PartitionAllocator = .roundRobin,
                            options: Options = Options()) throws(KielError) {
        try self.init(cluster: cluster, ownsCluster: false, group: group, zooKeeper: connectString,
                      deserializer: deserializer, partitionAllocator: partitionAllocator, options: options)
    }

    /// The earlier form, with the fetch settings and `autocommit` as arguments.
    @available(*, deprecated, message: "set autocommit, maxWaitTime, minBytes and maxBytes in Options")
    public convenience init(loop: IOLoop, brokers: [String], group: String, zooKeeper connectString: String,
                            deserializer: Deserializer<Value>, partitionAllocator: PartitionAllocator = .roundRobin,
                            autocommit: Bool, maxWaitTime: Duration, minBytes: Int,
                            maxBytes: Int, options: Options = Options()) throws(KielError) {
        var options = options
        options.autocommit = autocommit
        options.maxWaitTime = maxWaitTime
        options.minBytes = minBytes
        options.maxBytes = maxBytes
        try self.init(loop: loop, brokers: brokers, group: group, zooKeeper: connectString,
                      deserializer: deserializer, partitionAllocator: partitionAllocator, options: options)
    }

    /// The earliest form: `zkHosts` is every server of the ensemble (`host:port`), optionally
    /// followed by a chroot on the last one (`zk3:2181/app`), joined into one connect string.
    @available(*, deprecated, message: "pass the ensemble as one connect string: zooKeeper: \"zk1:2181,zk2:2181/chroot\"")
    public convenience init(loop: IOLoop, brokers: [String], group: String, zkHosts: [String],
                            deserializer: Deserializer<Value>, partitionAllocator: PartitionAllocator = .roundRobin,
                            autocommit: Bool = true, maxWaitTime: Duration = .seconds(1), minBytes: Int = 1,
                            maxBytes: Int = 1 << 20, options: Options = Options()) throws(KielError) {
        var options = options
        options.autocommit = autocommit
        options.maxWaitTime = maxWaitTime
        options.minBytes = minBytes
        options.maxBytes = maxBytes
        try self.init(loop: loop, brokers: brokers, group: group, zooKeeper: zkHosts.joined(separator: ","),
                      deserializer: deserializer, partitionAllocator: partitionAllocator, options: options)
    }

    init(cluster: Cluster, ownsCluster: Bool, group: String, zooKeeper connectString: String,
         deserializer: Deserializer<Value>, partitionAllocator: PartitionAllocator, options: Options) throws(KielError) {
        let loop = cluster.loop
        guard let layout = GroupLayout(group: group) else {
            throw .invalidArgument("group name \"\(group)\" can't be a znode name")
        }
        guard !options.memberName.isEmpty, !options.memberName.contains("/") else {
            throw .invalidArgument("member name \"\(options.memberName)\" can't be a znode name")
        }
        guard options.startWithoutCommit == .beginning || options.startWithoutCommit == .end else {
            throw .invalidArgument("startWithoutCommit must be .beginning or .end")
        }
        self.loop = loop
        self.group = group
        self.memberName = options.memberName
        self.deserializer = deserializer
        self.cluster = cluster
        self.ownsCluster = ownsCluster
        do {
            zooKeeper = try ZooKeeperClient(loop: loop, connectString: connectString,
                                            sessionTimeout: options.sessionTimeout)
        } catch {
            throw .zookeeper(error)
        }
        let engine = FetchEngine(loop: loop, cluster: cluster, settings: options.fetch)
        fetching = FetchControl(engine: engine)
        let store = GroupOffsetStore(loop: loop, cluster: cluster, group: group, member: memberName)
        offsets = GroupOffsets(store: store)
        let source = KafkaGroupSource(cluster: cluster, offsets: store,
                                      fetcher: engine,
                                      startWithoutCommit: options.startWithoutCommit)
        let coordination = ZooKeeperGroupCoordination(client: zooKeeper, layout: layout, member: memberName,
                                                      credentials: options.zooKeeperCredentials,
                                                      acl: options.zooKeeperACL)
        var settings = GroupMember<[Record]>.Settings()
        settings.autocommit = options.autocommit
        settings.sessionTimeout = options.sessionTimeout
        settings.metadataInterval = options.metadataInterval
        member = GroupMember(loop: loop, name: memberName, allocator: partitionAllocator,
                             coordination: coordination, source: source, settings: settings)
        member.onBatch = { [unowned self] key, records in self.deliver(key, records) }
        member.onRebalance = { [unowned self] change in
            self.rebalances += 1
            self.onRebalance?(change)
        }
        member.onError = { [unowned self] error in self.onError?(error) }
        connecting = GroupConnect(loop: loop, cluster: cluster, group: group) { [unowned self] joined in
            self.member.start(joined)
        }
        connecting.onError = { [unowned self] error in self.onError?(error) }
    }

    /// Consumes `topic` too: its partitions join the group's shared set, and this member's
    /// share of them is delivered to `onMessages`. Call before or after `connect`.
    public func subscribe(_ topic: String) {
        loop.assertInLoop()
        member.consume(topic)
    }

    /// The earlier name of `subscribe` (on `SingleConsumer`, `consume` fetches one batch).
    @available(*, deprecated, renamed: "subscribe")
    public func consume(_ topic: String) { subscribe(topic) }

    /// kiel's `connect()`: loads metadata, joins the group, and starts consuming this member's
    /// share. `completion` runs once the member is in the group. Brokers that can't be reached
    /// yet are asked again after a backoff (each failure goes to `onError`); if that goes on
    /// for 30 s, `completion` gets the last error while the consumer keeps trying. A `.tls`
    /// error goes to `onError` and `completion` at once, and the consumer stops trying.
    public func connect(_ completion: @escaping (Result<Void, KielError>) -> Void = { _ in }) {
        loop.assertInLoop()
        guard !started, !closed else { return loop.callSoon { completion(.failure(.closed)) } }
        started = true
        connecting.start(completion)
    }

    /// The earlier name of `connect`.
    @available(*, deprecated, renamed: "connect")
    public func start(_ completion: @escaping (Result<Void, KielError>) -> Void) { connect(completion) }

    /// The partitions this member consumes now: topic → sorted partition ids.
    public var allocation: [String: [Int32]] { member.allocation }

    /// Commits the offsets of everything delivered so far.
    public func commitOffsets(_ completion: ((Result<Void, KielError>) -> Void)? = nil) {
        loop.assertInLoop()
        member.commitOffsets(completion)
    }

    /// Stops fetching, commits what was delivered, leaves the party and closes the ZooKeeper
    /// session, and the broker connections unless the cluster is shared. `completion` runs
    /// once all that is done. Called from `onMessages`, the messages of that call are not
    /// committed: the partition's next owner gets them again.
    public func close(_ completion: @escaping () -> Void = {}) {
        loop.assertInLoop()
        guard !closed else { return loop.callSoon(completion) }
        closed = true
        connecting.cancel()
        member.close { [weak self] in
            if let self, self.ownsCluster { self.cluster.close() }
            completion()
        }
    }

    private func deliver(_ key: TopicPartition, _ records: [Record]) {
        var messages: [ConsumerMessage<Value>] = []
        deserializer.append(records, of: key, to: &messages, failed: onError)
        messagesDelivered += messages.count
        if !messages.isEmpty { onMessages?(messages) }
    }
}
