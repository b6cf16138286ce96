extension ZstdDecoder {
    /// Decodes the sequences section of a compressed block and executes it against the
    /// literals already decoded, appending the block's content to `output`.
    func decodeSequences(_ section: UnsafePointer<UInt8>, count: Int) throws(ZstdError) {
        guard count >= 1 else { throw .corruptSequences }
        let b0 = Int(section[0])
        var position: Int
        var sequenceCount: Int
        if b0 < 128 {
            sequenceCount = b0
            position = 1
        } else if b0 < 255 {
            guard count >= 2 else { throw .corruptSequences }
            sequenceCount = ((b0 - 128) << 8) + Int(section[1])
            position = 2
        } else {
            guard count >= 3 else { throw .corruptSequences }
            sequenceCount = Int(section[1]) + (Int(section[2]) << 8) + 0x7F00
            position = 3
        }
        let blockStart = output.count
        if sequenceCount == 0 {
            guard position == count else { throw .corruptSequences }
            try appendBlockContent(literals, count: literalsCount, blockStart: blockStart)
            return
        }
        guard position < count else { throw .corruptSequences }
        let modes = Int(section[position])
        position += 1
        guard modes & 3 == 0 else { throw .corruptSequences }
        literalsLengthTable = try readTable(
            mode: modes >> 6, kind: .literalsLength, previous: literalsLengthTable,
            section: section, count: count, position: &position)
        offsetTable = try readTable(
            mode: (modes >> 4) & 3, kind: .offset, previous: offsetTable,
            section: section, count: count, position: &position)
        matchLengthTable = try readTable(
            mode: (modes >> 2) & 3, kind: .matchLength, previous: matchLengthTable,
            section: section, count: count, position: &position)
        guard let ll = literalsLengthTable, let of = offsetTable, let ml = matchLengthTable,
              position < count else { throw .corruptSequences }
        try ll.entries.withUnsafeBufferPointer { llEntries throws(ZstdError) in
            try of.entries.withUnsafeBufferPointer { ofEntries throws(ZstdError) in
                try ml.entries.withUnsafeBufferPointer { mlEntries throws(ZstdError) in
                    guard let llBase = llEntries.baseAddress, let ofBase = ofEntries.baseAddress,
                          let mlBase = mlEntries.baseAddress else { throw .corruptSequences }
                    try executeSequences(
                        count: sequenceCount,
                        tables: (llBase, ofBase, mlBase),
                        logs: (ll.accuracyLog, of.accuracyLog, ml.accuracyLog),
                        stream: section + position, streamCount: count - position)
                }
            }
        }
    }

    private func readTable(
        mode: Int, kind: ZstdSequenceTable.Kind, previous: ZstdSequenceTable?,
        section: UnsafePointer<UInt8>, count: Int, position: inout Int
    ) throws(ZstdError) -> ZstdSequenceTable {
        switch mode {
        case 0:
            return ZstdSequenceTable.predefined(kind)
        case 1:
            guard position < count else { throw .corruptSequences }
            let symbol = Int(section[position])
            position += 1
            guard symbol <= kind.maxSymbol else { throw .corruptSequences }
            return ZstdSequenceTable(rle: symbol, kind: kind)
        case 2:
            let (counts, log, used) = try ZstdFSE.readDistribution(
                base: section + position, count: count - position,
                maxSymbol: kind.maxSymbol, maxAccuracyLog: kind.maxAccuracyLog)
            position += used
            return ZstdSequenceTable(fse: try ZstdFSE.buildTable(counts: counts, accuracyLog: log), kind: kind)
        default:
            guard let previous else { throw .corruptSequences }
            return previous
        }
    }

    /// The error for content that would pass `end`, the nearest of three limits.
    private func overrun(end: Int, blockEnd: Int) -> ZstdError {
        if end == output.limit && end < blockEnd && end < frameLimit { return .outputTooLarge(limit: output.limit) }
        if end == frameLimit && end < blockEnd { return .corruptSequences }
        return .blockTooLarge
    }

    /// Appends the block's remaining literals, keeping the block within its maximum size.
    private func appendBlockContent(_ source: UnsafePointer<UInt8>, count n: Int, blockStart: Int) throws(ZstdError) {
        guard output.count + n - blockStart <= blockMaximum else { throw .blockTooLarge }
        try output.append(source, count: n)
    }

    /// Decodes the sequences and executes them into `output`, then appends the remaining
    /// literals. The last sequence is decoded apart because it reads no state updates.
    private func executeSequences(
        count sequenceCount: Int,
        tables: (UnsafePointer<ZstdSequenceTable.Entry>, UnsafePointer<ZstdSequenceTable.Entry>,
                 UnsafePointer<ZstdSequenceTable.Entry>),
        logs: (Int, Int, Int),
        stream: UnsafePointer<UInt8>, streamCount: Int
    ) throws(ZstdError) {
        var decoder = try ZstdSequenceDecoder(tables: tables, logs: logs, stream: stream, count: streamCount)
        let blockStart = output.count
        let blockEnd = blockStart + blockMaximum
        let end = min(blockEnd, output.limit, frameLimit)
        try output.reserve(total: end)
        let out = output.base
        var executor = ZstdSequenceExecutor(
            op: out + blockStart, end: out + end, frameStart: out + frameStart, window: windowSize,
            lit: UnsafePointer(literals), literalsEnd: UnsafePointer(literals) + literalsCount,
            repeatOffsets: repeatOffsets)
        do throws(ZstdSequenceExecutor.Failure) {
            var remaining = sequenceCount &- 1  // a countdown: a range loop checked twice per turn
            while remaining > 0 {
                let (ll, ml, ofValue) = decoder.next()
                try executor.execute(literalsLength: ll, matchLength: ml, offsetValue: ofValue)
                remaining &-= 1
            }
            let (ll, ml, ofValue) = decoder.last()
            try executor.execute(literalsLength: ll, matchLength: ml, offsetValue: ofValue)
        } catch {
            switch error {
            case .overrun: throw overrun(end: end, blockEnd: blockEnd)
            case .corrupt(let error): throw error
            }
        }
        guard decoder.isExactlyConsumed else { throw .corruptSequences }
        let rest = executor.literalsEnd - executor.lit
        guard rest <= executor.end - executor.op else { throw overrun(end: end, blockEnd: blockEnd) }
        executor.op.update(from: executor.lit, count: rest)
        output.count = executor.op + rest - out
        repeatOffsets = executor.repeatOffsets
    }
}

