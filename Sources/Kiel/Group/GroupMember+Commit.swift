// Committing offsets and leaving the group.

import KielIO

extension GroupMember {
    /// Commits the positions of the partitions being consumed. One commit is in flight at a
    /// time; calls meanwhile are folded into the next one, and `completion` runs once the
    /// positions known at the call are committed (or failed to be).
    func commitOffsets(_ completion: ((Result<Void, KielError>) -> Void)?) {
        if let completion { commitWaiters.append(completion) }
        if commitInFlight {
            commitAgain = true
            return
        }
        let offsets = uncommitted { $0 == .active || $0 == .committing || $0 == .leaving }
        let waiters = commitWaiters
        commitWaiters = []
        guard !offsets.isEmpty else {
            if !waiters.isEmpty { loop.callSoon { for waiter in waiters { waiter(.success(())) } } }
            return
        }
        commitInFlight = true
        source.commit(offsets) { [weak self] result in
            guard let self else { return }
            self.commitInFlight = false
            if case .success = result {
                self.committed.merge(offsets) { max($0, $1) }
            } else if case .failure(let error) = result, waiters.isEmpty {
                self.onError?(error)
            }
            for waiter in waiters { waiter(result) }
            if self.commitAgain {
                self.commitAgain = false
                self.commitOffsets(nil)
            }
        }
    }

    /// Commits the delivered positions of partitions being given up, then calls `done` whether
    /// or not the commit worked (a failure is reported: the next owner may repeat some messages).
    func commitFinal(_ keys: [TopicPartition], _ done: @escaping () -> Void) {
        var offsets: [TopicPartition: Int64] = [:]
        for key in keys {
            if let position = positions[key], position != committed[key] { offsets[key] = position }
        }
        guard !offsets.isEmpty else { return loop.callSoon(done) }
        source.commit(offsets) { [weak self] result in
            switch result {
            case .success: self?.committed.merge(offsets) { max($0, $1) }
            case .failure(let error): self?.onError?(error)
            }
            done()
        }
    }

    /// Stops fetching, commits, reports the loss, leaves the party and closes the session.
    func close(_ completion: @escaping () -> Void) {
        loop.assertInLoop()
        guard !closing else { return loop.callSoon(completion) }
        metadataTimer?.stop()
        metadataTimer = nil
        loop.cancelTimeout(&suspensionTimer)
        loop.cancelTimeout(&retryTimer)
        let told = reportedHeld
        for key in told { source.stopFetching(key) }
        closing = true
        // A broker that is gone must not hold the close up for long: leave without the commit.
        var finished = false
        var timer: TimeoutHandle?
        let finish: () -> Void = { [weak self] in
            guard !finished else { return }
            finished = true
            guard let self else { return completion() }
            if let timer { self.loop.removeTimeout(timer) }
            self.holdings = [:]
            if !told.isEmpty { self.onRebalance?(AllocationChange(lost: Self.grouped(told))) }
            self.coordination.stop {
                self.source.close()
                completion()
            }
        }
        timer = loop.callLater(settings.closeCommitTimeout, finish)
        commitFinal(told, finish)
    }

    private func uncommitted(_ include: (Holding) -> Bool) -> [TopicPartition: Int64] {
        var offsets: [TopicPartition: Int64] = [:]
        for (key, position) in positions where include(holdings[key] ?? .waiting) && position != committed[key] {
            offsets[key] = position
        }
        return offsets
    }
}
