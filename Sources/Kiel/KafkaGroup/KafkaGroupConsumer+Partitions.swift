// What a broker-coordinated member does with its partitions: take them over from the group's
// committed offsets, deliver them, commit them, give them up.

import KielIO
import KafkaProtocol

extension KafkaGroupConsumer {
    func wire() {
        membership.revoke = { [weak self] done in self?.revokeAll(done) }
        membership.onAssignment = { [weak self] _, partitions in self?.assigned(partitions) }
        membership.onLost = { [weak self] in self?.lostAll() }
        membership.owned = { [weak self] in self?.held.sorted() ?? [] }
        membership.onError = { [weak self] error in
            self?.connecting.note(error)
            self?.onError?(error)
        }
        source.onBatch = { [weak self] key, records, next in self?.deliver(key, records, next) }
        source.onError = { [weak self] error in self?.onError?(error) }
    }

    /// Eager revocation before a rejoin: stop fetching everything (batches on their way are
    /// dropped), commit what was delivered under the ending generation, then let the member
    /// rejoin. The user hears of it with the new assignment.
    func revokeAll(_ done: @escaping () -> Void) {
        assignmentRound += 1
        loop.cancelTimeout(&retryTimer)
        let fetching = active
        for key in fetching { source.stopFetching(key) }
        active = []
        held = []
        commitHeld(fetching) { [weak self] result in
            if case .failure(let error) = result { self?.onError?(error) }
            done()
        }
    }

    /// A new generation's partitions. Those this member keeps (cooperative) go on being
    /// fetched; those it lost are stopped and committed, and the member rejoins so the group can
    /// hand them on (KIP-429); for the new ones it reads where each starts (the group's committed
    /// offset, else `startWithoutCommit`), tells the user what changed, then fetches them.
    func assigned(_ partitions: [TopicPartition]) {
        // Closing: nothing more is fetched or reported; the final commit and LeaveGroup follow.
        guard !closed else { return }
        assignmentRound += 1
        loop.cancelTimeout(&retryTimer)
        let assignment = Set(partitions)
        let revoked = held.subtracting(assignment)
        held = assignment
        if !revoked.isEmpty {
            for key in revoked where active.contains(key) { source.stopFetching(key) }
            let stopped = active.intersection(revoked)
            active.subtract(revoked)
            commitHeld(stopped) { [weak self] result in
                guard let self else { return }
                if case .failure(let error) = result { self.onError?(error) }
                self.membership.rejoin("gave up \(revoked.sorted())")
            }
        }
        readStarts(assignment.subtracting(active), of: assignment, round: assignmentRound)
    }

    /// Looks up where each of `wanted` starts, then takes `assignment` (which holds them).
    private func readStarts(_ wanted: Set<TopicPartition>, of assignment: Set<TopicPartition>, round: Int) {
        guard !wanted.isEmpty else { return take(assignment, starting: wanted, round: round) }
        source.startOffsets(wanted.sorted()) { [weak self] result in
            guard let self, self.assignmentRound == round, !self.closed else { return }
            let offsets = (try? result.get()) ?? [:]
            guard wanted.allSatisfy({ offsets[$0] != nil }) else {
                self.onError?(result.failureError ?? .protocolViolation("no start offset for some of \(wanted.sorted())"))
                self.retryTimer = self.loop.callLater(self.options.fetch.retryBackoff) { [weak self] in
                    self?.retryTimer = nil
                    self?.readStarts(wanted, of: assignment, round: round)
                }
                return
            }
            for key in wanted {
                self.positions[key] = offsets[key]
                self.committed[key] = offsets[key]
            }
            self.take(assignment, starting: wanted, round: round)
        }
    }

    /// Reports the change from what the user was told to `assignment`, then starts fetching
    /// `starting` (the rest of `assignment` is being fetched already).
    private func take(_ assignment: Set<TopicPartition>, starting: Set<TopicPartition>, round: Int) {
        let change = AllocationChange(from: Self.grouped(told), to: Self.grouped(assignment))
        told = assignment
        rebalances += 1
        for key in positions.keys where !assignment.contains(key) {
            positions[key] = nil
            committed[key] = nil
        }
        if !change.isEmpty { onRebalance?(change) }
        // The user may have closed the consumer from inside the callback, or a rebalance began.
        guard !closed, assignmentRound == round else { return }
        active.formUnion(starting)
        for key in starting.sorted() {
            source.startFetching(key, at: positions[key] ?? 0)
        }
    }

    /// The member was replaced: its partitions may be someone else's already, so no commit.
    func lostAll() {
        assignmentRound += 1
        loop.cancelTimeout(&retryTimer)
        for key in active { source.stopFetching(key) }
        active = []
        held = []
        let reported = told
        told = []
        positions = [:]
        committed = [:]
        if !reported.isEmpty { onRebalance?(AllocationChange(lost: Self.grouped(reported))) }
    }

    /// Hands a batch to the user if the partition is still being consumed, and moves its
    /// position on.
    func deliver(_ key: TopicPartition, _ records: [Record], _ next: Int64) {
        guard active.contains(key), !closed, !membership.sessionRanOut() else { return }
        var messages: [ConsumerMessage<Value>] = []
        deserializer.append(records, of: key, to: &messages, failed: onError)
        messagesDelivered += messages.count
        if !messages.isEmpty { onMessages?(messages) }
        // The user may have closed the consumer from inside the callback.
        guard active.contains(key), !closed else { return }
        positions[key] = max(positions[key] ?? next, next)
    }