/// Reads sequences (literals length, match length, offset value) from a sequence bitstream.
///
/// Keeps its own view of the stream, right-aligned: the low `bitsLeft` bits of `container`
/// (the 8 bytes at `ptr`) are unread, so a read is a subtraction, one shift and a mask from
/// a table, where the left-aligned reader needs three shifts. Confined to the decoding
/// thread; the tables, masks and stream must outlive it.
struct ZstdSequenceDecoder {
    typealias Entry = ZstdSequenceTable.Entry
    /// `lowMasks[n]` has the low `n` bits set. Raw memory, written once when first used and
    /// never freed, so the loop indexes it without an array's checks.
    nonisolated(unsafe) static let lowMasks: UnsafePointer<UInt64> = {
        let masks = UnsafeMutablePointer<UInt64>.allocate(capacity: 64)
        for n in 0..<64 { masks[n] = (1 << UInt64(n)) - 1 }
        return UnsafePointer(masks)
    }()

    let llTable: UnsafePointer<Entry>
    let ofTable: UnsafePointer<Entry>
    let mlTable: UnsafePointer<Entry>
    let masks: UnsafePointer<UInt64>
    var llState: Int
    var ofState: Int
    var mlState: Int
    let start: UnsafePointer<UInt8>
    var ptr: UnsafePointer<UInt8>
    var container: UInt64
    /// Unread bits at the bottom of `container`; negative once a corrupt stream over-reads.
    var bitsLeft: Int

