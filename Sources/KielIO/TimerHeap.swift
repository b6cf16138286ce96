/// A scheduled callback. Pass it to `IOLoop.removeTimeout(_:)` to cancel; cancelling after it
/// fired, or twice, does nothing. Loop-confined, like the loop methods that create it.
public final class TimeoutHandle: Hashable {
    /// When the callback is due, on the loop's clock.
    public let deadline: Deadline
    let sequence: UInt64
    var callback: (() -> Void)?
    var cancelled = false
    /// Whether the handle still sits in the heap. A due timeout is taken out before its batch
    /// runs, so an earlier callback of the batch may cancel it after it left the heap.
    var inHeap = true

    init(deadline: Deadline, sequence: UInt64, callback: @escaping () -> Void) {
        self.deadline = deadline
        self.sequence = sequence
        self.callback = callback
    }

    /// True until the timeout has fired or been cancelled.
    public var isPending: Bool { callback != nil }

    /// The same handle (identity, not deadline).
    public static func == (lhs: TimeoutHandle, rhs: TimeoutHandle) -> Bool { lhs === rhs }
    /// Hashes the handle's identity.
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }

    /// Earlier deadline first; equal deadlines in scheduling order, so ties are FIFO.
    func firesBefore(_ other: TimeoutHandle) -> Bool {
        if deadline != other.deadline { return deadline < other.deadline }
        return sequence < other.sequence
    }
}

/// A binary min-heap of timeouts with lazy cancellation: a cancelled entry stays in the heap
/// (cancelling is O(1)) until it reaches the top or until cancelled entries dominate, when the
/// heap is rebuilt without them. Loop-confined.
struct TimerHeap {
    private(set) var entries: [TimeoutHandle] = []
    private(set) var cancelledCount = 0
    private var nextSequence: UInt64 = 0

    var isEmpty: Bool { entries.isEmpty }
    /// Live (not cancelled) timeouts.
    var liveCount: Int { entries.count - cancelledCount }

    mutating func schedule(at deadline: Deadline, _ callback: @escaping () -> Void) -> TimeoutHandle {
        let handle = TimeoutHandle(deadline: deadline, sequence: nextSequence, callback: callback)
        nextSequence &+= 1
        entries.append(handle)
        siftUp(entries.count - 1)
        return handle
    }

    mutating func cancel(_ handle: TimeoutHandle) {
        guard handle.callback != nil, !handle.cancelled else { return }
        handle.cancelled = true
        handle.callback = nil
        // Only entries still in the heap are counted: the count decides when to compact.
        if handle.inHeap { cancelledCount += 1 }
    }

    /// The earliest live deadline, discarding cancelled entries found on top.
    mutating func nextDeadline() -> Deadline? {
        dropCancelledTop()
        return entries.first?.deadline
    }

    /// Removes and returns every live timeout due at `now`, in firing order. All are collected
    /// before any runs, so a callback that schedules a zero-delay timeout cannot starve I/O.
    mutating func popDue(now: Deadline) -> [TimeoutHandle] {
        var due: [TimeoutHandle] = []
        while let top = entries.first {
            if top.cancelled {
                removeTop()
                cancelledCount -= 1
                continue
            }
            guard top.deadline <= now else { break }
            due.append(removeTop())
        }
        compactIfNeeded()
        return due
    }

    /// Rebuilds the heap when cancelled entries are both numerous and the majority, keeping
    /// memory bounded for code that schedules and cancels many timeouts (request timeouts).
    mutating func compactIfNeeded() {
        guard cancelledCount > 512, cancelledCount > entries.count / 2 else { return }
        entries.removeAll { $0.cancelled }
        cancelledCount = 0
        guard entries.count > 1 else { return }
        for index in stride(from: entries.count / 2 - 1, through: 0, by: -1) {
            siftDown(index)
        }
    }

    private mutating func dropCancelledTop() {
        while let top = entries.first, top.cancelled {
            removeTop()
            cancelledCount -= 1
        }
    }

    @discardableResult
    private mutating func removeTop() -> TimeoutHandle {
        let top = entries[0]
        top.inHeap = false
        let last = entries.removeLast()
        if !entries.isEmpty {
            entries[0] = last
            siftDown(0)
        }
        return top
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        let item = entries[child]
        while child > 0 {
            let parent = (child - 1) / 2
            guard item.firesBefore(entries[parent]) else { break }
            entries[child] = entries[parent]
            child = parent
        }
        entries[child] = item
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        let count = entries.count
        let item = entries[parent]
        while true {
            var child = 2 * parent + 1
            if child >= count { break }
            if child + 1 < count, entries[child + 1].firesBefore(entries[child]) { child += 1 }
            guard entries[child].firesBefore(item) else { break }
            entries[parent] = entries[child]
            parent = child
        }
        entries[parent] = item
    }
}
