extension Duration {
    /// Whole milliseconds, as the wire's timeouts are given; saturates instead of trapping
    /// for durations beyond Int64 milliseconds (a "practically forever" timeout).
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        if overflow { return seconds < 0 ? .min : .max }
        let (total, overflowAgain) = whole.addingReportingOverflow(attoseconds / 1_000_000_000_000_000)
        if overflowAgain { return whole < 0 ? .min : .max }
        return total
    }
}
