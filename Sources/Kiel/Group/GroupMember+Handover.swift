// Taking partitions over and handing them on.

import KielIO

extension GroupMember {
    func claim(_ key: PartitionKey) {
        holdings[key] = .claiming
        coordination.claim(key) { [weak self] result in
            guard let self, self.holdings[key] == .claiming else { return }
            KielLog.debug("group member \(self.name): claim \(key): \(result)")
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
                self.readStartOffsets()
            case .success(.heldByOther):
                self.holdings[key] = .waiting
            case .failure(let error):
                self.holdings[key] = nil
                self.onError?(error)
                self.retryLater()
            }
        }
    }

    /// Reads where the partitions just claimed start, in one request for all of them.
    func readStartOffsets() {
        guard !startsInFlight, !startsPending.isEmpty else { return }
        let keys = startsPending.sorted { $0.description < $1.description }
        startsPending = []
        startsInFlight = true
        source.startOffsets(keys) { [weak self] result in
            guard let self else { return }
            KielLog.debug("group member \(self.name): start offsets \(result)")
            self.startsInFlight = false
            var gained: [PartitionKey] = []
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
                self.holdings[key] = .active
                self.source.startFetching(key, at: offset)
                gained.append(key)
            }
            if case .failure(let error) = result { self.onError?(error) }
            if !gained.isEmpty {
                self.onRebalance?(AllocationChange(gained: Self.grouped(gained)))
            }
            if case .failure = result {
                self.loop.callLater(self.settings.retryDelay) { [weak self] in self?.readStartOffsets() }
            } else {
                // Claims that completed while this read was in flight.
                self.readStartOffsets()
            }
        }
    }

    /// Gives up active partitions: stop fetching, commit what was delivered, tell the user, and
    /// only then drop the claims so the next owner starts after the last delivered offset.
    func release(_ keys: [PartitionKey]) {
        guard !keys.isEmpty else { return }
        for key in keys {
            source.stopFetching(key)
            holdings[key] = .releasing
        }
        commitFinal(keys) { [weak self] in
            guard let self else { return }
            self.onRebalance?(AllocationChange(lost: Self.grouped(keys)))
            for key in keys where self.holdings[key] == .releasing { self.dropClaim(key) }
        }
    }

    /// Drops a claim we hold without having consumed under it.
    func dropClaim(_ key: PartitionKey) {
        holdings[key] = .releasing
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

    /// Stops consuming everything at once (session expired or presumed lost), commits what was
    /// delivered, reports the loss. Returns every partition a claim may have been held for.
    @discardableResult
    func dropAll() -> Set<PartitionKey> {
        let held = Set(holdings.keys.filter { holdings[$0] != .waiting })
        let active = holdings.filter { $0.value == .active }.map(\.key)
        for key in active { source.stopFetching(key) }
        holdings = [:]
        startsPending = []
        if !active.isEmpty {
            commitFinal(active) {}
            onRebalance?(AllocationChange(lost: Self.grouped(active)))
        }
        return held
    }

    /// Hands a batch to the user if the partition is still ours, and moves its position on.
    func deliver(_ key: PartitionKey, _ batch: Batch, _ nextOffset: Int64) {
        guard holdings[key] == .active, !closing else { return }
        onBatch?(key, batch)
        // The user may have closed the consumer or lost the partition from inside the callback.
        guard holdings[key] == .active else { return }
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

    static func grouped(_ keys: [PartitionKey]) -> [String: [Int]] {
        var result: [String: [Int]] = [:]
        for key in keys { result[key.topic, default: []].append(key.partition) }
        return result.mapValues { $0.sorted() }
    }
}
