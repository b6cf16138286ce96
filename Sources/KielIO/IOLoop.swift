import Glibc
import Synchronization

/// A single-threaded `poll()` reactor in the style of Tornado's IOLoop: file descriptor
/// handlers, timers, and callbacks, all run on one thread.
///
/// Threads: `addCallback(_:)` is the only method that may be called from any thread (it
/// wakes a sleeping loop at once through an eventfd); `stop()` is also safe because it goes
/// through `addCallback`. Every other method must be called on the loop thread, and every
/// build checks it at the public entry points (a thread-id compare), so misuse from another
/// thread fails loudly in production too. The loop thread is the thread that created the loop, until `run()`,
/// `runOnce(timeout:)`, `runUntilComplete(timeout:_:)` or `attachHost(watch:deadline:)` is
/// called on another thread: that thread then becomes the loop thread. So a loop may be
/// built on one thread and handed to another that runs it, but two threads never share it.
///
/// Each turn, in Tornado's order: count the callbacks queued so far (callbacks queued while
/// they run wait for the next turn, so a callback that re-queues itself cannot starve I/O),
/// collect every timer that is due at that instant, run the callbacks, then the collected
/// timers (a timer that comes due meanwhile waits a turn), then poll — with a zero timeout if
/// callbacks are pending, otherwise until the next timer — and dispatch the ready descriptors.
///
/// The loop can also be driven by a host's own event loop without owning a thread; see
/// `attachHost(watch:deadline:)`.
public final class IOLoop: @unchecked Sendable {
    final class Handler {
        let fd: Int32
        var events: IOEvents
        let callback: (IOEvents) -> Void
        init(fd: Int32, events: IOEvents, callback: @escaping (IOEvents) -> Void) {
            self.fd = fd
            self.events = events
            self.callback = callback
        }
    }

    let clock: LoopClock
    let waker: Waker

    // Protected by `lock`: touched by other threads through addCallback.
    private let lock = Lock()
    private var queuedCallbacks: [() -> Void] = []
    /// The loop thread's id. Atomic so that the thread check at every entry point is one load
    /// and a compare, cheap enough to stay on in release builds.
    private let ownerThread: Atomic<UInt>

    // Loop-confined.
    var handlers: [Int32: Handler] = [:]
    private var pollSetDirty = true
    private var pollSet: [pollfd] = []
    private var pollHandlers: [Handler] = []
    var timers = TimerHeap()
    var stopRequested = false
    /// How many times `run`/`runOnce` called poll(). A loop that waits calmly polls a few times
    /// per timer or event; one that spins polls thousands of times a second, so tests count
    /// polls instead of measuring time. Loop thread only.
    public private(set) var pollCount = 0
    var isRunning = false
    var host: HostHooks?
    var hostDispatchDepth = 0
    var reportedHostDeadline: Deadline?? = .none

    /// Creates a loop reading time from `clock` (the real monotonic clock by default).
    public init(clock: LoopClock = .monotonic) throws {
        self.clock = clock
        self.waker = try Waker()
        self.ownerThread = Atomic(UInt(pthread_self()))
        handlers[waker.fd] = Handler(fd: waker.fd, events: .read) { [unowned self] _ in
            self.waker.drain()
        }
        if case .manual(let testClock) = clock {
            testClock.addWaker { [weak self] in self?.waker.wake() }
        }
    }

    deinit {
        waker.close()
    }

    /// The loop's current time: monotonic, or virtual with a `TestClock`.
    public var now: Deadline { clock.now() }

    // MARK: Thread confinement

    /// Whether the calling thread is the loop thread. Any thread may ask.
    public var isInLoopThread: Bool {
        ownerThread.load(ordering: .acquiring) == UInt(pthread_self())
    }

    /// Traps, in every build, when called off the loop thread. Loop-confined code starts with
    /// it, so misuse from another thread fails at once instead of corrupting state.
    @inline(__always)
    public func assertInLoop(file: StaticString = #fileID, line: UInt = #line) {
        precondition(isInLoopThread, "IOLoop used off its loop thread", file: file, line: line)
    }

