// The brain of a grouped consumer: turns ZooKeeper's view of the group into the set of
// partitions this member consumes, and hands partitions over safely.

import KielIO

/// One member of a consumer group: computes its share with the allocator whenever the members
/// or partitions change, claims what it gained, and gives up what it lost — stop fetching,
/// commit what was processed, report the change, and only then drop the claim, so the next
/// owner starts where this one stopped and never overlaps with it. Each rebalance is reported
/// once, gains and losses together (see `reportWhenSettled`).
///
/// Generic over the fetched batch so it knows nothing of records or deserializers.
/// Loop-confined: every method runs on the loop thread, and so does every callback.
final class GroupMember<Batch> {
    /// Where one partition is in its handover.
    enum Holding: Equatable {
        case claiming   // claim sent
        case waiting    // another member holds it; claimFreed will tell
        case starting   // claimed; reading the committed offset
        case ready      // start offset known; fetching starts once the rebalance is reported
        case active     // fetching and delivering
        case committing // lost; stopped, committing what was delivered
        case leaving    // lost and committed; the claim is dropped once the loss is reported
        case releasing  // dropping the claim
    }

    struct Settings {
        var autocommit = true
        /// How long a suspended session may be alive on the servers, when the coordination
        /// doesn't know the granted one; after it the member stops consuming, since another
        /// member may already have taken its partitions.
        var sessionTimeout: Duration = .seconds(10)
        /// How often to look for new topics and partitions.
        var metadataInterval: Duration = .seconds(10)
        /// How long `close` waits for its final commit before leaving without it.
        var closeCommitTimeout: Duration = .seconds(10)
        /// Pause before retrying a claim or offset read that failed.
        var retryDelay: Duration = .milliseconds(500)
    }

    let loop: IOLoop
    let name: String
    let allocator: PartitionAllocator
    let coordination: any GroupCoordination
    let source: any GroupPartitionSource<Batch>
    let settings: Settings

    var onBatch: ((TopicPartition, Batch) -> Void)?
    var onRebalance: ((AllocationChange) -> Void)?
    var onError: ((KielError) -> Void)?

    private(set) var topics: Set<String> = []
    var members: [String]?
    var partitions: Set<String>?
    var joined = false
    var connected = false
    var started = false
    var closing = false

    var holdings: [TopicPartition: Holding] = [:]
    var target: Set<TopicPartition> = []
    /// Next offset to hand over per partition (everything before it was delivered).
    var positions: [TopicPartition: Int64] = [:]
    var committed: [TopicPartition: Int64] = [:]
    /// Claims this member may still own in ZooKeeper after it stopped consuming on a long
    /// suspension; released or re-taken once the session is back.
    var staleClaims: Set<TopicPartition> = []

    var commitInFlight = false
    var commitAgain = false
    var commitWaiters: [(Result<Void, KielError>) -> Void] = []
    var startsPending: Set<TopicPartition> = []
    var startsInFlight = false
    var suspensionTimer: TimeoutHandle?
    var retryTimer: TimeoutHandle?
    var metadataTimer: PeriodicCallback?

    init(loop: IOLoop, name: String, allocator: PartitionAllocator, coordination: any GroupCoordination,
         source: any GroupPartitionSource<Batch>, settings: Settings) {
        self.loop = loop
        self.name = name
        self.allocator = allocator
        self.coordination = coordination
        self.source = source
        self.settings = settings
        coordination.onEvent = { [weak self] event in self?.handle(event) }
        source.onBatch = { [weak self] key, batch, next in self?.deliver(key, batch, next) }
        source.onError = { [weak self] error in self?.onError?(error) }
    }

    /// What this member consumes now: topic → sorted partition ids.
    var allocation: [String: [Int32]] {
        var result: [String: [Int32]] = [:]
        for (key, holding) in holdings where holding == .active {
            result[key.topic, default: []].append(key.partition)
        }
        return result.mapValues { $0.sorted() }
    }

    /// Joins the group. `completion` runs once the member is in the party and the partitions
    /// of the topics registered so far are in the shared set.
    func start(_ completion: @escaping (Result<Void, KielError>) -> Void) {
        loop.assertInLoop()
        precondition(!started, "GroupMember.start called twice")
        started = true
        coordination.start { [weak self] result in
            guard let self else { return }
            if case .failure = result { return completion(result) }
            let timer = PeriodicCallback(loop: self.loop, interval: self.settings.metadataInterval) { [weak self] in
                self?.refreshPartitions(nil)
            }
            self.metadataTimer = timer
            timer.start()
            self.refreshPartitions(completion)
        }
    }

