// Taking partitions over and handing them on.

import KielIO

extension GroupMember {
    func claim(_ key: TopicPartition) {
        holdings[key] = .claiming
        coordination.claim(key) { [weak self] result in
            guard let self, self.holdings[key] == .claiming else { return }
            KielLog.debug("group member \(self.name): claim \(key): \(result)")
            // Whatever the answer, it may have been the last claim the start-offset read waited for.
            defer {
                self.readStartOffsets()
                self.reportWhenSettled()
            }
            switch result {
            case .success(.acquired):
                guard self.connected else {
                    // The connection dropped since: hold off, and sort the claim out once it is back.
                    self.holdings[key] = nil
                    self.staleClaims.insert(key)
                    return
                }
                guard self.target.contains(key), !self.closing else {
                    // Allocation moved on while the claim was in flight.
                    return self.dropClaim(key)
                }
                self.holdings[key] = .starting
                self.startsPending.insert(key)
            case .success(.heldByOther):
                self.holdings[key] = .waiting
            case .failure(let error):
                self.holdings[key] = nil
                self.onError?(error)
                self.retryLater()
            }
        }
    }

    /// Reads where the partitions just claimed start, in one request for all of them: it waits
    /// for the claims still in flight.
    func readStartOffsets() {
        guard !startsInFlight, !startsPending.isEmpty, !holdings.values.contains(.claiming) else { return }
        let keys = startsPending.sorted { $0.shareEntry < $1.shareEntry }
        startsPending = []
        startsInFlight = true
        source.startOffsets(keys) { [weak self] result in
            guard let self else { return }
            KielLog.debug("group member \(self.name): start offsets \(result)")
            self.startsInFlight = false
            for key in keys where self.holdings[key] == .starting {
                guard self.target.contains(key), !self.closing else {
                    self.dropClaim(key)
                    continue
                }
                guard case .success(let offsets) = result, let offset = offsets[key] else {
                    // Try again; the claim stays ours meanwhile.
                    self.startsPending.insert(key)
                    continue
                }
                self.positions[key] = offset
                self.committed[key] = offset
                self.holdings[key] = .ready
            }
            if case .failure(let error) = result {
                self.onError?(error)
                self.loop.callLater(self.settings.retryDelay) { [weak self] in self?.readStartOffsets() }
            } else {
                // Claims that completed while this read was in flight.
                self.readStartOffsets()
            }
            self.reportWhenSettled()
        }
    }

    /// Gives up active partitions: stop fetching and commit what was delivered. The loss is
    /// reported with the rest of the rebalance, and only then are the claims dropped, so the
    /// next owner starts after the last delivered offset and is told of its gain after we are
    /// told of our loss.
    func release(_ keys: [TopicPartition]) {
        guard !keys.isEmpty else { return }
        for key in keys {
            source.stopFetching(key)
            holdings[key] = .committing
        }
        commitFinal(keys) { [weak self] in
            guard let self, !self.closing else { return }
            for key in keys where self.holdings[key] == .committing { self.holdings[key] = .leaving }
            self.reportWhenSettled()
        }
    }

    /// Reports one rebalance once nothing it involves is in flight: every claim answered, every
    /// claimed partition's start offset read, every lost partition committed. Partitions another
    /// member still holds don't hold the report up (that member may be suspended for a long
    /// time); they follow in a later change once it lets go. Gained partitions start fetching,
    /// and lost ones' claims are dropped, only after the callback.
    func reportWhenSettled() {
        guard !closing else { return }
        let inFlight: Set<Holding> = [.claiming, .starting, .committing]
        guard !holdings.values.contains(where: inFlight.contains) else { return }
        var gained: [TopicPartition] = []
        var lost: [TopicPartition] = []
        var resumed: [TopicPartition] = []
        var unwanted: [TopicPartition] = []
        for (key, holding) in holdings {
            switch (holding, target.contains(key)) {
            case (.ready, true):
                gained.append(key)
                holdings[key] = .active
            case (.ready, false):
                unwanted.append(key)
            case (.leaving, true):
                // Back in our share before anyone else could claim it: carry on, nothing to report.
                resumed.append(key)
                holdings[key] = .active
            case (.leaving, false):
                lost.append(key)
                holdings[key] = .releasing
            default:
                break
            }
        }
        for key in unwanted { dropClaim(key) }
        let change = AllocationChange(gained: Self.grouped(gained), lost: Self.grouped(lost))
        if !change.isEmpty { onRebalance?(change) }
        // The user may have closed the consumer from inside the callback; closing drops every claim.
        guard !closing else { return }
        for key in gained + resumed where holdings[key] == .active {
            source.startFetching(key, at: positions[key] ?? 0)
        }
        for key in lost where holdings[key] == .releasing { sendRelease(key) }
    }

    /// Drops a claim we hold without having consumed under it.
    func dropClaim(_ key: TopicPartition) {
        holdings[key] = .releasing
        sendRelease(key)
    }

    private func sendRelease(_ key: TopicPartition) {
        coordination.release(key) { [weak self] result in
            guard let self else { return }
            if case .failure(let error) = result {
                // The claim may still be ours: drop it once the session is back.
                self.staleClaims.insert(key)
                self.onError?(error)
            }
            if self.holdings[key] == .releasing { self.holdings[key] = nil }
            // It may have come back into our share meanwhile.
            self.reconcile()
        }
    }

    /// The partitions the user was told this member holds: active, or being given up but not
    /// reported lost yet.
    var reportedHeld: [TopicPartition] {
        holdings.filter { $0.value == .active || $0.value == .committing || $0.value == .leaving }.map(\.key)
    }

    /// Stops consuming everything at once (session expired or presumed lost), commits what was
    /// delivered, reports the loss. Returns every partition a claim may have been held for.
    @discardableResult
    func dropAll() -> Set<TopicPartition> {
        let held = Set(holdings.keys.filter { holdings[$0] != .waiting })
        let told = reportedHeld
        for key in told { source.stopFetching(key) }
        holdings = [:]
        startsPending = []
        if !told.isEmpty {
            commitFinal(told) {}
            onRebalance?(AllocationChange(lost: Self.grouped(told)))
        }
        return held
    }

    /// Hands a batch to the user if the partition is still ours, and moves its position on.
    func deliver(_ key: TopicPartition, _ batch: Batch, _ nextOffset: Int64) {
        guard holdings[key] == .active, !closing else { return }
        onBatch?(key, batch)
        // The user may have closed the consumer or lost the partition from inside the callback.
        // A close has sent its final commit already: this batch stays uncommitted (the next
        // owner gets it again), as in a broker-coordinated group, rather than committed behind it.
        guard holdings[key] == .active, !closing else { return }
        positions[key] = max(positions[key] ?? nextOffset, nextOffset)
        if settings.autocommit { commitOffsets(nil) }
    }

    func retryLater() {
        guard retryTimer == nil else { return }
        retryTimer = loop.callLater(settings.retryDelay) { [weak self] in
            self?.retryTimer = nil
            self?.reconcile()
        }
    }

    static func grouped(_ keys: [TopicPartition]) -> [String: [Int32]] {
        var result: [String: [Int32]] = [:]
        for key in keys { result[key.topic, default: []].append(key.partition) }
        return result.mapValues { $0.sorted() }
    }
}