    /// Makes the calling thread the loop thread (see the type's documentation).
    func takeOwnership() {
        ownerThread.store(UInt(pthread_self()), ordering: .releasing)
    }

    // MARK: File descriptor handlers

    /// Calls `handler` on the loop thread whenever `fd` is ready for `events` (errors and
    /// hang-ups are always reported). One handler per descriptor; adding twice is a bug.
    public func addHandler(_ fd: Int32, events: IOEvents, _ handler: @escaping (IOEvents) -> Void) {
        assertInLoop()
        precondition(handlers[fd] == nil, "fd \(fd) already has a handler")
        handlers[fd] = Handler(fd: fd, events: events, callback: handler)
        pollSetDirty = true
        hostWatch(fd, events)
    }

    /// Changes which events `fd`'s handler is called for. Loop thread only; ignored for an fd
    /// without a handler.
    public func updateHandler(_ fd: Int32, events: IOEvents) {
        assertInLoop()
        guard let handler = handlers[fd], handler.events != events else { return }
        handler.events = events
        pollSetDirty = true
        hostWatch(fd, events)
    }

    /// Stops watching `fd`. Safe from inside any callback, including another descriptor's
    /// handler in the same turn: a removed handler is never called again, even for events
    /// that were already polled. Does not close the descriptor.
    public func removeHandler(_ fd: Int32) {
        assertInLoop()
        guard fd != waker.fd, handlers.removeValue(forKey: fd) != nil else { return }
        pollSetDirty = true
        hostUnwatch(fd)
    }

    // MARK: Callbacks

    /// Runs `callback` on the loop thread at the start of the next turn, waking the loop if
    /// it is sleeping. The only method that may be called from any thread.
    public func addCallback(_ callback: @escaping @Sendable () -> Void) {
        enqueue(callback, fromLoopThread: false)
    }

    /// Like `addCallback` but for loop-thread code with a non-Sendable closure.
    public func callSoon(_ callback: @escaping () -> Void) {
        assertInLoop()
        enqueue(callback, fromLoopThread: true)
    }

    private func enqueue(_ callback: @escaping () -> Void, fromLoopThread: Bool) {
        let wasEmpty = lock.withLock {
            let wasEmpty = queuedCallbacks.isEmpty
            queuedCallbacks.append(callback)
            return wasEmpty
        }
        let sameThread = fromLoopThread || isInLoopThread
        guard wasEmpty else { return }
        if sameThread {
            // The loop will poll with a zero timeout; only a host needs to hear about it.
            hostSyncDeadlineIfIdle()
        } else {
            waker.wake()
        }
    }

    var hasQueuedCallbacks: Bool { lock.withLock { !queuedCallbacks.isEmpty } }

    /// Counted before running: callbacks queued while these run wait for the next turn.
    func runQueuedCallbacks() {
        let batch: [() -> Void] = lock.withLock {
            let batch = queuedCallbacks
            queuedCallbacks.removeAll(keepingCapacity: true)
            return batch
        }
        for callback in batch { callback() }
    }

    // MARK: Timers

    /// Runs `callback` on the loop thread once `delay` has passed on the loop's clock.
    @discardableResult
    public func callLater(_ delay: Duration, _ callback: @escaping () -> Void) -> TimeoutHandle {
        addTimeout(now + delay, callback)
    }

    /// Runs `callback` on the loop thread once the loop's clock reaches `deadline`.
    @discardableResult
    public func addTimeout(_ deadline: Deadline, _ callback: @escaping () -> Void) -> TimeoutHandle {
        assertInLoop()
        let handle = timers.schedule(at: deadline, callback)
        hostSyncDeadlineIfIdle()
        return handle
    }

    /// Cancels a timeout. Safe after it fired and safe to repeat.
    public func removeTimeout(_ handle: TimeoutHandle) {
        assertInLoop()
        timers.cancel(handle)
        hostSyncDeadlineIfIdle()
    }

