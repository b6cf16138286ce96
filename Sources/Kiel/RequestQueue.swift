/// The bookkeeping of one broker connection's requests, as a pure value: correlation ids,
/// a bound on requests in flight (pipelining), a waiting line behind it, per-request deadlines,
/// and the guarantee that every request is handed back exactly once — answered, timed out, or
/// failed with the connection. Owned by a `BrokerConnection` on its loop thread.
///
/// Kafka answers requests on a connection in the order they were sent, so in-flight requests
/// form a FIFO and an answer whose correlation id is not the oldest one is a protocol violation.
struct RequestQueue<Handler> {
    struct Entry {
        var correlationID: Int32 = 0
        /// Absolute deadline in monotonic nanoseconds.
        let deadline: UInt64
        /// nil once the request has been handed back (timed out) but its answer is still due.
        var handler: Handler?
    }

    let maxInFlight: Int
    private(set) var waiting: [Entry] = []
    private(set) var inFlight: [Entry] = []
    private var nextID: Int32 = 0

    init(maxInFlight: Int) { self.maxInFlight = max(1, maxInFlight) }

    var isIdle: Bool { waiting.isEmpty && inFlight.isEmpty }

    mutating func enqueue(deadline: UInt64, handler: Handler) {
        waiting.append(Entry(deadline: deadline, handler: handler))
    }

    /// Moves waiting requests into flight while there is room, giving each its correlation id,
    /// and returns them in send order.
    mutating func takeSendable() -> [Entry] {
        var out: [Entry] = []
        while inFlight.count < maxInFlight, !waiting.isEmpty {
            var entry = waiting.removeFirst()
            entry.correlationID = nextID
            nextID = nextID == Int32.max ? 0 : nextID + 1
            inFlight.append(entry)
            out.append(entry)
        }
        return out
    }

    enum Answer {
        /// The answer belongs to this request; hand it over.
        case deliver(Entry)
        /// The request already timed out: drop the answer.
        case discard
        /// Not the oldest request in flight (or none in flight): the stream is out of sync.
        case unexpected(expected: Int32?)
    }

    /// Matches an answer's correlation id with the oldest request in flight.
    mutating func answer(correlationID: Int32) -> Answer {
        guard let head = inFlight.first, head.correlationID == correlationID else {
            return .unexpected(expected: inFlight.first?.correlationID)
        }
        inFlight.removeFirst()
        return head.handler == nil ? .discard : .deliver(head)
    }

    /// Removes the in-flight request for a send that expects no answer (Produce with acks=0).
    mutating func forget(correlationID: Int32) -> Entry? {
        guard let i = inFlight.firstIndex(where: { $0.correlationID == correlationID }) else { return nil }
        return inFlight.remove(at: i)
    }

    /// Hands back every request whose deadline passed: waiting ones leave the queue; in-flight
    /// ones stay as tombstones (their answer still arrives and must be skipped).
    mutating func expire(now: UInt64) -> [Entry] {
        var out: [Entry] = []
        waiting.removeAll { entry in
            guard entry.deadline <= now else { return false }
            out.append(entry)
            return true
        }
        for i in inFlight.indices where inFlight[i].handler != nil && inFlight[i].deadline <= now {
            out.append(inFlight[i])
            inFlight[i].handler = nil
        }
        return out
    }

    /// Whether a request on the wire is still owed an answer past its deadline: the
    /// connection carrying it is presumed dead.
    func hasInFlightDue(now: UInt64) -> Bool {
        inFlight.contains { $0.handler != nil && $0.deadline <= now }
    }

    /// The earliest deadline of a request still owed an answer.
    var nextDeadline: UInt64? {
        (waiting.map(\.deadline) + inFlight.filter { $0.handler != nil }.map(\.deadline)).min()
    }

    /// Hands back everything still owed an answer (the connection died): in-flight ones first,
    /// in send order, then the waiting line. Waiting requests are kept when `keepWaiting` is
    /// set (they may go out on the next connection).
    mutating func failAll(keepWaiting: Bool = false) -> [Entry] {
        var out = inFlight.filter { $0.handler != nil }
        inFlight.removeAll()
        if !keepWaiting {
            out += waiting
            waiting.removeAll()
        }
        return out
    }
}