    /// Registers a topic to consume; its partitions join the shared set.
    func consume(_ topic: String) {
        loop.assertInLoop()
        guard topics.insert(topic).inserted else { return }
        if started && joined { refreshPartitions(nil) }
        reconcile()
    }

    /// Puts the partitions of every registered topic into the shared set, so that topics created
    /// or grown after start get divided too.
    func refreshPartitions(_ completion: ((Result<Void, KielError>) -> Void)?) {
        guard !closing, !topics.isEmpty else {
            if let completion { loop.callSoon { completion(.success(())) } }
            return
        }
        source.partitionCounts(topics.sorted()) { [weak self] result in
            guard let self else { return }
            switch result {
            case .failure(let error):
                if let completion { completion(.failure(error)) } else { self.onError?(error) }
            case .success(let counts):
                var wanted = Set<String>()
                for (topic, count) in counts where self.topics.contains(topic) {
                    for id in 0 ..< count { wanted.insert(TopicPartition(topic, Int32(id)).shareEntry) }
                }
                let known = self.partitions ?? []
                guard !wanted.isSubset(of: known), self.connected, !self.closing else {
                    completion?(.success(()))
                    return
                }
                self.coordination.addPartitions(wanted.subtracting(known)) { result in
                    if let completion { completion(result) } else if case .failure(let error) = result { self.onError?(error) }
                }
            }
        }
    }

    func handle(_ event: GroupCoordinationEvent) {
        guard !closing else { return }
        switch event {
        case .joined:
            joined = true
            sessionBack()
        case .reconnected:
            sessionBack()
        case .suspended:
            connected = false
            if suspensionTimer == nil {
                let grace = coordination.sessionTimeout ?? settings.sessionTimeout
                suspensionTimer = loop.callLater(grace) { [weak self] in
                    guard let self else { return }
                    self.suspensionTimer = nil
                    guard !self.connected else { return }
                    KielLog.warning("group member \(self.name): ZooKeeper unreachable for a session timeout; stopping")
                    self.staleClaims.formUnion(self.dropAll())
                }
            }
        case .expired:
            connected = false
            joined = false
            members = nil
            cancelSuspensionTimer()
            staleClaims = []
            _ = dropAll()
        case .members(let names):
            members = names
            reconcile()
        case .partitions(let list):
            partitions = Set(list.filter { TopicPartition(shareEntry: $0) != nil })
            reconcile()
        case .claimFreed(let key):
            if holdings[key] == .waiting {
                holdings[key] = nil
                reconcile()
            }
        }
    }

    private func sessionBack() {
        connected = true
        cancelSuspensionTimer()
        let stale = staleClaims
        staleClaims = []
        for key in stale where !target.contains(key) && holdings[key] == nil {
            coordination.release(key) { _ in }
        }
        reconcile()
    }

    private func cancelSuspensionTimer() {
        loop.cancelTimeout(&suspensionTimer)
    }

    /// Recomputes this member's share and moves toward it.
    func reconcile() {
        guard !closing else { return }
        if joined, let members, let partitions, members.contains(name) {
            let mine = allocator.allocate(members: members, partitions: partitions)[name] ?? [:]
            let share = Set(TopicPartition.all(mine).filter { topics.contains($0.topic) })
            if share != target {
                KielLog.debug("group member \(name): share of \(members.count) members is \(share.map(\.shareEntry).kielSorted())")
            }
            target = share
        } else {
            target = []
        }
        defer { reportWhenSettled() }
        let losing = holdings.filter { !target.contains($0.key) }
        for (key, holding) in losing where holding == .waiting { holdings[key] = nil }
        for (key, holding) in losing where holding == .ready { dropClaim(key) }
        release(losing.filter { $0.value == .active }.map(\.key))
        // A suspended session may be gone already: take nothing new until it is back.
        guard connected else { return }
        for key in target.sorted(by: { $0.shareEntry < $1.shareEntry }) where holdings[key] == nil {
            claim(key)
        }
    }
}