    init(tables: (UnsafePointer<Entry>, UnsafePointer<Entry>, UnsafePointer<Entry>), logs: (Int, Int, Int),
         stream: UnsafePointer<UInt8>, count: Int) throws(ZstdError) {
        (llTable, ofTable, mlTable) = tables
        masks = Self.lowMasks
        var reader = try ZstdBackwardBitReader(start: stream, count: count, error: .corruptSequences)
        llState = Int(reader.read(logs.0))
        ofState = Int(reader.read(logs.1))
        mlState = Int(reader.read(logs.2))
        reader.reload()
        start = reader.start
        ptr = reader.ptr
        container = reader.container
        bitsLeft = 64 - reader.consumed
    }

    /// True when the stream was read to its last bit, no further.
    var isExactlyConsumed: Bool { (ptr - start) * 8 + bitsLeft == 0 }

    /// The next sequence, then the three state updates.
    @inline(__always)
    mutating func next() -> (Int, Int, Int) {
        let le = llTable[llState]
        let me = mlTable[mlState]
        let oe = ofTable[ofState]
        let values = read(le, me, oe)
        llState = Int(le.nextBase) &+ bits(Int(le.nbBits))
        mlState = Int(me.nextBase) &+ bits(Int(me.nbBits))
        ofState = Int(oe.nextBase) &+ bits(Int(oe.nbBits))
        reload()
        return values
    }

    /// The last sequence, which has no state updates after it.
    @inline(__always)
    mutating func last() -> (Int, Int, Int) {
        read(llTable[llState], mlTable[mlState], ofTable[ofState])
    }

    /// Bit budget, as in the reference decoder: a reload leaves at least 57 bits; offset
    /// (<= 31) and match length (<= 16) extra bits fit, and unless all three extra fields
    /// take 31 bits or more, so do the literals length's and the three state updates'
    /// (<= 16 + 26) without a second reload.
    @inline(__always)
    private mutating func read(_ le: Entry, _ me: Entry, _ oe: Entry) -> (Int, Int, Int) {
        let ofValue = Int(oe.baseValue) &+ bits(Int(oe.extraBits))
        let ml = Int(me.baseValue) &+ bits(Int(me.extraBits))
        if Int(oe.extraBits) &+ Int(me.extraBits) &+ Int(le.extraBits) >= 31 { reload() }
        let ll = Int(le.baseValue) &+ bits(Int(le.extraBits))
        return (ll, ml, ofValue)
    }

    /// The next `n` (0...63) bits. Exact while `bitsLeft` stays non-negative, which the bit
    /// budget guarantees for every valid stream; past that the value is garbage (masking
    /// shift), and the final `isExactlyConsumed` check rejects the stream.
    @inline(__always)
    private mutating func bits(_ n: Int) -> Int {
        bitsLeft &-= n
        return Int(truncatingIfNeeded: (container &>> UInt64(truncatingIfNeeded: bitsLeft)) & masks[n])
    }

    /// Moves `ptr` back by the whole bytes consumed, never before `start`.
    @inline(__always)
    private mutating func reload() {
        let bytes = (64 &- bitsLeft) &>> 3
        if ptr - start >= bytes {
            ptr -= bytes
            bitsLeft &+= bytes &<< 3
        } else {
            if ptr == start { return }
            bitsLeft += (ptr - start) * 8
            ptr = start
        }
        container = UInt64(littleEndian: UnsafeRawPointer(ptr).loadUnaligned(as: UInt64.self))
    }
}

/// Executes sequences: copies literals and matches into the output, keeping the repeat
/// offsets. Every length and offset is checked before memory is touched; the copies may
/// overshoot by up to 15 bytes into the slack behind literals and output. Confined to the
/// decoding thread; the memory must outlive it.
struct ZstdSequenceExecutor {
    enum Failure: Error {
        /// The content would pass `end`.
        case overrun
        case corrupt(ZstdError)
    }

