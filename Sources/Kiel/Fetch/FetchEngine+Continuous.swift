import KafkaProtocol
import KielIO

/// Continuous fetching: one Fetch in flight per leader (a long poll of `maxWait`), asked again
/// once the records of its last answer are delivered, each partition's records handed to
/// `onRecords` in chunks of at most `maxMessagesPerCallback`, one chunk per loop turn.
///
/// Delivering a chunk per turn is what keeps a slow callback from starving the rest of the
/// loop: between two chunks the loop runs its due timers (a group member's heartbeats) and its
/// I/O. A leader whose last answer is still being delivered is not asked again, so fetching
/// waits for callbacks that are behind instead of piling records up in memory.
extension FetchEngine {
    /// One partition's records from one answer, waiting to be delivered.
    struct Delivery {
        let tp: TopicPartition
        let leader: Int32
        let records: [Record]
        /// The first record not delivered yet.
        var next: Int
        /// The partition's position after all of `records`.
        let end: Int64
        /// The partition's run and position when the answer was absorbed: a seek, an
        /// unassign or a pause since then means the rest is not delivered.
        let run: Int
        let position: Int64
    }

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
    /// fetch, none in flight, nothing waiting to be delivered, and is not backing off.
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
        // A partition with records still queued is not asked again, not even of a new leader:
        // the answer would move its position past them, and they would be dropped as stale.
        let queued = Set(ready[readyHead...].map(\.tp))
        for (leader, tps) in fetchableByLeader(assignments.keys.filter { !queued.contains($0) })
        where !fetchingFrom.contains(leader) && !backingOff.contains(leader) && undelivered[leader, default: 0] == 0 {
            fetchingFrom.insert(leader)
            send(tps, to: leader) { [weak self] result in
                guard let self else { return }
                self.fetchingFrom.remove(leader)
                var healthy = true
                switch result {
                case .failure(let error):
                    if !self.closed { self.onError?(error) }
                    healthy = false
                case .success(let answer):
                    self.enqueue(answer.records, from: leader)
                    healthy = !answer.records.isEmpty || !answer.outcomes.contains(.failed)
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

    /// Queues an answer's records, noting where each partition stood once absorbed: a
    /// callback may pause or seek a partition before its records go out.
    private func enqueue(_ records: [(TopicPartition, [Record])], from leader: Int32) {
        guard !closed else { return }
        // One delivery per partition: its pieces (one per record batch) joined, so its chunks
        // can take turns with other partitions' without overtaking one another.
        var joined: [(TopicPartition, [Record])] = []
        for (tp, piece) in records {
            if let last = joined.indices.last, joined[last].0 == tp {
                joined[last].1.append(contentsOf: piece)
            } else {
                joined.append((tp, piece))
            }
        }
        for (tp, got) in joined where !got.isEmpty {
            guard let a = assignments[tp], let position = a.position else { continue }
            ready.append(Delivery(tp: tp, leader: leader, records: got, next: 0, end: position, run: a.run, position: position))
            undelivered[leader, default: 0] += 1
        }
        scheduleDelivery()
    }

    private func scheduleDelivery() {
        guard !deliveryScheduled, readyHead < ready.count, !closed else { return }
        deliveryScheduled = true
        loop.callSoon { [weak self] in
            guard let self else { return }
            self.deliveryScheduled = false
            self.deliverChunk()
        }
    }

    /// Hands the first queued partition the next chunk of its records; a partition with more
    /// goes to the back of the queue, so the partitions of one answer take turns.
    private func deliverChunk() {
        guard readyHead < ready.count, !closed else { return }
        let delivery = ready[readyHead]
        let tp = delivery.tp
        if let a = assignments[tp], a.run == delivery.run, a.position == delivery.position {
            if a.paused {
                // Paused meanwhile: the rest is not delivered, and fetched again after resume.
                assignments[tp]?.position = delivery.records[delivery.next].offset
            } else {
                let limit = max(1, settings.maxMessagesPerCallback)
                let stop = min(delivery.records.count, delivery.next + limit)
                let chunk = delivery.next == 0 && stop == delivery.records.count
                    ? delivery.records : Array(delivery.records[delivery.next ..< stop])
                let after = stop == delivery.records.count ? delivery.end : delivery.records[stop].offset
                // Stays at the front while the callback runs, so `position` answers `after`.
                ready[readyHead].next = stop
                onRecords?(tp, chunk, after)
                guard !closed else { return }
                if stop < delivery.records.count {
                    let rest = ready[readyHead]
                    popReady()
                    ready.append(rest)
                    return scheduleDelivery()
                }
            }
        }
        // Sought, unassigned, paused or all delivered: the leader may be asked again.
        popReady()
        undelivered[delivery.leader, default: 1] -= 1
        scheduleDelivery()
        schedulePump()
    }

    /// Takes the front entry off the queue, dropping spent entries once they are half of it.
    private func popReady() {
        ready[readyHead] = Delivery.none   // releases its records at once
        readyHead += 1
        if readyHead == ready.count {
            ready.removeAll(keepingCapacity: true)
            readyHead = 0
        } else if readyHead > 32, readyHead * 2 > ready.count {
            ready.removeFirst(readyHead)
            readyHead = 0
        }
    }
}

extension FetchEngine.Delivery {
    /// A spent slot at the front of the queue (so its records are released at once).
    static let none = Self(tp: TopicPartition("", 0), leader: -1, records: [], next: 0, end: 0, run: 0, position: 0)
}
