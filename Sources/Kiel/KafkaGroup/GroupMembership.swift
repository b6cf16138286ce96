// A member of a broker-coordinated consumer group (Kafka's classic group protocol), apart
// from fetching: it finds the coordinator, joins, leads when chosen, syncs, heartbeats, and
// rejoins when the coordinator says so. What to do with the partitions it is handed is the
// consumer's business (`KafkaGroupConsumer`).

import KielIO
import KafkaProtocol

/// The classic group protocol's member state machine, on the loop:
///
/// ```text
///   start ─▶ joining ─▶ syncing ─▶ stable ──(REBALANCE_IN_PROGRESS, new subscription)──▶ revoke ─▶ joining
///               ▲  │ MEMBER_ID_REQUIRED: again with the id given            │
///               │  └ UNKNOWN_MEMBER_ID: again with no id                    │ UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION,
///               └──────────────────────────── lost ◀────────────────────────┘ no heartbeat for a session timeout
/// ```
///
/// The coordinator is found with FindCoordinator and talked to on a connection of this
/// member's own (a JoinGroup may be held for the whole rebalance; commits go on the offset
/// store's connection). NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, a loading coordinator or
/// a lost connection send it looking for the coordinator again after `retryBackoff`.
///
/// Eager rebalancing (the protocol of `range` and `roundrobin`): before rejoining, a member
/// that holds partitions gives them all up through `revoke`, which stops fetching and commits
/// under the generation that is ending (the coordinator still accepts those commits while
/// it waits for members to rejoin). A member that was replaced (UNKNOWN_MEMBER_ID,
/// ILLEGAL_GENERATION on a heartbeat, or no heartbeat answered for a session timeout) may not
/// commit any more: `lost` drops its partitions without committing.
///
/// Loop-confined: call it on the loop thread only; callbacks run there.
final class GroupMembership {
    /// How the member behaves; `KafkaGroupConsumer.Options` fills it in.
    struct Settings {
        var sessionTimeout: Duration = .seconds(45)
        var rebalanceTimeout: Duration = .seconds(60)
        var heartbeatInterval: Duration = .seconds(3)
        var retryBackoff: Duration = .milliseconds(200)
        var retryBackoffMax: Duration = .seconds(5)
        var groupInstanceId: String?
        var closeTimeout: Duration = .seconds(5)
    }

    enum State: Equatable { case idle, joining, syncing, stable, closed }

    let loop: IOLoop
    let cluster: Cluster
    let group: String
    /// Offered in this order; the coordinator picks the first one every member offers.
    let assignors: [GroupAssignor]
    let settings: Settings
    /// The cooperative protocol (KIP-429) when every assignor offered is cooperative: a
    /// rebalance revokes nothing up front, the member joins with what it owns, and gives up
    /// only what the new assignment leaves out (then rejoins, so the group can hand that on).
    let cooperative: Bool

    /// Stop fetching and commit under the ending generation, then call the closure: the
    /// member rejoins after that.
    var revoke: ((@escaping () -> Void) -> Void)?
    /// The partitions this member consumes in a new generation.
    var onAssignment: ((GroupGeneration, [TopicPartition]) -> Void)?
    /// The member was replaced: drop every partition without committing.
    var onLost: (() -> Void)?
    /// Trouble nobody waits for: a failed join, an assignor the leader doesn't know.
    var onError: ((KielError) -> Void)?
    /// The partitions the consumer holds now, sent with a cooperative JoinGroup.
    var owned: (() -> [TopicPartition])?

    /// The topics this member subscribes to.
    private(set) var topics: Set<String> = []
    var state: State = .idle
    /// The id the coordinator gave this member; "" until the first join answers.
    var memberId = ""
    var generationId: Int32 = -1
    var protocolName: String?
    /// The member id of the generation's leader (the one that ran the assignor).
    var leaderId = ""
    /// Whether the consumer holds an assignment that must be revoked before rejoining.
    var holdsAssignment = false
    /// The subscription changed while a join was under way: join again once it completes.
    var rejoinWhenStable = false
    /// As leader: every member's topics and their partition counts the assignment was made
    /// with; a change in the metadata makes the leader rejoin so the group is assigned again.
    var assignedCounts: [String: Int]?
    /// The connection to the coordinator, nil until found (and after it moved).
    var coordinator: BrokerConnection?
    /// Bumped whenever a join or heartbeat cycle starts over, so answers to an earlier one are ignored.
    var round = 0
    var heartbeatTimer: TimeoutHandle?
    var retryTimer: TimeoutHandle?
    var lastHeartbeat: Deadline?
    var backoff: Backoff
    /// Joins and syncs turned away in a row (REBALANCE_IN_PROGRESS, UNKNOWN_MEMBER_ID, ...).
    var refusals = 0
    /// When a cooperative member that keeps its partitions began rejoining.
    var rejoinedAt: Deadline?
    /// `start`'s completion, answered by the first assignment.
    var started: ((Result<Void, KielError>) -> Void)?
    /// Run once the rebalance under way ends: stable again, replaced, or closed.
    var rebalanceWaiters: [() -> Void] = []