    /// Commits the positions of the partitions being consumed. One commit is in flight at a
    /// time; calls meanwhile are folded into the next one.
    func commit(_ completion: ((Result<Void, KielError>) -> Void)?) {
        if let completion { commitWaiters.append(completion) }
        if commitInFlight {
            commitAgain = true
            return
        }
        let waiters = commitWaiters
        commitWaiters = []
        let offsets = uncommitted(active)
        guard !offsets.isEmpty else {
            if !waiters.isEmpty { loop.callSoon { for waiter in waiters { waiter(.success(())) } } }
            return
        }
        if membership.cooperative, membership.state == .joining || membership.state == .syncing {
            // A cooperative member keeps consuming through a rebalance: commit once it is over.
            commitWaiters = waiters + commitWaiters
            membership.afterRebalance { [weak self] in
                guard let self else { return }
                guard self.membership.state == .stable else {
                    // Replaced or closed instead: the partitions went without this commit.
                    let failed = self.commitWaiters
                    self.commitWaiters = []
                    let error: KielError = self.membership.state == .closed
                        ? .closed : .broker(BrokerError(wireCode: KafkaErrorCode.illegalGeneration.rawValue))
                    if !failed.isEmpty { self.loop.callSoon { for waiter in failed { waiter(.failure(error)) } } }
                    return
                }
                self.commit(nil)
            }
            return
        }
        guard membership.state == .stable else {
            // Mid-rebalance the revoke commits what was delivered; a caller is told this commit was not made.
            let error: KielError = membership.state == .closed
                ? .closed : .broker(BrokerError(wireCode: KafkaErrorCode.rebalanceInProgress.rawValue))
            if !waiters.isEmpty { loop.callSoon { for waiter in waiters { waiter(.failure(error)) } } }
            return
        }
        commitInFlight = true
        send(offsets) { [weak self] result in
            guard let self else { return }
            self.commitInFlight = false
            if case .failure(let error) = result, waiters.isEmpty { self.onError?(error) }
            for waiter in waiters { waiter(result) }
            if self.commitAgain {
                self.commitAgain = false
                self.commit(nil)
            }
        }
    }

    /// Commits the delivered positions of `held` (partitions just stopped).
    func commitHeld(_ held: Set<TopicPartition>, _ done: @escaping (Result<Void, KielError>) -> Void) {
        let offsets = uncommitted(held)
        guard !offsets.isEmpty else { return loop.callSoon { done(.success(())) } }
        send(offsets, done)
    }

    /// `close`'s part: stop fetching, commit, report everything lost; `done` runs after that
    /// or after `closeTimeout`, whichever comes first.
    func finalCommit(_ done: @escaping () -> Void) {
        assignmentRound += 1
        let fetching = active
        for key in fetching { source.stopFetching(key) }
        active = []
        // `held` stays until the commit is made: a cooperative JoinGroup sent meanwhile still
        // claims the partitions, so the leader does not hand them on before the commit.
        var finished = false
        var timer: TimeoutHandle?
        let finish: () -> Void = { [weak self] in
            guard !finished else { return }
            finished = true
            guard let self else { return done() }
            if let timer { self.loop.removeTimeout(timer) }
            self.held = []
            let lost = self.told
            self.told = []
            if !lost.isEmpty { self.onRebalance?(AllocationChange(lost: Self.grouped(lost))) }
            done()
        }
        timer = loop.callLater(options.closeTimeout, finish)
        let offsets = uncommitted(fetching)
        guard !offsets.isEmpty else { return loop.callSoon(finish) }
        // A cooperative member keeps its partitions through a rebalance, so it may be closed in
        // the middle of one; the coordinator takes its commit once the rebalance is over.
        membership.afterRebalance { [weak self] in
            guard let self, self.membership.state == .stable else { return finish() }
            self.send(offsets) { [weak self] result in
                if case .failure(let error) = result { self?.onError?(error) }
                finish()
            }
        }
    }

    private func send(_ offsets: [TopicPartition: Int64], _ done: @escaping (Result<Void, KielError>) -> Void) {
        source.commit(offsets) { [weak self] result in
            guard let self else { return done(result) }
            switch result {
            case .success:
                self.committed.merge(offsets) { max($0, $1) }
            case .failure(.broker(let error)):
                // The coordinator says this member's generation is over.
                switch error.code {
                case .rebalanceInProgress: self.membership.rejoin("a commit answered REBALANCE_IN_PROGRESS")
                case .unknownMemberId: self.membership.lost("a commit answered UNKNOWN_MEMBER_ID", resetMemberId: true)
                case .illegalGeneration: self.membership.lost("a commit answered ILLEGAL_GENERATION", resetMemberId: false)
                case .fencedInstanceId: self.membership.fenced()
                default: break
                }
            case .failure:
                break
            }
            done(result)
        }
    }

    private func uncommitted(_ keys: Set<TopicPartition>) -> [TopicPartition: Int64] {
        var offsets: [TopicPartition: Int64] = [:]
        for key in keys {
            if let position = positions[key], position != committed[key] { offsets[key] = position }
        }
        return offsets
    }

    static func grouped(_ keys: some Sequence<TopicPartition>) -> [String: [Int32]] {
        var result: [String: [Int32]] = [:]
        for key in keys { result[key.topic, default: []].append(key.partition) }
        return result.mapValues { $0.sorted() }
    }
}

extension Result {
    /// The error of a failure; nil for a success.
    var failureError: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
