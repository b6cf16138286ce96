// Duration conversions for the whole package, written once. Each saturates instead of
// trapping, so a "practically forever" setting (`.seconds(Int64.max)`) works everywhere.

extension Duration {
    /// Whole nanoseconds; sub-nanosecond parts are dropped.
    package var nanoseconds: Int64 { whole(perSecond: 1_000_000_000) }

    /// Whole milliseconds, as the wire's timeouts are given.
    package var milliseconds: Int64 { whole(perSecond: 1000) }

    /// Whole units of 1/`perSecond` s (a divisor of 10^18), saturating at Int64's bounds.
    private func whole(perSecond: Int64) -> Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: perSecond)
        if overflow { return seconds < 0 ? .min : .max }
        let (total, overflowAgain) = scaled.addingReportingOverflow(attoseconds / (1_000_000_000_000_000_000 / perSecond))
        if overflowAgain { return seconds < 0 ? .min : .max }
        return total
    }

    /// Whole nanoseconds for monotonic arithmetic: negative durations count as zero.
    package var unsignedNanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return .max }
        let (total, overflowAgain) = whole.addingReportingOverflow(UInt64(max(0, attoseconds) / 1_000_000_000))
        return overflowAgain ? .max : total
    }

    /// `self + other`, stopping at Int64.max seconds: beyond it `components` traps, and so
    /// would every deadline computed from the sum of two "forever" settings.
    package func cappedAdding(_ other: Duration) -> Duration { min(self + other, .seconds(Int64.max)) }
}

extension UInt64 {
    /// `self + n`, stopping at the largest instant instead of trapping or wrapping around.
    package func saturatingAdd(_ n: UInt64) -> UInt64 {
        let (sum, overflow) = addingReportingOverflow(n)
        return overflow ? .max : sum
    }
}
