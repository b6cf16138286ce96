/// One timer kept at the earliest deadline asked of it. `arm(at:)` may be called on every
/// change: it moves the timer earlier, never later, so the timer heap is not churned; the
/// timer fires once and then waits to be armed again. For deadlines of many things that
/// share one wake-up: requests in flight on a connection, batches lingering in a producer.
///
/// Loop-confined. The owner keeps it; `fire` should hold the owner weakly.
public final class EarliestDeadlineTimer {
    private let loop: IOLoop
    private let fire: () -> Void
    private var armed: (handle: TimeoutHandle, at: UInt64)?

    /// A disarmed timer that calls `fire` on `loop` when a deadline it was armed for comes.
    public init(loop: IOLoop, _ fire: @escaping () -> Void) {
        self.loop = loop
        self.fire = fire
    }

    /// The deadline armed, in the loop clock's nanoseconds; nil when disarmed.
    public var armedAt: UInt64? { armed?.at }

    /// Fires at `uptimeNanoseconds` on the loop's clock, unless armed for an earlier one already.
    public func arm(at uptimeNanoseconds: UInt64) {
        if let armed, armed.at <= uptimeNanoseconds { return }
        disarm()
        let handle = loop.addTimeout(Deadline(uptimeNanoseconds: uptimeNanoseconds)) { [weak self] in
            guard let self else { return }
            self.armed = nil
            self.fire()
        }
        armed = (handle, uptimeNanoseconds)
    }

    /// Cancels the armed deadline, if any.
    public func disarm() {
        if let armed { loop.removeTimeout(armed.handle) }
        armed = nil
    }
}
