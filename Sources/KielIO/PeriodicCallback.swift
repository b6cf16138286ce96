/// Calls a closure every `interval` on the loop's clock, like Tornado's PeriodicCallback.
///
/// Ticks are scheduled from the previous *scheduled* time, not from when the callback ran,
/// so the schedule does not drift; if the loop was blocked past one or more ticks, the
/// missed ticks are skipped (not run in a burst). Loop-confined.
public final class PeriodicCallback {
    /// The time between calls.
    public let interval: Duration
    private let loop: IOLoop
    private let callback: () -> Void
    private var nextTick: Deadline?
    private var pending: TimeoutHandle?
    /// Whether it is started (between `start()` and `stop()`).
    public private(set) var isRunning = false

    /// A stopped periodic callback; nothing runs until `start()`. Traps unless `interval` > 0.
    public init(loop: IOLoop, interval: Duration, _ callback: @escaping () -> Void) {
        precondition(interval > .zero, "PeriodicCallback interval must be positive")
        self.loop = loop
        self.interval = interval
        self.callback = callback
    }

    /// The first call comes one interval from now.
    public func start() {
        loop.assertInLoop()
        guard !isRunning else { return }
        isRunning = true
        nextTick = loop.now
        scheduleNext()
    }

    /// Cancels the next call; a call already running finishes. Calling it twice does nothing.
    public func stop() {
        loop.assertInLoop()
        isRunning = false
        if let pending { loop.removeTimeout(pending) }
        pending = nil
    }

    private func tick() {
        pending = nil
        guard isRunning else { return }
        callback()
        // The callback may have stopped us, or stopped and restarted us (already scheduled).
        if isRunning && pending == nil { scheduleNext() }
    }

    private func scheduleNext() {
        let now = loop.now
        let step = UInt64(interval.nanoseconds)
        var next = (nextTick ?? now) + interval
        if next <= now {
            let behind = now.uptimeNanoseconds - next.uptimeNanoseconds
            next.uptimeNanoseconds += (behind / step + 1) * step
        }
        nextTick = next
        pending = loop.addTimeout(next) { [weak self] in self?.tick() }
    }
}
