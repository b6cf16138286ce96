/// Jittered exponential backoff for reconnects and retries: each `next()` returns the
/// current delay spread by ±`jitter` (a fraction) and grows the delay by `multiplier`, up
/// to `maximum` (which the returned value never exceeds). A plain value; not shared.
public struct Backoff: Sendable {
    /// The first delay, and the one after `reset()`.
    public let initial: Duration
    /// The largest delay; growth stops here and jitter never goes past it.
    public let maximum: Duration
    /// How much the delay grows after each `next()` (at least 1).
    public let multiplier: Double
    /// The spread around each delay, as a fraction in 0..<1 (0.2: ±20%).
    public let jitter: Double
    private var current: Duration

    /// Traps unless 0 < `initial` <= `maximum`, `multiplier` >= 1 and 0 <= `jitter` < 1.
    public init(initial: Duration, maximum: Duration, multiplier: Double = 2, jitter: Double = 0.2) {
        precondition(initial > .zero && maximum >= initial, "Backoff needs 0 < initial <= maximum")
        precondition(multiplier >= 1 && jitter >= 0 && jitter < 1, "Backoff multiplier/jitter out of range")
        self.initial = initial
        self.maximum = maximum
        self.multiplier = multiplier
        self.jitter = jitter
        self.current = initial
    }

    /// The delay to wait now, jittered with the system's random numbers; grows the next one.
    public mutating func next() -> Duration {
        var generator = SystemRandomNumberGenerator()
        return next(using: &generator)
    }

    /// With a seeded generator, for reproducible tests.
    public mutating func next<G: RandomNumberGenerator>(using generator: inout G) -> Duration {
        let base = Double(current.nanoseconds)
        let spread = jitter > 0 ? Double.random(in: -jitter...jitter, using: &generator) : 0
        let jittered = min(base * (1 + spread), Double(maximum.nanoseconds))
        let grown = min(base * multiplier, Double(maximum.nanoseconds))
        current = Self.duration(nanoseconds: grown)
        return Self.duration(nanoseconds: jittered)
    }

    /// Double to Duration, saturating: a maximum near Int64.max nanoseconds rounds up to 2^63
    /// as a Double, which Int64(_:) would trap on.
    private static func duration(nanoseconds: Double) -> Duration {
        .nanoseconds(nanoseconds < Double(Int64.max) ? Int64(max(nanoseconds, 0)) : Int64.max)
    }

    /// Starts again from `initial` (after a success).
    public mutating func reset() {
        current = initial
    }
}
