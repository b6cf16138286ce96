/// Appends little-endian bit fields for a Zstandard backward bitstream and closes it with the
/// 1-bit end marker the decoder looks for. Confined to the encoding thread.
struct ZstdBitWriter {
    var bytes: [UInt8] = []
    private var container: UInt64 = 0
    private var bitCount = 0

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    /// Appends the low `n` bits (0...32) of `value`.
    @inline(__always)
    mutating func write(_ value: UInt64, _ n: Int) {
        container |= (value & ((1 << UInt64(n)) &- 1)) << UInt64(bitCount)
        bitCount += n
        if bitCount >= 32 {
            let word = UInt32(truncatingIfNeeded: container)
            bytes.append(UInt8(truncatingIfNeeded: word))
            bytes.append(UInt8(truncatingIfNeeded: word >> 8))
            bytes.append(UInt8(truncatingIfNeeded: word >> 16))
            bytes.append(UInt8(truncatingIfNeeded: word >> 24))
            container >>= 32
            bitCount -= 32
        }
    }

    /// Writes the end marker and pads to a whole byte.
    mutating func close() -> [UInt8] {
        write(1, 1)
        while bitCount > 0 {
            bytes.append(UInt8(truncatingIfNeeded: container))
            container >>= 8
            bitCount -= 8
        }
        bitCount = 0
        return bytes
    }
}

/// FSE encoding for a sequence distribution, derived from the decoding table:
/// to emit `symbol` when the decoder must next land in state `y`, pick the row `x` holding
/// `symbol` whose range `baseline ..< baseline + 2^nbBits` contains `y`, and write `y - baseline`.
/// Immutable; any thread.
struct ZstdFSEEncoder: Sendable {
    let accuracyLog: Int
    let entries: [ZstdFSE.Entry]
    /// `stateFor[symbol << accuracyLog | y]` = the row `x` described above.
    let stateFor: [UInt16]
    /// A row holding each symbol, to start from.
    let initialState: [UInt16]

    init(counts: [Int16], accuracyLog: Int) {
        let table = (try? ZstdFSE.buildTable(counts: counts, accuracyLog: accuracyLog))
            ?? ZstdFSE.Table(accuracyLog: accuracyLog, entries: [])
        self.accuracyLog = accuracyLog
        entries = table.entries
        let size = 1 << accuracyLog
        var map = [UInt16](repeating: 0, count: counts.count << accuracyLog)
        var first = [UInt16](repeating: 0, count: counts.count)
        var seen = [Bool](repeating: false, count: counts.count)
        for (x, e) in table.entries.enumerated() {
            let s = Int(e.symbol)
            if !seen[s] { first[s] = UInt16(x); seen[s] = true }
            let low = Int(e.baseline)
            for y in low..<min(low + (1 << Int(e.nbBits)), size) { map[s << accuracyLog | y] = UInt16(x) }
        }
        stateFor = map
        initialState = first
    }

    /// An encoder for RLE_Mode: one state, no bits.
    init(rle symbol: Int) {
        accuracyLog = 0
        entries = [ZstdFSE.Entry(symbol: UInt8(symbol), nbBits: 0, baseline: 0)]
        var map = [UInt16](repeating: 0, count: symbol + 1)
        map[symbol] = 0
        stateFor = map
        initialState = map
    }

    /// Moves from decoder state `y` back to a row for `symbol`, writing the bits that lead to `y`.
    @inline(__always)
    func encode(_ symbol: Int, from y: Int, into writer: inout ZstdBitWriter) -> Int {
        let x = Int(stateFor[symbol << accuracyLog | y])
        let e = entries[x]
        writer.write(UInt64(y - Int(e.baseline)), Int(e.nbBits))
        return x
    }

    static let literalsLength = ZstdFSEEncoder(counts: ZstdFSE.literalsLengthDefault, accuracyLog: 6)
    static let matchLength = ZstdFSEEncoder(counts: ZstdFSE.matchLengthDefault, accuracyLog: 6)
    static let offset = ZstdFSEEncoder(counts: ZstdFSE.offsetDefault, accuracyLog: 5)
}