    init(loop: IOLoop, cluster: Cluster, group: String, assignors: [GroupAssignor], settings: Settings) {
        self.loop = loop
        self.cluster = cluster
        self.group = group
        self.assignors = assignors
        self.settings = settings
        cooperative = assignors.allSatisfy(\.cooperative)
        backoff = Backoff(initial: settings.retryBackoff, maximum: settings.retryBackoffMax)
    }

    /// The membership commits are made under: the last generation joined (the coordinator
    /// still takes commits of the ending one while it waits for members to rejoin).
    var generation: GroupGeneration {
        GroupGeneration(generationId: generationId, memberId: memberId, groupInstanceId: settings.groupInstanceId)
    }

    /// Joins the group with the topics subscribed so far; `completion` runs with the first
    /// assignment (or when `close` comes first).
    func start(_ completion: @escaping (Result<Void, KielError>) -> Void) {
        loop.assertInLoop()
        guard state == .idle else { return loop.callSoon { completion(.failure(.closed)) } }
        started = completion
        join()
    }

    /// Adds topics to the subscription; a member already in a generation rejoins so the
    /// leader assigns them.
    func subscribe(_ topic: String) {
        loop.assertInLoop()
        guard topics.insert(topic).inserted else { return }
        switch state {
        case .stable: rejoin("subscription changed")
        case .joining, .syncing: rejoinWhenStable = true
        case .idle, .closed: break
        }
    }

    /// As leader, compares the partition counts of the group's topics with those it assigned,
    /// and rejoins if a topic appeared, grew or went away, so the group is assigned again
    /// (Kafka's leader watches metadata the same way).
    func checkMetadata(_ metadata: ClusterMetadata) {
        guard state == .stable, let assigned = assignedCounts else { return }
        var now: [String: Int] = [:]
        for topic in assigned.keys {
            if let ids = metadata.partitions(of: topic), !ids.isEmpty { now[topic] = ids.count }
        }
        let known = assigned.filter { $0.value > 0 }
        if now != known { rejoin("partition counts changed: \(known) → \(now)") }
    }

    /// Gives up the current generation and joins again: revokes first if partitions are held
    /// (eager), or keeps them and joins with them (cooperative).
    func rejoin(_ reason: String) {
        guard state == .stable else { return }
        KielLog.debug("group \(group): member \(memberId) rejoins: \(reason)")
        state = .joining
        stopHeartbeats()
        loop.cancelTimeout(&retryTimer)
        round += 1
        let current = round
        rejoinedAt = loop.now
        guard holdsAssignment, !cooperative, let revoke else { return join() }
        holdsAssignment = false
        revoke { [weak self] in
            guard let self, self.round == current, self.state == .joining else { return }
            self.join()
        }
    }

    /// Runs `body` once the rebalance under way has ended (at once if none is).
    func afterRebalance(_ body: @escaping () -> Void) {
        guard state == .joining || state == .syncing else { return body() }
        rebalanceWaiters.append(body)
    }

    func rebalanceEnded() {
        let waiters = rebalanceWaiters
        rebalanceWaiters = []
        for waiter in waiters { waiter() }
    }

    /// The member was replaced: its partitions go without a commit, and it joins again.
    func lost(_ reason: String, resetMemberId: Bool) {
        guard state != .closed else { return }
        KielLog.info("group \(group): member \(memberId) lost its assignment: \(reason)")
        stopHeartbeats()
        loop.cancelTimeout(&retryTimer)
        if resetMemberId { memberId = "" }
        generationId = -1
        state = .joining
        round += 1
        if holdsAssignment {
            holdsAssignment = false
            onLost?()
        }
        rebalanceEnded()
        join()
    }

