import Glibc

/// A point on a monotonic clock, in nanoseconds. Plain value: any thread may use it.
///
/// `Deadline.now()` reads `CLOCK_MONOTONIC`; an `IOLoop` driven by a `TestClock` hands out
/// virtual deadlines through `IOLoop.now` instead, so compare deadlines only with others
/// taken from the same clock.
public struct Deadline: Comparable, Hashable, Sendable, CustomStringConvertible {
    /// Nanoseconds since an arbitrary fixed start (the boot, for `CLOCK_MONOTONIC`).
    public var uptimeNanoseconds: UInt64

    /// The instant `uptimeNanoseconds` after the clock's start.
    public init(uptimeNanoseconds: UInt64) {
        self.uptimeNanoseconds = uptimeNanoseconds
    }

    /// The current reading of `CLOCK_MONOTONIC`.
    public static func now() -> Deadline {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Deadline(uptimeNanoseconds: UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec))
    }

    /// Later than any real deadline: "never" for timeouts that should not fire.
    public static let distantFuture = Deadline(uptimeNanoseconds: UInt64.max)

    /// Saturates at zero and at `distantFuture`, so arithmetic near the ends never traps.
    public static func + (lhs: Deadline, rhs: Duration) -> Deadline {
        let delta = rhs.nanoseconds
        if delta >= 0 {
            let (sum, overflow) = lhs.uptimeNanoseconds.addingReportingOverflow(UInt64(delta))
            return Deadline(uptimeNanoseconds: overflow ? UInt64.max : sum)
        }
        let magnitude = delta.magnitude
        return Deadline(uptimeNanoseconds: lhs.uptimeNanoseconds > magnitude
                        ? lhs.uptimeNanoseconds - magnitude : 0)
    }

    /// How long from `rhs` to `lhs`; negative if `lhs` is earlier, clamped to Int64 nanoseconds.
    public static func - (lhs: Deadline, rhs: Deadline) -> Duration {
        if lhs.uptimeNanoseconds >= rhs.uptimeNanoseconds {
            let diff = lhs.uptimeNanoseconds - rhs.uptimeNanoseconds
            return .nanoseconds(Int64(clamping: diff))
        }
        let diff = rhs.uptimeNanoseconds - lhs.uptimeNanoseconds
        return .nanoseconds(-Int64(clamping: diff))
    }

    /// Whether `lhs` comes first.
    public static func < (lhs: Deadline, rhs: Deadline) -> Bool {
        lhs.uptimeNanoseconds < rhs.uptimeNanoseconds
    }

    /// "Deadline(<n>ns)", for logs and test failures.
    public var description: String { "Deadline(\(uptimeNanoseconds)ns)" }
}

/// What a file descriptor handler is interested in, or what happened on it.
/// `.error` (POLLERR, POLLHUP, POLLNVAL) is always reported, whether asked for or not.
public struct IOEvents: OptionSet, Hashable, Sendable, CustomStringConvertible {
    /// The bits: 1 read, 2 write, 4 error.
    public let rawValue: UInt8
    /// The events whose bits are set in `rawValue`.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Readable (POLLIN), or the peer closed its side.
    public static let read = IOEvents(rawValue: 1)
    /// Writable (POLLOUT) without blocking.
    public static let write = IOEvents(rawValue: 2)
    /// An error or hang-up on the fd; reported even when not asked for.
    public static let error = IOEvents(rawValue: 4)

    /// The set as "[read,write,error]".
    public var description: String {
        var parts: [String] = []
        if contains(.read) { parts.append("read") }
        if contains(.write) { parts.append("write") }
        if contains(.error) { parts.append("error") }
        return "[" + parts.joined(separator: ",") + "]"
    }

    var pollMask: Int16 {
        var mask: Int16 = 0
        if contains(.read) { mask |= Int16(POLLIN) }
        if contains(.write) { mask |= Int16(POLLOUT) }
        return mask
    }

    init(pollRevents revents: Int16) {
        var events: IOEvents = []
        if revents & Int16(POLLIN | POLLPRI) != 0 { events.insert(.read) }
        if revents & Int16(POLLOUT) != 0 { events.insert(.write) }
        if revents & Int16(POLLERR | POLLHUP | POLLNVAL) != 0 { events.insert(.error) }
        self = events
    }
}
