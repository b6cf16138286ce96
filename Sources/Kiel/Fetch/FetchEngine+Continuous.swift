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
                    // Where each partition stood once absorbed: a callback below may pause or
                    // seek another partition of the same answer before its records go out.
                    let absorbed = records.map { tp, _ in (self.assignments[tp]?.run, self.assignments[tp]?.position) }
                    for ((tp, got), (run, position)) in zip(records, absorbed) {
                        guard let a = self.assignments[tp], a.run == run, let next = a.position, next == position else {
                            continue   // sought or unassigned meanwhile: these records are for a run that is over
                        }
                        if a.paused {
                            // Paused meanwhile: not delivered, and fetched again after resume.
                            if let first = got.first { self.assignments[tp]?.position = first.offset }
                            continue
                        }
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