    /// Runs the timers collected at the start of the turn, in deadline order.
    func runTimers(_ due: [TimeoutHandle]) {
        for handle in due {
            // An earlier callback in this batch may have cancelled a later one.
            guard let callback = handle.callback else { continue }
            handle.callback = nil
            callback()
        }
    }

    // MARK: Running

    /// Runs turns until `stop()` is called.
    public func run() {
        takeOwnership()
        precondition(!isRunning, "IOLoop.run() re-entered")
        precondition(host == nil, "IOLoop.run() while a host drives the loop")
        isRunning = true
        defer { isRunning = false; stopRequested = false }
        while !stopRequested {
            turn(maxWait: nil)
        }
    }

    /// Makes `run()` (or `runUntilComplete`) return after the current turn. Any thread may
    /// call it; off the loop thread it goes through `addCallback`. Called on the loop thread
    /// before `run()`, the next `run()` returns at once.
    public func stop() {
        if isInLoopThread {
            stopRequested = true
        } else {
            addCallback { [self] in self.stopRequested = true }
        }
    }

    /// Runs exactly one turn, waiting at most `timeout` for I/O (`nil`: wait as long as
    /// needed for the next timer or event). For hosts that tick the loop themselves.
    public func runOnce(timeout: Duration?) {
        takeOwnership()
        precondition(!isRunning, "IOLoop.runOnce() re-entered")
        precondition(host == nil, "IOLoop.runOnce() while a host drives the loop")
        isRunning = true
        defer { isRunning = false }
        turn(maxWait: timeout)
    }

    private func turn(maxWait: Duration?) {
        let due = timers.popDue(now: now)
        runQueuedCallbacks()
        runTimers(due)
        if stopRequested { return }
        pollAndDispatch(timeoutMilliseconds: pollTimeout(maxWait: maxWait))
    }

    private func pollTimeout(maxWait: Duration?) -> Int32 {
        if hasQueuedCallbacks { return 0 }
        var wait: Duration? = maxWait
        if let next = timers.nextDeadline() {
            let untilNext = next - now
            if untilNext <= .zero { return 0 }
            // With a virtual clock a pending timer fires only after advance(), which wakes us.
            if !clock.isManual {
                wait = wait.map { min($0, untilNext) } ?? untilNext
            }
        }
        guard let wait else { return -1 }
        if wait <= .zero { return 0 }
        // Round up so a timer is never polled for just before it is due (a busy spin). Divide
        // first: a wait saturated at Int64.max nanoseconds (a distantFuture timer) must not overflow.
        let nanoseconds = wait.nanoseconds
        let millis = nanoseconds / 1_000_000 + (nanoseconds % 1_000_000 > 0 ? 1 : 0)
        return Int32(clamping: millis)
    }

    private func pollAndDispatch(timeoutMilliseconds: Int32) {
        if pollSetDirty { rebuildPollSet() }
        pollCount &+= 1
        let ready = pollSet.withUnsafeMutableBufferPointer { buffer in
            poll(buffer.baseAddress, nfds_t(buffer.count), timeoutMilliseconds)
        }
        guard ready > 0 else { return }
        var fired: [(Handler, IOEvents)] = []
        fired.reserveCapacity(Int(ready))
        for index in pollSet.indices where pollSet[index].revents != 0 {
            fired.append((pollHandlers[index], IOEvents(pollRevents: pollSet[index].revents)))
        }
        for (handler, events) in fired {
            // Skip handlers removed (or replaced) by an earlier callback of this turn.
            guard handlers[handler.fd] === handler else { continue }
            handler.callback(events)
        }
    }

    private func rebuildPollSet() {
        pollSet.removeAll(keepingCapacity: true)
        pollHandlers.removeAll(keepingCapacity: true)
        for handler in handlers.values {
            pollSet.append(pollfd(fd: handler.fd, events: handler.events.pollMask, revents: 0))
            pollHandlers.append(handler)
        }
        pollSetDirty = false
    }
}
