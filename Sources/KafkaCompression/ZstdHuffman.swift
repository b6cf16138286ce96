/// Huffman decoding for Zstandard literals: the tree description (direct or FSE-compressed
/// weights), the lookup table, and decoding of one backward stream.
///
/// Pure functions; callable from any thread.
enum ZstdHuffman {
    static let maxTableLog = 11

    /// A lookup table indexed by the next `tableLog` bits: `symbol << 8 | numberOfBits`.
    struct Table: Sendable {
        var tableLog: Int
        var cells: [UInt16]
        /// `pairTable(self)` once a block had enough literals to repay building it; else empty.
        var pairs: [UInt32] = []
    }

    /// Reads a Huffman tree description; returns the table and the bytes the description used.
    static func readTable(base: UnsafePointer<UInt8>, count: Int) throws(ZstdError) -> (Table, Int) {
        guard count >= 1 else { throw .corruptHuffmanTable }
        let header = Int(base[0])
        var weights = [UInt8]()
        weights.reserveCapacity(256)
        var used: Int
        if header >= 128 {
            let n = header - 127
            let bytes = (n + 1) / 2
            guard 1 + bytes <= count else { throw .corruptHuffmanTable }
            for i in 0..<n {
                let byte = base[1 + i / 2]
                weights.append(i & 1 == 0 ? byte >> 4 : byte & 15)
            }
            used = 1 + bytes
        } else {
            guard header >= 1, 1 + header <= count else { throw .corruptHuffmanTable }
            weights = try readCompressedWeights(base: base + 1, count: header)
            used = 1 + header
        }
        return (try buildTable(weights: weights), used)
    }

    /// Weights compressed with FSE: two interleaved states sharing one table.
    static func readCompressedWeights(base: UnsafePointer<UInt8>, count: Int) throws(ZstdError) -> [UInt8] {
        let (counts, accuracyLog, headerSize) = try ZstdFSE.readDistribution(
            base: base, count: count, maxSymbol: 255, maxAccuracyLog: 6)
        guard headerSize < count else { throw .corruptHuffmanTable }
        let table = try ZstdFSE.buildTable(counts: counts, accuracyLog: accuracyLog)
        var reader = try ZstdBackwardBitReader(start: base + headerSize, count: count - headerSize, error: .corruptHuffmanTable)
        let state1 = Int(reader.read(accuracyLog))
        let state2 = Int(reader.read(accuracyLog))
        reader.reload()
        guard !reader.overflowed else { throw .corruptHuffmanTable }
        var weights = [UInt8]()
        weights.reserveCapacity(256)
        return try table.entries.withUnsafeBufferPointer { entries throws(ZstdError) -> [UInt8] in
            // The states take turns: `state` decodes next; when the bits run out, `other`
            // gives the last weight.
            var (state, other) = (state1, state2)
            while true {
                guard weights.count <= 253 else { throw .corruptHuffmanTable }
                let e = entries[state]
                weights.append(e.symbol)
                state = Int(e.baseline) + Int(reader.read(Int(e.nbBits)))
                reader.reload()
                if reader.overflowed {
                    weights.append(entries[other].symbol)
                    break
                }
                swap(&state, &other)
            }
            return weights
        }
    }

    /// Completes the weights with the implied last one and builds the lookup table.
    static func buildTable(weights: [UInt8]) throws(ZstdError) -> Table {
        guard !weights.isEmpty, weights.count <= 255 else { throw .corruptHuffmanTable }
        var total = 0
        for w in weights {
            guard w <= maxTableLog else { throw .corruptHuffmanTable }
            if w > 0 { total += 1 << (Int(w) - 1) }
        }
        guard total > 0 else { throw .corruptHuffmanTable }
        let tableLog = 64 - total.leadingZeroBitCount
        guard tableLog <= maxTableLog else { throw .corruptHuffmanTable }
        let rest = (1 << tableLog) - total
        guard rest > 0, rest & (rest - 1) == 0 else { throw .corruptHuffmanTable }
        var all = weights
        all.append(UInt8(rest.trailingZeroBitCount + 1))
        var cells = [UInt16](repeating: 0, count: 1 << tableLog)
        var position = 0
        for weight in 1...tableLog {
            let span = 1 << (weight - 1)
            let bits = UInt16(tableLog + 1 - weight)
            for (symbol, w) in all.enumerated() where Int(w) == weight {
                let cell = UInt16(symbol) << 8 | bits
                for i in position..<(position + span) { cells[i] = cell }
                position += span
            }
        }
        guard position == 1 << tableLog else { throw .corruptHuffmanTable }
        return Table(tableLog: tableLog, cells: cells)
    }

    /// A two-symbol lookup table built from a one-symbol table, always indexed by the next
    /// `maxTableLog` bits (a fixed shift in the decoding loop): each cell is
    /// `count << 24 | bits << 16 | second << 8 | first`. A cell holds two symbols when both
    /// codes fit in those bits, else one (`count` 1, `second` meaningless); a decoder stores
    /// the low two bytes as they are and advances by `count`.
    static func pairTable(_ table: Table) -> [UInt32] {
        let size = 1 << maxTableLog
        let mask = size - 1
        let down = maxTableLog - table.tableLog
        return table.cells.withUnsafeBufferPointer { cells in
            [UInt32](unsafeUninitializedCapacity: size) { pairs, initialized in
                for index in 0..<size {
                    let first = UInt32(cells[index >> down])
                    let firstBits = Int(first & 0xFF)
                    // The bits after the first code, the rest unknown (zero): the second code is
                    // only trusted when it lies wholly within the known bits.
                    let second = UInt32(cells[((index << firstBits) & mask) >> down])
                    let bits = firstBits + Int(second & 0xFF)
                    pairs[index] = bits <= maxTableLog
                        ? 2 << 24 | UInt32(bits) << 16 | (second >> 8) << 8 | first >> 8
                        : 1 << 24 | UInt32(firstBits) << 16 | first >> 8
                }
                initialized = size
            }
        }
    }

