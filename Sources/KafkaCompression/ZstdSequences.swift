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

    // The hot loop: every index and length is checked before memory is touched.
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
            reader.reload()
            let le = llTable[llState]
            let me = mlTable[mlState]
            let oe = ofTable[ofState]
            let ofValue = Int(oe.baseValue) + Int(reader.read(Int(oe.extraBits)))
            if oe.extraBits > 24 { reader.reload() }
            let ml = Int(me.baseValue) + Int(reader.read(Int(me.extraBits)))
            let ll = Int(le.baseValue) + Int(reader.read(Int(le.extraBits)))
            if index + 1 < sequenceCount {
                reader.reload()
                llState = Int(le.nextBase) + Int(reader.read(Int(le.nbBits)))
                mlState = Int(me.nextBase) + Int(reader.read(Int(me.nbBits)))
                ofState = Int(oe.nextBase) + Int(reader.read(Int(oe.nbBits)))
            }

            var offset: Int
            if ofValue > 3 {
                offset = ofValue - 3
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

            guard ll <= litCount - lit else { throw .corruptSequences }
            guard ll + ml <= end - op else { throw overrun(end: end, blockEnd: blockEnd) }
            if ll <= 16 {
                let s = UnsafeRawPointer(lits + lit)
                let d = UnsafeMutableRawPointer(out + op)
                d.storeBytes(of: s.loadUnaligned(as: UInt64.self), as: UInt64.self)
                d.storeBytes(of: s.loadUnaligned(fromByteOffset: 8, as: UInt64.self), toByteOffset: 8, as: UInt64.self)
            } else {
                (out + op).update(from: lits + lit, count: ll)
            }
            op += ll
            lit += ll

            guard offset <= op - frameStart, offset <= window else { throw .invalidOffset }
            let matchEnd = op + ml
            if offset >= 8 {
                var s = UnsafeRawPointer(out + (op - offset))
                var d = UnsafeMutableRawPointer(out + op)
                let stop = UnsafeMutableRawPointer(out + matchEnd)
                repeat {
                    d.storeBytes(of: s.loadUnaligned(as: UInt64.self), as: UInt64.self)
                    s += 8
                    d += 8
                } while d < stop
            } else {
                var s = op - offset
                var d = op
                while d < matchEnd {
                    out[d] = out[s]
                    d += 1
                    s += 1
                }
            }
            op = matchEnd
        }
        guard reader.isExactlyConsumed else { throw .corruptSequences }
        let rest = litCount - lit
        guard rest <= end - op else { throw overrun(end: end, blockEnd: blockEnd) }
        (out + op).update(from: lits + lit, count: rest)
        op += rest
        output.count = op
        repeatOffsets = (rep1, rep2, rep3)
    }
}
