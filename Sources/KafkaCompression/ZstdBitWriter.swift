/// Appends little-endian bit fields for a Zstandard backward bitstream and closes it with the
/// 1-bit end marker the decoder looks for. Writes go into raw memory sized up front: the hot
/// loops add several fields to a 64-bit container and then store its whole bytes with one
/// 8-byte write, where appending to an array paid a uniqueness and a capacity check per byte.
/// Should a stream outgrow its capacity, its memory doubles. Confined to the encoding thread.
struct ZstdBitWriter {
    private var storage: Storage
    private var start: UnsafeMutablePointer<UInt8>
    /// The last position an 8-byte store may start at.
    private var limit: UnsafeMutablePointer<UInt8>
    private var cursor: UnsafeMutablePointer<UInt8>
    private var container: UInt64 = 0
    private var bitCount = 0

    /// A writer expecting a stream of at most `capacity` bytes.
    init(capacity: Int) {
        let capacity = max(capacity, 8)
        storage = Storage(count: capacity + 8)
        start = storage.bytes
        limit = start + capacity
        cursor = start
    }

    /// Appends the low `n` bits (0...32) of `value`.
    @inline(__always)
    mutating func write(_ value: UInt64, _ n: Int) {
        add(value & ((1 << UInt64(n)) &- 1), n)
        flush()
    }

    /// Adds `n` bits holding `value` (no higher bits set) without storing them: callers flush
    /// before more than 63 bits are pending, so the shifts here and in `flush` stay below 64.
    @inline(__always)
    mutating func add(_ value: UInt64, _ n: Int) {
        container |= value &<< UInt64(truncatingIfNeeded: bitCount)
        bitCount &+= n
    }

    /// Stores the pending whole bytes, leaving at most 7 bits pending.
    @inline(__always)
    mutating func flush() {
        UnsafeMutableRawPointer(cursor).storeBytes(of: container.littleEndian, as: UInt64.self)
        let whole = bitCount >> 3
        cursor += whole
        container = container &>> UInt64(truncatingIfNeeded: whole << 3)
        bitCount &= 7
        if cursor > limit {
            let used = cursor - start, capacity = 2 * (limit - start)
            (storage, start) = Self.grow(start: start, limit: limit, cursor: cursor)
            limit = start + capacity
            cursor = start + used
        }
    }

    /// Writes the end marker and pads to a whole byte.
    mutating func close() -> [UInt8] {
        write(1, 1)
        return Array(UnsafeBufferPointer(start: start, count: cursor - start + (bitCount + 7) / 8))
    }

    /// Moves the stream into memory twice as large (a copy of the writer keeps the old memory).
    /// Static and returning the new fields, so the hot loops keep the writer in registers.
    @inline(never)
    private static func grow(start: UnsafeMutablePointer<UInt8>, limit: UnsafeMutablePointer<UInt8>,
                             cursor: UnsafeMutablePointer<UInt8>) -> (Storage, UnsafeMutablePointer<UInt8>) {
        let used = cursor - start
        let bigger = Storage(count: 2 * (limit - start) + 8)
        bigger.bytes.initialize(from: start, count: used)
        return (bigger, bigger.bytes)
    }

    /// Owns a stream's memory for as long as a writer (or a copy of one) uses it.
    private final class Storage {
        let bytes: UnsafeMutablePointer<UInt8>

        /// Uninitialized: only bytes the writer stored are ever read.
        init(count: Int) { bytes = .allocate(capacity: count) }

        deinit { bytes.deallocate() }
    }
}

/// FSE encoding for one distribution, in zstd's form: the encoder's state is `size + x` for the
/// decoder's row `x`. For a symbol with normalized count `n`, rows holding it, in row order,
/// are that symbol's slice of `stateTable`; from state `v`, the number of bits to write is
/// `(v + deltaNbBits) >> 16` and the next state `stateTable[(v >> bits) + deltaFindState]`,
/// one lookup where the decoder-side search needed a table of size x symbols.
/// Immutable; any thread.
struct ZstdFSEEncoder: Sendable {
    let accuracyLog: Int
    /// The decoding table the encoder inverts.
    let entries: [ZstdFSE.Entry]
    /// Per symbol's slice, `size + row` of each row holding it.
    let stateTable: [UInt16]
    /// Per symbol, the two deltas above.
    let transforms: [Transform]
    /// A row holding each symbol, to start from.
    let initialState: [UInt16]