    /// Decodes exactly `outCount` symbols from one backward stream into `out`, never writing
    /// past them. With `pairs` (from `pairTable`), most of the stream goes two symbols per
    /// lookup.
    static func decodeStream(
        table: UnsafePointer<UInt16>, pairs: UnsafePointer<UInt32>? = nil, tableLog: Int,
        source: UnsafePointer<UInt8>, sourceCount: Int,
        out: UnsafeMutablePointer<UInt8>, outCount: Int
    ) throws(ZstdError) {
        var reader = try ZstdBackwardBitReader(start: source, count: sourceCount, error: .corruptLiterals)
        var i = 0
        if sourceCount >= 8 {
            if let pairs {
                i = decodePairs(pairs, reader: &reader, out: out, outCount: outCount)
            } else {
                i = decodeFours(table, tableLog: tableLog, reader: &reader, out: out, outCount: outCount)
            }
        }
        // The tail, and streams too short for the fast loops: one symbol per lookup, checked.
        while i < outCount - 3 {
            reader.reload()
            for k in 0..<4 {
                let cell = table[Int(reader.peek(tableLog))]
                out[i + k] = UInt8(truncatingIfNeeded: cell >> 8)
                reader.consumed += Int(cell & 0xFF)
            }
            i += 4
        }
        reader.reload()
        while i < outCount {
            let cell = table[Int(reader.peek(tableLog))]
            out[i] = UInt8(truncatingIfNeeded: cell >> 8)
            reader.consumed += Int(cell & 0xFF)
            i += 1
        }
        guard reader.isExactlyConsumed else { throw .corruptLiterals }
    }

    /// Four symbols per refill while at least a whole word lies ahead of the stream's start:
    /// a refill leaves at most 7 bits consumed and four symbols take at most 44, so the
    /// masking shifts never see a count past 63 and no per-symbol check is needed. Returns
    /// how many symbols it wrote.
    @inline(__always)
    private static func decodeFours(
        _ table: UnsafePointer<UInt16>, tableLog: Int, reader: inout ZstdBackwardBitReader,
        out: UnsafeMutablePointer<UInt8>, outCount: Int
    ) -> Int {
        let shift = UInt64(truncatingIfNeeded: 64 - tableLog)
        let source = reader.start
        var container = reader.container
        var consumed = reader.consumed
        var ptr = reader.ptr
        var i = 0
        while i < outCount - 3 {
            let bytes = consumed &>> 3
            guard ptr - source >= bytes else { break }
            ptr -= bytes
            consumed &= 7
            container = UInt64(littleEndian: UnsafeRawPointer(ptr).loadUnaligned(as: UInt64.self))
            for k in 0..<4 {
                let cell = table[Int(truncatingIfNeeded: (container &<< UInt64(truncatingIfNeeded: consumed)) &>> shift)]
                out[i &+ k] = UInt8(truncatingIfNeeded: cell &>> 8)
                consumed &+= Int(cell & 0xFF)
            }
            i &+= 4
        }
        reader.container = container
        reader.consumed = consumed
        reader.ptr = ptr
        return i
    }

    /// Five pair lookups per refill (at most 7 + 5 * 11 = 62 bits, so no per-lookup check),
    /// while ten symbols' room is left: each lookup stores two bytes, and the second byte of a
    /// single-symbol cell is overwritten by the next lookup or lies within that room. Stops
    /// a whole word before the stream's start. Returns how many symbols it wrote.
    ///
    /// `bits` is the container shifted past the consumed bits, with a marker bit in place of
    /// its lowest bit (never read: 62 bits at most are), so a lookup is one fixed shift and
    /// consuming is one variable shift; the marker's position tells how many bits went.
    @inline(__always)
    private static func decodePairs(
        _ pairs: UnsafePointer<UInt32>, reader: inout ZstdBackwardBitReader,
        out: UnsafeMutablePointer<UInt8>, outCount: Int
    ) -> Int {
        let source = reader.start
        var word = reader.container
        var ptr = reader.ptr
        var bits = (word | 1) &<< UInt64(truncatingIfNeeded: reader.consumed)
        var i = 0
        while i <= outCount - 10 {
            let consumed = bits.trailingZeroBitCount
            let bytes = consumed &>> 3
            guard ptr - source >= bytes else { break }
            ptr -= bytes
            word = UInt64(littleEndian: UnsafeRawPointer(ptr).loadUnaligned(as: UInt64.self))
            bits = (word | 1) &<< UInt64(truncatingIfNeeded: consumed & 7)
            for _ in 0..<5 {
                let cell = pairs[Int(truncatingIfNeeded: bits &>> UInt64(64 - maxTableLog))]
                UnsafeMutableRawPointer(out + i).storeBytes(
                    of: UInt16(truncatingIfNeeded: cell).littleEndian, as: UInt16.self)
                // A masking shift takes the low 6 bits of `cell >> 16`: the bit count alone.
                bits &<<= UInt64(truncatingIfNeeded: cell &>> 16)
                i &+= Int(truncatingIfNeeded: cell &>> 24)
            }
        }
        reader.container = word
        reader.consumed = bits.trailingZeroBitCount
        reader.ptr = ptr
        return i
    }
}