    var op: UnsafeMutablePointer<UInt8>
    let end: UnsafeMutablePointer<UInt8>
    let frameStart: UnsafeMutablePointer<UInt8>
    let window: Int
    var lit: UnsafePointer<UInt8>
    let literalsEnd: UnsafePointer<UInt8>
    var repeatOffsets: (Int, Int, Int)

    @inline(__always)
    mutating func execute(literalsLength ll: Int, matchLength ml: Int, offsetValue: Int) throws(Failure) {
        let offset = try resolveOffset(offsetValue, literalsLength: ll)
        guard ll <= literalsEnd - lit else { throw .corrupt(.corruptSequences) }
        guard ll &+ ml <= end - op else { throw .overrun }
        Self.copyLiterals(from: lit, to: op, count: ll)
        op += ll
        lit += ll
        guard offset <= op - frameStart, offset <= window else { throw .corrupt(.invalidOffset) }
        Self.copyMatch(at: op, offset: offset, count: ml)
        op += ml
    }

    /// The match offset for an offset value (RFC 8878 section 3.1.2.5), updating the repeats.
    @inline(__always)
    private mutating func resolveOffset(_ value: Int, literalsLength ll: Int) throws(Failure) -> Int {
        var (rep1, rep2, rep3) = repeatOffsets
        defer { repeatOffsets = (rep1, rep2, rep3) }
        if value > 3 {
            rep3 = rep2
            rep2 = rep1
            rep1 = value &- 3
            return rep1
        }
        let which = value - (ll == 0 ? 0 : 1)
        if which == 0 { return rep1 }
        let offset = which == 1 ? rep2 : which == 2 ? rep3 : rep1 - 1
        guard offset > 0 else { throw .corrupt(.invalidOffset) }
        if which != 1 { rep3 = rep2 }
        rep2 = rep1
        rep1 = offset
        return offset
    }

    /// Copies `count` literals in 16-byte chunks (literals and output both have the slack).
    @inline(__always)
    static func copyLiterals(from source: UnsafePointer<UInt8>, to destination: UnsafeMutablePointer<UInt8>, count: Int) {
        var s = UnsafeRawPointer(source)
        var d = UnsafeMutableRawPointer(destination)
        copy16(s, d)
        guard count > 16 else { return }
        let stop = d + count
        repeat {
            s += 16
            d += 16
            copy16(s, d)
        } while d + 16 < stop
    }

    /// Copies a match of `count` bytes from `offset` bytes back, which may overlap the bytes it
    /// writes: 16-byte chunks when the offset allows, 8-byte ones for offsets 8...15, and for
    /// shorter offsets byte by byte until a multiple of the offset reaches 8, then 8 bytes at a
    /// time from that distance (the content repeats with every multiple of the offset).
    @inline(__always)
    static func copyMatch(at destination: UnsafeMutablePointer<UInt8>, offset: Int, count: Int) {
        var d = UnsafeMutableRawPointer(destination)
        let stop = d + count
        if offset >= 16 {
            var s = UnsafeRawPointer(d - offset)
            repeat {
                copy16(s, d)
                s += 16
                d += 16
            } while d < stop
            return
        }
        var distance = offset
        if offset < 8 {
            distance = (8 / offset + (8 % offset == 0 ? 0 : 1)) * offset
            let bytes = min(distance, count)
            for i in 0..<bytes { destination[i] = destination[i - offset] }
            d += bytes
            guard d < stop else { return }
        }
        var s = UnsafeRawPointer(d - distance)
        repeat {
            d.storeBytes(of: s.loadUnaligned(as: UInt64.self), as: UInt64.self)
            s += 8
            d += 8
        } while d < stop
    }

    @inline(__always)
    private static func copy16(_ source: UnsafeRawPointer, _ destination: UnsafeMutableRawPointer) {
        destination.storeBytes(of: source.loadUnaligned(as: SIMD16<UInt8>.self), as: SIMD16<UInt8>.self)
    }
}
