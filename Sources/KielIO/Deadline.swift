import Glibc

/// A point on a monotonic clock, in nanoseconds. Plain value: any thread may use it.
///
/// `Deadline.now()` reads `CLOCK_MONOTONIC`; an `IOLoop` driven by a `TestClock` hands out
/// virtual deadlines through `IOLoop.now` instead, so compare deadlines only with others
/// taken from the same clock.
public struct Deadline: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var uptimeNanoseconds: UInt64

    public init(uptimeNanoseconds: UInt64) {
        self.uptimeNanoseconds = uptimeNanoseconds
    }

    /// The current reading of `CLOCK_MONOTONIC`.
    public static func now() -> Deadline {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Deadline(uptimeNanoseconds: UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec))
    }

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

    public static func - (lhs: Deadline, rhs: Deadline) -> Duration {
        if lhs.uptimeNanoseconds >= rhs.uptimeNanoseconds {
            let diff = lhs.uptimeNanoseconds - rhs.uptimeNanoseconds
            return .nanoseconds(Int64(clamping: diff))
        }
        let diff = rhs.uptimeNanoseconds - lhs.uptimeNanoseconds
        return .nanoseconds(-Int64(clamping: diff))
    }

    public static func < (lhs: Deadline, rhs: Deadline) -> Bool {
        lhs.uptimeNanoseconds < rhs.uptimeNanoseconds
    }

    public var description: String { "Deadline(\(uptimeNanoseconds)ns)" }
}

/// What a file descriptor handler is interested in, or what happened on it.
/// `.error` (POLLERR, POLLHUP, POLLNVAL) is always reported, whether asked for or not.
public struct IOEvents: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let read = IOEvents(rawValue: 1)
    public static let write = IOEvents(rawValue: 2)
    public static let error = IOEvents(rawValue: 4)

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