    /// Another member joined with this member's `groupInstanceId`: the coordinator fenced
    /// this one. Kafka's clients treat that as fatal (two processes believe they are the same
    /// member), so the partitions go without a commit, the error is reported, and the member
    /// stops; it does not rejoin and fence the other in turn.
    func fenced() {
        guard state != .closed else { return }
        KielLog.info("group \(group): instance \(settings.groupInstanceId ?? "-") was fenced by another member with its id")
        stopHeartbeats()
        loop.cancelTimeout(&retryTimer)
        state = .closed
        round += 1
        dropCoordinator()
        if holdsAssignment {
            holdsAssignment = false
            onLost?()
        }
        let error = KielError.broker(BrokerError(wireCode: KafkaErrorCode.fencedInstanceId.rawValue))
        onError?(error)
        answerStart(.failure(error))
        rebalanceEnded()
    }

    /// Stops heartbeating and leaves the group (LeaveGroup), then closes the connection.
    /// `completion` runs once the coordinator answered, or after `closeTimeout`.
    func leave(_ completion: @escaping () -> Void) {
        loop.assertInLoop()
        guard state != .closed else { return loop.callSoon(completion) }
        let wasMember = !memberId.isEmpty && state != .idle
        // A JoinGroup or SyncGroup the coordinator holds would hold a LeaveGroup on the same
        // connection up behind it: leave on a new one.
        let held = state == .joining || state == .syncing
        state = .closed
        round += 1
        stopHeartbeats()
        loop.cancelTimeout(&retryTimer)
        if let started {
            self.started = nil
            loop.callSoon { started(.failure(.closed)) }
        }
        rebalanceEnded()
        var finished = false
        var timer: TimeoutHandle?
        let finish: () -> Void = { [weak self] in
            guard !finished else { return }
            finished = true
            if let timer { self?.loop.removeTimeout(timer) }
            self?.coordinator?.close()
            self?.coordinator = nil
            completion()
        }
        // A static member keeps its place for a session timeout: it does not leave (KIP-345).
        guard wasMember, settings.groupInstanceId == nil, var connection = coordinator, connection.state != .closed else {
            return loop.callSoon(finish)
        }
        if held {
            connection.close()
            connection = BrokerConnection(loop: loop, address: connection.address, nodeID: connection.nodeID,
                                          options: cluster.options.connection)
            coordinator = connection
        }
        timer = loop.callLater(settings.closeTimeout, finish)
        connection.send(LeaveGroupRequest(groupId: group, memberId: memberId)) { [weak self] result in
            if case .success(let (response, _)) = result, response.errorCode != 0 {
                KielLog.debug("group \(self?.group ?? ""): LeaveGroup answered \(BrokerError(wireCode: response.errorCode))")
            }
            finish()
        }
    }

    // MARK: the coordinator

    /// Runs `body` on the coordinator's connection, finding it first if needed. A failure to
    /// find it is retried after the backoff by calling `retry`.
    func withCoordinator(_ retry: @escaping () -> Void, _ body: @escaping (BrokerConnection) -> Void) {
        if let coordinator, coordinator.state != .closed { return body(coordinator) }
        let current = round
        cluster.findCoordinator(group: group) { [weak self] result in
            guard let self, self.round == current, self.state != .closed else { return }
            switch result {
            case .failure(let error):
                self.failed(error, retry)
            case .success(let (node, address)):
                if let old = self.coordinator, old.address == address, old.state != .closed { return body(old) }
                self.coordinator?.close()
                let connection = BrokerConnection(loop: self.loop, address: address, nodeID: node,
                                                  options: self.cluster.options.connection)
                self.coordinator = connection
                body(connection)
            }
        }
    }

    /// A step failed with `error`: forget the coordinator if it moved or the connection
    /// broke, report errors that won't heal by themselves, and try the step again later.
    func failed(_ error: KielError, _ retry: @escaping () -> Void) {
        if case .broker(let broker) = error {
            switch broker.code {
            case .notCoordinator, .coordinatorNotAvailable:
                dropCoordinator()
            case .coordinatorLoadInProgress:
                break
            default:
                onError?(error)
            }
        } else {
            dropCoordinator()
            onError?(error)
        }
        // A TLS or authentication failure won't heal by asking again.
        if error.endsConnection { return answerStart(.failure(error)) }
        guard retryTimer == nil else { return }
        retryTimer = loop.callLater(backoff.next()) { [weak self] in
            self?.retryTimer = nil
            retry()
        }
    }

    func dropCoordinator() {
        coordinator?.close()
        coordinator = nil
    }

    func answerStart(_ result: Result<Void, KielError>) {
        guard let started else { return }
        self.started = nil
        started(result)
    }
}
