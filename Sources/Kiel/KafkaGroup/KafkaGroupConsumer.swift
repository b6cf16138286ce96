// A consumer group coordinated by the Kafka broker itself (the classic group protocol).

import KielIO
import KafkaProtocol

/// A consumer that shares the partitions of its topics with the other members of a consumer
/// group that Kafka's group coordinator runs, the kind of group Java, librdkafka
/// (confluent-kafka), Go and kafka-python consumers form. Kiel members and theirs can share
/// one group, as long as they offer a common assignor (`range` and `roundrobin` are built in,
/// and offered by default in the order librdkafka offers them).
///
/// The member finds the coordinator, joins (JoinGroup, SyncGroup; the leader runs the
/// assignor), heartbeats on its own timer, and fetches its partitions from the group's
/// committed offsets (`startWithoutCommit` where there are none) through the same fetch
/// engine as the other consumers. Rebalances are eager, as `range` and `roundrobin` want:
/// when the coordinator starts one, the member stops fetching everything, commits what it
/// delivered under the ending generation, rejoins, and reports the net change once, when
/// the new partitions' start offsets are known. A partition is never delivered after the
/// rebalance that took it away began. Offsets are committed on an interval (`autocommit`) or
/// by `commitOffsets`; `close` commits, leaves the group (so the others take over at once)
/// and closes.
///
/// ```swift
/// let consumer = try KafkaGroupConsumer(loop: loop, brokers: ["kafka1:9092"], group: "workers",
///                                       deserializer: .json)
/// consumer.onMessages = { messages in for m in messages { handle(m.value) } }
/// consumer.onRebalance = { change in print("gained \(change.gained), lost \(change.lost)") }
/// consumer.subscribe("jobs")
/// consumer.connect { result in ... }
/// ```
///
/// `GroupedConsumer` is the other kind of group: members coordinate through ZooKeeper, kiel's
/// original design. Both have the same callbacks.
///
/// Loop-confined: create it and call it on the loop thread only; every callback runs there.
/// The heartbeats run on the loop too. Messages come in chunks of at most
/// `options.maxMessagesPerCallback`, one per loop turn, and a partition still being delivered
/// is not fetched again, so a slow `onMessages` holds back fetching, not the heartbeats; only
/// a single call that blocks the loop for a session timeout gets the member replaced.
public final class KafkaGroupConsumer<Value> {
    /// The consumer's settings: how to fetch (`fetch`, whose fields read as this struct's own:
    /// `options.maxWaitTime`), how the member behaves in its group, and the cluster's.
    @dynamicMemberLookup
    public struct Options: Sendable {
        /// How to fetch: wait, byte limits, decode budget, backoff (as `SingleConsumer`'s).
        public var fetch = FetchOptions()
        /// Commit the delivered offsets every `autocommitInterval` (Kafka's
        /// `enable.auto.commit`); otherwise only `commitOffsets`, rebalances and `close` commit.
        public var autocommit = true
        /// How often autocommit commits (Kafka's `auto.commit.interval.ms`, 5 s).
        public var autocommitInterval: Duration = .seconds(5)
        /// How long the coordinator waits for a heartbeat before it drops the member and
        /// gives its partitions to the others. 45 s, the Java client's default since Kafka 3.0
        /// (KIP-735) and librdkafka's since 2.x; the broker's group.min/max.session.timeout.ms bound it.
        public var sessionTimeout: Duration = .seconds(45)
        /// How often the member heartbeats (3 s, as Java and librdkafka); keep it well under
        /// a third of `sessionTimeout`.
        public var heartbeatInterval: Duration = .seconds(3)
        /// How long the coordinator waits for members to rejoin in a rebalance (Kafka's
        /// `max.poll.interval.ms`, 300 s). The group's is the longest of its members'.
        public var rebalanceTimeout: Duration = .seconds(300)
        /// How often the group's leader looks for topics that appeared or grew (and then
        /// rejoins so the group is assigned again).
        public var metadataInterval: Duration = .seconds(10)
        /// Where a partition starts when the group has no committed offset for it:
        /// `.beginning` (the default, as `GroupedConsumer`, so a new group misses nothing; Java
        /// and librdkafka default to the end) or `.end`.
        public var startWithoutCommit: StartPosition = .beginning
        /// A static member's instance id (Kafka's `group.instance.id`, KIP-345), unique in the
        /// group; nil (the default) for a dynamic member. A static member that restarts within
        /// the session timeout gets its partitions back without a rebalance of the others: it
        /// does not leave the group on `close`, and the coordinator keeps its place for a
        /// session timeout. A second member with the same id fences the first, which reports
        /// `FENCED_INSTANCE_ID` to `onError` and stops (close it).
        public var groupInstanceId: String?
        /// How long `close` waits for its commit and LeaveGroup before closing anyway.
        public var closeTimeout: Duration = .seconds(10)
        /// Connections, timeouts and metadata (not used by `init(cluster:...)`).
        public var cluster = Cluster.Options()
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
    /// The group's name (Kafka's `group.id`).
    public let group: String
    /// The assignors offered, most preferred first.
    public let assignors: [GroupAssignor]
    /// Turns record values into `Value`s.
    public let deserializer: Deserializer<Value>
    /// The Kafka cluster this consumer fetches and commits through (its own, or shared).
    public let cluster: Cluster
    /// Pause, resume, seek and lag for the partitions this member holds now.
    public let fetching: FetchControl
    /// The group's committed offsets, read and committed by hand.
    public let offsets: GroupOffsets

