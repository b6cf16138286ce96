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

    // The hot loop: every index and length is checked before memory is touched; the copies
    // may overshoot by up to 15 bytes into the slack behind literals and output.
    private func executeSequences(
        count sequenceCount: Int,
        tables: (UnsafePointer<ZstdSequenceTable.Entry>, UnsafePointer<ZstdSequenceTable.Entry>,
                 UnsafePointer<ZstdSequenceTable.Entry>),
        logs: (Int, Int, Int),
        stream: UnsafePointer<UInt8>, streamCount: Int
    ) throws(ZstdError) {
        let (llTable, ofTable, mlTable) = tables
        var reader = try ZstdBackwardBitReader(start: stream, count: streamCount, error: .corruptSequences)
        var llState = Int(reader.read(logs.0))
        var ofState = Int(reader.read(logs.1))
        var mlState = Int(reader.read(logs.2))
        reader.reload()

        let blockStart = output.count
        let blockEnd = blockStart + blockMaximum
        let end = min(blockEnd, output.limit, frameLimit)
        try output.reserve(total: end)
        let out = output.base
        var op = blockStart
        let lits = UnsafePointer(literals)
        let litCount = literalsCount
        var lit = 0
        var (rep1, rep2, rep3) = repeatOffsets
        let frameStart = frameStart
        let window = windowSize

        for index in 0..<sequenceCount {
            // Bit budget, as in the reference decoder: a reload leaves at most 7 bits consumed;
            // offset (<= 31) and match length (<= 16) extra bits fit, and unless all three
            // extra fields take 31 bits or more, so do the literals length's and the three state
            // updates' (<= 16 + 26) without a second reload.
            let le = llTable[llState]
            let me = mlTable[mlState]
            let oe = ofTable[ofState]
            let ofValue = Int(oe.baseValue) &+ reader.readFast(Int(oe.extraBits))
            let ml = Int(me.baseValue) &+ reader.readFast(Int(me.extraBits))
            if Int(oe.extraBits) &+ Int(me.extraBits) &+ Int(le.extraBits) >= 31 { reader.reload() }
            let ll = Int(le.baseValue) &+ reader.readFast(Int(le.extraBits))
            if index &+ 1 < sequenceCount {
                llState = Int(le.nextBase) &+ reader.readFast(Int(le.nbBits))
                mlState = Int(me.nextBase) &+ reader.readFast(Int(me.nbBits))
                ofState = Int(oe.nextBase) &+ reader.readFast(Int(oe.nbBits))
                reader.reload()
            }

            var offset: Int
            if ofValue > 3 {
                offset = ofValue &- 3
                rep3 = rep2
                rep2 = rep1
                rep1 = offset
            } else {
                let which = ofValue - (ll == 0 ? 0 : 1)
                if which == 0 {
                    offset = rep1
                } else {
                    offset = which == 1 ? rep2 : which == 2 ? rep3 : rep1 - 1
                    guard offset > 0 else { throw .invalidOffset }
                    if which != 1 { rep3 = rep2 }
                    rep2 = rep1
                    rep1 = offset
                }
            }

            guard ll <= litCount &- lit else { throw .corruptSequences }
            guard ll &+ ml <= end &- op else { throw overrun(end: end, blockEnd: blockEnd) }
            Self.copyLiterals(from: lits + lit, to: out + op, count: ll)
            op &+= ll
            lit &+= ll
            guard offset <= op &- frameStart, offset <= window else { throw .invalidOffset }
            Self.copyMatch(at: out + op, offset: offset, count: ml)
            op &+= ml
        }
        guard reader.isExactlyConsumed else { throw .corruptSequences }
        let rest = litCount - lit
        guard rest <= end - op else { throw overrun(end: end, blockEnd: blockEnd) }
        (out + op).update(from: lits + lit, count: rest)
        op += rest
        output.count = op
        repeatOffsets = (rep1, rep2, rep3)
    }

    /// Copies `count` literals in 16-byte chunks (literals and output both have the slack).
    @inline(__always)
    private static func copyLiterals(from source: UnsafePointer<UInt8>, to destination: UnsafeMutablePointer<UInt8>, count: Int) {
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
    private static func copyMatch(at destination: UnsafeMutablePointer<UInt8>, offset: Int, count: Int) {
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
