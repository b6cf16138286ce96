/// A small, fast pseudo-random generator (SplitMix64) for choices that need spread, not
/// secrecy: which partition an unkeyed record goes to. Seeded once from the system's generator
/// (or by the caller, for reproducible runs) instead of asking the system for every record.
struct FastRandom: RandomNumberGenerator {
    private var state: UInt64

    /// Seeded from the system's generator.
    init() {
        var system = SystemRandomNumberGenerator()
        state = system.next()
    }

    /// Seeded with `seed`: the same seed gives the same sequence.
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<count` (count > 0): the high half of a 128-bit product, with a bias
    /// below count / 2^64, which does not matter for spreading records.
    mutating func index(below count: Int) -> Int {
        Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(count)).high)
    }
}
