import Foundation
import FuzzGuard

/// A seeded generator (SplitMix64): the same seed gives the same cases on every machine.
/// Plain value; one thread at a time.
public struct FuzzRandom: RandomNumberGenerator, Sendable {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<n` (n > 0).
    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    /// True once in `n` times.
    public mutating func oneIn(_ n: Int) -> Bool { below(n) == 0 }
    public mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: next()) }
    public mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in byte() } }
    /// One of `choices` (not empty).
    public mutating func pick<T>(_ choices: [T]) -> T { choices[below(choices.count)] }

    /// A value a decoder is likely to mishandle in place of `v`: zero, the extremes, -1, one
    /// off, or anything.
    public mutating func extreme<T: FixedWidthInteger>(near v: T) -> T {
        switch below(7) {
        case 0: return 0
        case 1: return T.max
        case 2: return T.min
        case 3: return T(truncatingIfNeeded: -1)
        case 4: return v &+ 1
        case 5: return v &- 1
        default: return T(truncatingIfNeeded: next())
        }
    }
}

/// Seeded fuzz runs with a fixed corpus by default and knobs for longer ones:
///
/// - `KIEL_FUZZ_SEED` (decimal or 0x-hex): the seed every run derives its cases from
///   (default 0x4B49454C, "KIEL", so CI runs the same corpus every time);
/// - `KIEL_FUZZ_SCALE` (a number, default 1): multiplies every run's case count;
/// - `KIEL_FUZZ_CASE`: runs only that case index of each run, to reproduce one failure;
/// - `KIEL_FUZZ_HANG_SECONDS` (default 60): how long one case may run before it counts as a hang.
///
/// Each case gets its own generator, seeded from the seed, the run's name and the case index,
/// so any case can be run alone. A failed assertion should name `FuzzCase.label`; a crash or
/// hang is reported by FuzzGuard with the same information.
///
/// Call from one thread (the test's).
public enum Fuzz {
    public static let seed: UInt64 = {
        guard let text = ProcessInfo.processInfo.environment["KIEL_FUZZ_SEED"] else { return 0x4B49_454C }
        if text.hasPrefix("0x") { return UInt64(text.dropFirst(2), radix: 16) ?? 0x4B49_454C }
        return UInt64(text) ?? 0x4B49_454C
    }()

    public static let scale: Double = {
        ProcessInfo.processInfo.environment["KIEL_FUZZ_SCALE"].flatMap(Double.init) ?? 1
    }()

    public static let only: Int? = ProcessInfo.processInfo.environment["KIEL_FUZZ_CASE"].flatMap { Int($0) }

    static let hangSeconds: Int32 = {
        ProcessInfo.processInfo.environment["KIEL_FUZZ_HANG_SECONDS"].flatMap { Int32($0) } ?? 60
    }()

    /// One case: its index, its generator, and a label that says how to run it again.
    public struct FuzzCase {
        public let index: Int
        public var random: FuzzRandom
        public let label: String
    }

    /// Runs `cases × KIEL_FUZZ_SCALE` cases of the run `name` (or only `KIEL_FUZZ_CASE`),
    /// then prints how many ran and how fast. Returns the number of cases run.
    @discardableResult
    public static func run(_ name: String, cases: Int, _ body: (inout FuzzCase) throws -> Void) rethrows -> Int {
        let total = max(1, Int((Double(cases) * scale).rounded()))
        let range = only.map { $0..<($0 + 1) } ?? 0..<total
        var key: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in name.utf8 { key = (key ^ UInt64(byte)) &* 0x100_0000_01B3 }
        kiel_fuzz_begin(name, seed, hangSeconds)
        defer { kiel_fuzz_end() }
        let start = ProcessInfo.processInfo.systemUptime
        for index in range {
            kiel_fuzz_case(UInt64(index))
            var mixer = FuzzRandom(seed: seed ^ key ^ UInt64(index) &* 0xD6E8_FEB8_6659_FD93)
            var fuzzCase = FuzzCase(index: index, random: FuzzRandom(seed: mixer.next()),
                                    label: "\(name) case \(index) (KIEL_FUZZ_SEED=0x\(String(seed, radix: 16)) KIEL_FUZZ_CASE=\(index))")
            try body(&fuzzCase)
        }
        let seconds = ProcessInfo.processInfo.systemUptime - start
        let rate = seconds > 0 ? Int(Double(range.count) / seconds) : 0
        print("fuzz: \(name): \(range.count) cases, seed 0x\(String(seed, radix: 16)), \(String(format: "%.1f", seconds)) s, \(rate) cases/s")
        return range.count
    }
}