    struct Transform: Sendable {
        var deltaNbBits: Int32
        var deltaFindState: Int32
    }

    init(counts: [Int16], accuracyLog: Int) {
        let table = (try? ZstdFSE.buildTable(counts: counts, accuracyLog: accuracyLog))
            ?? ZstdFSE.Table(accuracyLog: accuracyLog, entries: [])
        self.init(entries: table.entries, counts: counts, accuracyLog: accuracyLog)
    }

    /// An encoder for RLE_Mode: one state, no bits.
    init(rle symbol: Int) {
        var counts = [Int16](repeating: 0, count: symbol + 1)
        counts[symbol] = 1
        self.init(entries: [ZstdFSE.Entry(symbol: UInt8(symbol), nbBits: 0, baseline: 0)], counts: counts,
                  accuracyLog: 0)
    }

    private init(entries: [ZstdFSE.Entry], counts: [Int16], accuracyLog: Int) {
        self.accuracyLog = accuracyLog
        self.entries = entries
        let size = 1 << accuracyLog
        // Each symbol's slice starts where the previous one's ends.
        var cursor = [Int](repeating: 0, count: counts.count)
        var transforms = [Transform](repeating: Transform(deltaNbBits: 0, deltaFindState: 0), count: counts.count)
        var total = 0
        for (s, c) in counts.enumerated() where c != 0 {
            cursor[s] = total
            let n = max(Int(c), 1)
            // Rows reached from states `size ..< 2 size` read `maxBits` bits or one less.
            let maxBits = accuracyLog - (n == 1 ? 0 : 63 - UInt64(n - 1).leadingZeroBitCount)
            let deltaNbBits = (maxBits << 16) - (n << maxBits)
            transforms[s] = Transform(deltaNbBits: Int32(deltaNbBits), deltaFindState: Int32(total - n))
            total += n
        }
        var stateTable = [UInt16](repeating: 0, count: size)
        var first = [UInt16](repeating: 0, count: counts.count)
        var seen = [Bool](repeating: false, count: counts.count)
        if entries.count == size {
            for (x, e) in entries.enumerated() {
                let s = Int(e.symbol)
                if !seen[s] { first[s] = UInt16(x); seen[s] = true }
                stateTable[cursor[s]] = UInt16(size + x)
                cursor[s] += 1
            }
        }
        self.stateTable = stateTable
        self.transforms = transforms
        initialState = first
    }

    /// Moves from decoder state `y` back to a row for `symbol`, writing the bits that lead to `y`.
    @inline(__always)
    func encode(_ symbol: Int, from y: Int, into writer: inout ZstdBitWriter) -> Int {
        let state = encode(symbol, state: y + (1 << accuracyLog), into: &writer)
        writer.flush()
        return state - (1 << accuracyLog)
    }

    /// The hot-loop form: `state` is `size + row`; adds the bits without flushing them (at
    /// most `accuracyLog`).
    @inline(__always)
    func encode(_ symbol: Int, state: Int, into writer: inout ZstdBitWriter) -> Int {
        let t = transforms[symbol]
        // Wrapping arithmetic and masking shifts: bits is at most accuracyLog, the state positive.
        let bits = (state &+ Int(t.deltaNbBits)) &>> 16
        writer.add(UInt64(truncatingIfNeeded: state) & ((1 &<< UInt64(truncatingIfNeeded: bits)) &- 1), bits)
        return Int(stateTable[(state &>> bits) &+ Int(t.deltaFindState)])
    }

    static let literalsLength = ZstdFSEEncoder(counts: ZstdFSE.literalsLengthDefault, accuracyLog: 6)
    static let matchLength = ZstdFSEEncoder(counts: ZstdFSE.matchLengthDefault, accuracyLog: 6)
    static let offset = ZstdFSEEncoder(counts: ZstdFSE.offsetDefault, accuracyLog: 5)
}
