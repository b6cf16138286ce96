/// Finite State Entropy tables for Zstandard: reading a normalized distribution (RFC 8878
/// section 4.1.1), spreading it into a decoding table, and the predefined distributions.
///
/// Pure functions and immutable values; callable from any thread.
enum ZstdFSE {
    /// One row of a decoding table: the symbol for this state and how to reach the next state.
    struct Entry: Sendable {
        var symbol: UInt8
        var nbBits: UInt8
        var baseline: UInt16
    }

    struct Table: Sendable {
        var accuracyLog: Int
        var entries: [Entry]
    }

    static let literalsLengthDefault: [Int16] = [
        4, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1,
        2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 2, 1, 1, 1, 1, 1,
        -1, -1, -1, -1,
    ]
    static let matchLengthDefault: [Int16] = [
        1, 4, 3, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1,
        -1, -1, -1, -1, -1,
    ]
    static let offsetDefault: [Int16] = [
        1, 1, 1, 1, 1, 1, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1,
    ]

    /// Parses a distribution description at `base`; returns the counts (index = symbol),
    /// the accuracy log and how many bytes the description used.
    static func readDistribution(
        base: UnsafePointer<UInt8>, count: Int, maxSymbol: Int, maxAccuracyLog: Int
    ) throws(ZstdError) -> (counts: [Int16], accuracyLog: Int, bytesUsed: Int) {
        guard count >= 1 else { throw .corruptFSETable }
        var reader = ZstdForwardBitReader(base: base, count: count)
        let accuracyLog = reader.read(4) + 5
        guard accuracyLog <= maxAccuracyLog else { throw .corruptFSETable }
        var remaining = 1 << accuracyLog
        var counts = [Int16]()
        counts.reserveCapacity(maxSymbol + 1)
        var symbol = 0
        while remaining > 0 {
            guard symbol <= maxSymbol else { throw .corruptFSETable }
            // Values 0...remaining+1 are possible; the smallest `low` of them use one bit less.
            let bits = 64 - (remaining + 1).leadingZeroBitCount
            let low = (1 << bits) - 1 - (remaining + 1)
            var value = reader.peek(bits - 1)
            if value < low {
                reader.bitPosition += bits - 1
            } else {
                value = reader.peek(bits)
                if value >= 1 << (bits - 1) { value -= low }
                reader.bitPosition += bits
            }
            let probability = value - 1
            remaining -= probability < 0 ? 1 : probability
            counts.append(Int16(probability))
            symbol += 1
            if probability == 0 {
                while true {
                    let repeats = reader.read(2)
                    guard symbol + repeats <= maxSymbol + 1 else { throw .corruptFSETable }
                    for _ in 0..<repeats { counts.append(0) }
                    symbol += repeats
                    if repeats != 3 { break }
                }
            }
            guard reader.bitPosition <= count * 8 else { throw .corruptFSETable }
        }
        guard remaining == 0 else { throw .corruptFSETable }
        return (counts, accuracyLog, reader.bytesUsed)
    }

    /// Spreads a normalized distribution into a decoding table.
    static func buildTable(counts: [Int16], accuracyLog: Int) throws(ZstdError) -> Table {
        let size = 1 << accuracyLog
        var symbols = [UInt8](repeating: 0, count: size)
        var next = [Int](repeating: 0, count: counts.count)
        var high = size - 1
        for (s, c) in counts.enumerated() where c == -1 {
            guard high >= 0 else { throw .corruptFSETable }
            symbols[high] = UInt8(truncatingIfNeeded: s)
            high -= 1
            next[s] = 1
        }
        let step = (size >> 1) + (size >> 3) + 3
        let mask = size - 1
        var position = 0
        var placed = 0
        for (s, c) in counts.enumerated() where c > 0 {
            next[s] = Int(c)
            for _ in 0..<Int(c) {
                placed += 1
                guard placed <= high + 1 else { throw .corruptFSETable }
                symbols[position] = UInt8(truncatingIfNeeded: s)
                repeat { position = (position + step) & mask } while position > high
            }
        }
        guard position == 0, placed == high + 1 else { throw .corruptFSETable }
        // Each symbol's states, in order, take the next values of `next[s]` (from its count up
        // to twice that); a state's bits and baseline follow from that value. Raw buffers: the
        // array form checked bounds and uniqueness on every access of this per-block loop.
        let entries = next.withUnsafeMutableBufferPointer { next in
            symbols.withUnsafeBufferPointer { symbols in
                [Entry](unsafeUninitializedCapacity: size) { entries, initialized in
                    for state in 0..<size {
                        let symbol = symbols[state]
                        let nextState = next[Int(symbol)]
                        next[Int(symbol)] = nextState &+ 1
                        let nbBits = accuracyLog &- (63 &- nextState.leadingZeroBitCount)
                        let baseline = (nextState &<< nbBits) &- size
                        entries[state] = Entry(
                            symbol: symbol, nbBits: UInt8(truncatingIfNeeded: nbBits),
                            baseline: UInt16(truncatingIfNeeded: baseline))
                    }
                    initialized = size
                }
            }
        }
        return Table(accuracyLog: accuracyLog, entries: entries)
    }
}