    /// One partition's newly fetched messages, in offset order. With `autocommit`, their
    /// offsets are committed at the next interval.
    public var onMessages: (([ConsumerMessage<Value>]) -> Void)?
    /// What this member gained and lost in one rebalance, reported once the new partitions'
    /// start offsets are known (their messages come after this call). The lost partitions
    /// were no longer fetched from the moment the rebalance began, and their delivered
    /// offsets were committed then, under the ending generation. A member that was replaced
    /// (its session expired, say) reports everything lost at once, without a commit; `close`
    /// reports everything lost after its commit.
    public var onRebalance: ((AllocationChange) -> Void)?
    /// Errors no caller is waiting for: a record that failed to deserialize (it is skipped),
    /// a failed fetch, commit or join.
    public var onError: ((KielError) -> Void)?

    let ownsCluster: Bool
    let options: Options
    let membership: GroupMembership
    let source: KafkaGroupSource
    /// The partitions the user was told this member holds.
    var told: Set<TopicPartition> = []
    /// The partitions being fetched and delivered now.
    var active: Set<TopicPartition> = []
    /// The partitions the last assignment gave this member, less those given up since: what a
    /// cooperative member claims when it rejoins.
    var held: Set<TopicPartition> = []
    /// The next offset to deliver and the last committed, per partition.
    var positions: [TopicPartition: Int64] = [:]
    var committed: [TopicPartition: Int64] = [:]
    /// Bumped by every revoke, assignment, loss and close, so a start-offset read or a
    /// commit for an earlier one does not act.
    var assignmentRound = 0
    var commitInFlight = false
    var commitAgain = false
    var commitWaiters: [(Result<Void, KielError>) -> Void] = []
    var autocommitTimer: PeriodicCallback?
    var metadataTimer: PeriodicCallback?
    var retryTimer: TimeoutHandle?
    var started = false
    var closed = false
    /// For `statistics()`.
    var messagesDelivered = 0
    var rebalances = 0
    var statisticsReporter: StatisticsReporter?
    /// Loading metadata and joining, for `connect`.
    var connecting: GroupConnect!

    /// A consumer with its own cluster connections, closed by `close`.
    /// - Parameters:
    ///   - brokers: bootstrap hosts (`host` or `host:port`).
    ///   - group: the group's name (Kafka's `group.id`).
    ///   - assignors: offered in this order; the coordinator picks the first one every member
    ///     offers. By default `range` then `roundrobin`, as librdkafka offers them.
    public convenience init(loop: IOLoop, brokers: [String], group: String, deserializer: Deserializer<Value>,
                            assignors: [GroupAssignor] = [.range, .roundRobin],
                            options: Options = Options()) throws(KielError) {
        let cluster = try Cluster(loop: loop, hosts: brokers, options: options.cluster)
        try self.init(cluster: cluster, ownsCluster: true, group: group, deserializer: deserializer,
                      assignors: assignors, options: options)
    }

    /// A consumer on a cluster shared with other clients (a `Producer(cluster:)`, say):
    /// `close` leaves the cluster open for them, and `options.cluster` is not used. The other
    /// parameters are as in `init(loop:brokers:group:deserializer:assignors:options:)`.
    public convenience init(cluster: Cluster, group: String, deserializer: Deserializer<Value>,
                            assignors: [GroupAssignor] = [.range, .roundRobin],
                            options: Options = Options()) throws(KielError) {
        try self.init(cluster: cluster, ownsCluster: false, group: group, deserializer: deserializer,
                      assignors: assignors, options: options)
    }

