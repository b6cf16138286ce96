import AllocationCounter

/// Bytes and blocks allocated by a piece of code, counted by the AllocationCounter target
/// (which takes over malloc for the whole test process). Tests bound a decoder's memory with
/// it (peak bytes) and a hot path's allocations per message (blocks), never time.
///
/// Measure on one thread while no other thread of the test is busy; other threads'
/// allocations would count too.
public enum Allocations {
    /// Bytes live right now.
    public static var live: Int { Int(kiel_allocation_live()) }

    /// Runs `body` and returns its result with the most bytes that were live at once during
    /// the call beyond those live when it started (what `body` cost at its peak, its result
    /// included).
    public static func peak<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> (value: T, peak: Int) {
        kiel_allocation_reset_peak()
        let before = kiel_allocation_live()
        let value = try body()
        return (value, Int(kiel_allocation_peak() - before))
    }

    /// Runs `body` and returns its result with how many blocks it allocated (each malloc,
    /// calloc, realloc that returned a block, ...): a hot path's allocations per message,
    /// counted rather than timed.
    public static func count<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> (value: T, allocations: Int) {
        let before = kiel_allocation_count()
        let value = try body()
        return (value, Int(kiel_allocation_count() - before))
    }

    /// Whether the counter sees this process's allocations (the linker bound malloc to it).
    /// (Half of the probe's megabyte is enough: another thread's frees meanwhile may hide a
    /// little of it, a counter that sees nothing shows none of it.)
    public static var areCounted: Bool {
        let grew = kiel_allocation_probe()
        if grew < 1 << 19 { print("allocations: a megabyte held showed as \(grew) bytes, \(live) live") }
        return grew >= 1 << 19
    }
}
