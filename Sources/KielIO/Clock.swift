/// Where an `IOLoop` reads the time: the real monotonic clock, or a `TestClock` that moves
/// only when a test says so.
public enum LoopClock: Sendable {
    case monotonic
    case manual(TestClock)

    func now() -> Deadline {
        switch self {
        case .monotonic: return Deadline.now()
        case .manual(let clock): return clock.now
        }
    }

    var isManual: Bool {
        if case .manual = self { return true }
        return false
    }
}

/// A virtual clock for deterministic timer tests (the idea of SwiftNIO's EmbeddedEventLoop,
/// simply done): time stands still until `advance(by:)` is called.
///
/// Any thread may call it. Advancing wakes every loop that uses the clock, so a loop blocked
/// in `run()` notices newly due timers; a test that drives the loop itself simply calls
/// `loop.runOnce(timeout: .zero)` after advancing.
///
/// ```swift
/// let clock = TestClock()
/// let loop = try IOLoop(clock: .manual(clock))
/// loop.callLater(.seconds(5)) { fired = true }
/// clock.advance(by: .seconds(5))
/// loop.runOnce(timeout: .zero)   // fired == true, and nobody slept
/// ```
public final class TestClock: @unchecked Sendable {
    private let lock = Lock()
    private var current: Deadline
    private var wakers: [@Sendable () -> Void] = []

    /// Starts at an arbitrary non-zero instant so "a moment before start" is representable.
    public init(start: Deadline = Deadline(uptimeNanoseconds: 1_000_000_000)) {
        current = start
    }

    /// The current virtual time.
    public var now: Deadline { lock.withLock { current } }

    /// Moves the clock forward by `delta` and wakes every loop that uses it.
    public func advance(by delta: Duration) {
        let toWake: [@Sendable () -> Void] = lock.withLock {
            current = current + delta
            return wakers
        }
        for wake in toWake { wake() }
    }

    /// Moves the clock to `deadline` (never backwards).
    public func advance(to deadline: Deadline) {
        let delta = deadline - now
        if delta > .zero { advance(by: delta) }
    }

    func addWaker(_ wake: @escaping @Sendable () -> Void) {
        lock.withLock { wakers.append(wake) }
    }
}