    init(cluster: Cluster, ownsCluster: Bool, group: String, deserializer: Deserializer<Value>,
         assignors: [GroupAssignor], options: Options) throws(KielError) {
        guard !group.isEmpty else { throw .invalidArgument("a group needs a name") }
        guard options.groupInstanceId?.isEmpty != true else { throw .invalidArgument("a group instance id may not be empty") }
        guard !assignors.isEmpty, Set(assignors.map(\.name)).count == assignors.count,
              !assignors.contains(where: { $0.name.isEmpty }) else {
            throw .invalidArgument("assignors need distinct, non-empty names")
        }
        guard options.startWithoutCommit == .beginning || options.startWithoutCommit == .end else {
            throw .invalidArgument("startWithoutCommit must be .beginning or .end")
        }
        guard options.heartbeatInterval > .zero, options.heartbeatInterval < options.sessionTimeout else {
            throw .invalidArgument("heartbeatInterval must be positive and shorter than sessionTimeout")
        }
        let loop = cluster.loop
        self.loop = loop
        self.group = group
        self.assignors = assignors
        self.deserializer = deserializer
        self.cluster = cluster
        self.ownsCluster = ownsCluster
        self.options = options
        var settings = GroupMembership.Settings()
        settings.sessionTimeout = options.sessionTimeout
        settings.heartbeatInterval = options.heartbeatInterval
        settings.rebalanceTimeout = options.rebalanceTimeout
        settings.retryBackoff = options.fetch.retryBackoff
        settings.retryBackoffMax = cluster.options.connection.reconnectBackoffMax
        settings.closeTimeout = options.closeTimeout
        settings.groupInstanceId = options.groupInstanceId
        membership = GroupMembership(loop: loop, cluster: cluster, group: group, assignors: assignors, settings: settings)
        let offsets = GroupOffsetStore(loop: loop, cluster: cluster, group: group, member: "kiel-swift")
        self.offsets = GroupOffsets(store: offsets)
        let engine = FetchEngine(loop: loop, cluster: cluster, settings: options.fetch)
        fetching = FetchControl(engine: engine)
        source = KafkaGroupSource(cluster: cluster, offsets: offsets, fetcher: engine,
                                  startWithoutCommit: options.startWithoutCommit)
        // Weak: `offsets` is public and may outlive the consumer (a commit then goes standalone).
        offsets.generation = { [weak membership] in membership?.generation ?? .standalone }
        wire()
        connecting = GroupConnect(loop: loop, cluster: cluster, group: group) { [unowned self] joined in
            self.membership.start(joined)
        }
        connecting.onError = { [unowned self] error in self.onError?(error) }
    }

    /// The id the coordinator gave this member; "" before the first join.
    public var memberId: String { membership.memberId }
    /// The generation this member last joined; -1 before the first.
    public var generationId: Int32 { membership.generationId }
    /// The partitions this member consumes now: topic → sorted partition ids.
    public var allocation: [String: [Int32]] { Self.grouped(told) }

    /// Consumes `topic` too. Call before `connect`, or after it: then the member rejoins so the
    /// leader can assign the topic's partitions.
    public func subscribe(_ topic: String) {
        loop.assertInLoop()
        membership.subscribe(topic)
    }

    /// Loads metadata, joins the group and starts consuming this member's share. `completion`
    /// runs once the member has its first assignment. Brokers that can't be reached yet are
    /// asked again after a backoff (each failure goes to `onError`); if joining takes 30 s,
    /// `completion` gets the last error while the consumer keeps trying. A `.tls` or
    /// authentication error goes to `onError` and `completion` at once, and it stops trying.
    public func connect(_ completion: @escaping (Result<Void, KielError>) -> Void = { _ in }) {
        loop.assertInLoop()
        guard !started, !closed else { return loop.callSoon { completion(.failure(.closed)) } }
        started = true
        if options.autocommit {
            let timer = PeriodicCallback(loop: loop, interval: options.autocommitInterval) { [weak self] in
                self?.commitOffsets(nil)
            }
            autocommitTimer = timer
            timer.start()
        }
        let metadata = PeriodicCallback(loop: loop, interval: options.metadataInterval) { [weak self] in
            self?.cluster.refreshMetadata { result in
                if case .success(let metadata) = result { self?.membership.checkMetadata(metadata) }
            }
        }
        metadataTimer = metadata
        metadata.start()
        connecting.start(completion)
    }

    /// Commits the offsets of everything delivered so far, under the current generation.
    /// `completion` runs once they are committed, or failed to be (a member replaced meanwhile
    /// gets ILLEGAL_GENERATION or UNKNOWN_MEMBER_ID; its partitions are someone else's now).
    public func commitOffsets(_ completion: ((Result<Void, KielError>) -> Void)? = nil) {
        loop.assertInLoop()
        commit(completion)
    }

    /// Stops fetching, commits what was delivered, reports everything lost, leaves the group
    /// (LeaveGroup, so the others rebalance at once instead of after a session timeout), and
    /// closes the broker connections unless the cluster is shared. `completion` runs once all
    /// that is done, or after `closeTimeout` if a broker does not answer. Called from
    /// `onMessages`, the messages of that call are not committed: the partition's next owner
    /// gets them again.
    public func close(_ completion: @escaping () -> Void = {}) {
        loop.assertInLoop()
        guard !closed else { return loop.callSoon(completion) }
        closed = true
        autocommitTimer?.stop()
        autocommitTimer = nil
        metadataTimer?.stop()
        metadataTimer = nil
        loop.cancelTimeout(&retryTimer)
        connecting.cancel()
        // Strong: a consumer released right after `close` still commits and leaves the group;
        // the chain lets go of it once closed.
        finalCommit { [self] in
            membership.leave {
                self.source.close()
                if self.ownsCluster { self.cluster.close() }
                completion()
            }
        }
    }

}
