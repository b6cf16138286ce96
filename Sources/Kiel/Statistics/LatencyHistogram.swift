/// A fixed-size histogram of durations for the statistics: recording is a few integer
/// operations and never allocates (the buckets are allocated once, with the histogram).
///
/// Values are kept in microseconds. Below 16 µs every value has its own bucket; above, each
/// power of two is split into 8 buckets, so a percentile is within 12.5% of the true value.
/// Values past about 13 days share the last bucket. Owned by one loop-confined object.
struct LatencyHistogram {
    private static let exact = 16
    private static let perOctave = 8
    private static let octaves = 40
    private static let bucketCount = exact + (octaves - 4) * perOctave

    private var buckets: [UInt32]
    private(set) var count = 0
    private(set) var sum: UInt64 = 0
    private(set) var minimum: UInt64 = .max
    private(set) var maximum: UInt64 = 0

    init() { buckets = [UInt32](repeating: 0, count: Self.bucketCount) }

    /// Counts `weight` events that each took `nanoseconds`.
    mutating func record(nanoseconds: UInt64, weight: Int = 1) {
        guard weight > 0 else { return }
        let micros = nanoseconds / 1000
        let index = Self.bucket(micros)
        buckets[index] &+= UInt32(truncatingIfNeeded: weight)
        count += weight
        sum &+= micros &* UInt64(weight)
        if micros < minimum { minimum = micros }
        if micros > maximum { maximum = micros }
    }

    /// Forgets everything recorded, keeping the buckets' storage.
    mutating func reset() {
        guard count > 0 else { return }
        for i in buckets.indices { buckets[i] = 0 }
        count = 0
        sum = 0
        minimum = .max
        maximum = 0
    }

    static func bucket(_ micros: UInt64) -> Int {
        if micros < UInt64(exact) { return Int(micros) }
        let octave = 63 - micros.leadingZeroBitCount            // 4 or more
        guard octave < octaves else { return bucketCount - 1 }
        let sub = Int(micros >> UInt64(octave - 3)) & (perOctave - 1)
        return exact + (octave - 4) * perOctave + sub
    }

    /// The largest value (µs) that falls in bucket `index`.
    static func upperBound(_ index: Int) -> UInt64 {
        if index < exact { return UInt64(index) }
        let octave = (index - exact) / perOctave + 4
        let sub = UInt64((index - exact) % perOctave)
        let width = UInt64(1) << UInt64(octave - 3)
        return (UInt64(perOctave) + sub) * width + width - 1
    }

    /// The value (µs) below or at which `fraction` of the events fall, clamped to the
    /// smallest and largest recorded; 0 when nothing was recorded.
    func percentile(_ fraction: Double) -> UInt64 {
        guard count > 0 else { return 0 }
        let rank = max(1, Int((Double(count) * fraction).rounded(.up)))
        var seen = 0
        for (index, n) in buckets.enumerated() where n > 0 {
            seen += Int(n)
            if seen >= rank { return Swift.min(Swift.max(Self.upperBound(index), minimum), maximum) }
        }
        return maximum
    }

    /// What the statistics report: count, min, mean, median, p99 and max.
    var summary: LatencySummary {
        guard count > 0 else { return LatencySummary() }
        func d(_ micros: UInt64) -> Duration { .microseconds(Int64(clamping: micros)) }
        return LatencySummary(count: count, minimum: d(minimum), average: d(sum / UInt64(count)),
                              median: d(percentile(0.5)), p99: d(percentile(0.99)), maximum: d(maximum))
    }
}

/// How long a kind of event took, over the events of one statistics interval (all of them when
/// statistics are taken without reporting): how many, the shortest, the mean, the median, the
/// 99th percentile and the longest. Percentiles are within 12.5% (from a histogram); all zero
/// when nothing happened. Microsecond resolution.
public struct LatencySummary: Sendable, Equatable {
    /// Events measured.
    public var count = 0
    /// The shortest.
    public var minimum: Duration = .zero
    /// The mean.
    public var average: Duration = .zero
    /// Half took this long or less.
    public var median: Duration = .zero
    /// 99% took this long or less.
    public var p99: Duration = .zero
    /// The longest.
    public var maximum: Duration = .zero

    /// A summary of the given values (for tests and for combining); `count` 0 means none.
    public init(count: Int = 0, minimum: Duration = .zero, average: Duration = .zero, median: Duration = .zero,
                p99: Duration = .zero, maximum: Duration = .zero) {
        self.count = count
        self.minimum = minimum
        self.average = average
        self.median = median
        self.p99 = p99
        self.maximum = maximum
    }
}
