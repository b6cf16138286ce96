import KafkaProtocol
import KielIO

/// Continuous fetching: one Fetch in flight per leader (a long poll of `maxWait`), asked again
/// as soon as its answer is absorbed, each partition's records handed to `onRecords`.
extension FetchEngine {
    /// Keeps fetching every assigned, unpaused partition until `close`.
    func startContinuous() {
        continuous = true
        schedulePump()
    }

    func schedulePump() {
        guard continuous, !pumpScheduled, !closed else { return }
        pumpScheduled = true
        loop.callSoon { [weak self] in
            self?.pumpScheduled = false
            self?.pump()
        }
    }

    /// Looks up missing positions, then sends a Fetch to every leader that has partitions to
    /// fetch, none in flight, and is not backing off.
    private func pump() {
        guard continuous, !closed else { return }
        let unresolved = assignments.filter { !$0.value.paused && $0.value.position == nil }.map(\.key)
        if !unresolved.isEmpty && !lookingUp {
            lookingUp = true
            resolvePositions(unresolved) { [weak self] error in
                guard let self else { return }
                self.lookingUp = false
                if let error {
                    if !self.closed { self.onError?(error) }
                    self.loop.callLater(self.settings.retryBackoff) { [weak self] in self?.schedulePump() }
                } else {
                    self.schedulePump()
                }
            }
        }
        for (leader, tps) in fetchableByLeader(assignments.keys)
        where !fetchingFrom.contains(leader) && !backingOff.contains(leader) {
            fetchingFrom.insert(leader)
            send(tps, to: leader) { [weak self] result in
                guard let self else { return }
                self.fetchingFrom.remove(leader)
                var healthy = true
                switch result {
                case .failure(let error):
                    if !self.closed { self.onError?(error) }
                    healthy = false
                case .success(let (records, outcomes)):
                    for (tp, got) in records {
                        guard let next = self.assignments[tp]?.position else { continue }
                        self.onRecords?(tp, got, next)
                    }
                    healthy = !records.isEmpty || !outcomes.contains(.failed)
                }
                if !healthy {
                    // Errors and nothing delivered: don't ask again in a tight loop.
                    self.backingOff.insert(leader)
                    self.loop.callLater(self.settings.retryBackoff) { [weak self] in
                        self?.backingOff.remove(leader)
                        self?.schedulePump()
                    }
                }
                self.schedulePump()
            }
        }
    }
}
