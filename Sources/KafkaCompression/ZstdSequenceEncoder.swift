import Foundation

/// Codes a block's sequences section: per symbol type it picks the predefined table, a
/// single repeated symbol (RLE_Mode) or a table fitted to the block (FSE_Compressed_Mode,
/// with its description), whichever is estimated smallest, then writes the interleaved
/// backward bitstream. Pure functions; any thread.
enum ZstdSequenceEncoder {
    /// A chosen coding for one symbol type: mode number, table description bytes, encoder.
    struct Choice {
        var mode: UInt8
        var description: [UInt8]
        var encoder: ZstdFSEEncoder
    }

    static func choose(codes: [UInt8], kind: ZstdSequenceTable.Kind, predefined: ZstdFSEEncoder) -> Choice {
        var counts = [Int](repeating: 0, count: kind.maxSymbol + 1)
        for c in codes { counts[Int(c)] += 1 }
        return choose(counts: counts, total: codes.count, kind: kind, predefined: predefined)
    }

    /// The choice for a block whose codes of this kind occur `counts` times (`total` in all).
    static func choose(counts: [Int], total: Int, kind: ZstdSequenceTable.Kind, predefined: ZstdFSEEncoder) -> Choice {
        let present = counts.filter { $0 > 0 }.count
        if present == 1, let symbol = counts.firstIndex(where: { $0 > 0 }) {
            return Choice(mode: 1, description: [UInt8(symbol)], encoder: ZstdFSEEncoder(rle: symbol))
        }
        let (defaults, defaultLog) = kind.defaultDistribution
        let predefinedCost = cost(counts: counts, norm: defaults, accuracyLog: defaultLog)
        let fallback = Choice(mode: 0, description: [], encoder: predefined)
        guard total >= 16 else { return fallback }
        var log = min(kind.maxAccuracyLog, max(5, 64 - (total - 1).leadingZeroBitCount - 2))
        log = max(log, 64 - present.leadingZeroBitCount)
        guard log <= kind.maxAccuracyLog, let norm = normalize(counts, accuracyLog: log) else { return fallback }
        let description = writeDistribution(norm, accuracyLog: log)
        let fittedCost = cost(counts: counts, norm: norm, accuracyLog: log) + Double(description.count * 8)
        guard fittedCost < predefinedCost else { return fallback }
        return Choice(mode: 2, description: description, encoder: ZstdFSEEncoder(counts: norm, accuracyLog: log))
    }

    /// Estimated bits to code `counts` with a table of normalized counts `norm`.
    private static func cost(counts: [Int], norm: [Int16], accuracyLog: Int) -> Double {
        var bits = 0.0
        for (s, c) in counts.enumerated() where c > 0 {
            guard s < norm.count, norm[s] != 0 else { return .infinity }
            let p = norm[s] < 0 ? 1.0 : Double(norm[s])
            bits += Double(c) * (Double(accuracyLog) - log2(p))
        }
        return bits
    }

    /// Scales counts to sum to 2^accuracyLog, every present symbol keeping at least 1.
    static func normalize(_ counts: [Int], accuracyLog: Int) -> [Int16]? {
        let total = counts.reduce(0, +)
        let target = 1 << accuracyLog
        guard total > 0 else { return nil }
        let last = counts.lastIndex { $0 > 0 } ?? 0
        var norm = [Int](repeating: 0, count: last + 1)
        var sum = 0
        for s in 0...last where counts[s] > 0 {
            norm[s] = max(1, (counts[s] * target + total / 2) / total)
            sum += norm[s]
        }
        // Give or take the difference, largest shares first.
        let order = (0...last).sorted { norm[$0] > norm[$1] }
        var guardCount = 0
        while sum != target && guardCount < 4 * target {
            guardCount += 1
            for s in order where sum != target {
                if sum > target && norm[s] > 1 {
                    norm[s] -= 1
                    sum -= 1
                } else if sum < target && norm[s] > 0 {
                    norm[s] += 1
                    sum += 1
                    break
                }
            }
        }
        guard sum == target else { return nil }
        return norm.map { Int16($0) }
    }

    /// The FSE table description (RFC 8878 section 4.1.1), inverse of `ZstdFSE.readDistribution`.
    static func writeDistribution(_ norm: [Int16], accuracyLog: Int) -> [UInt8] {
        var out = [UInt8]()
        var container: UInt64 = 0
        var bitCount = 0
        func put(_ value: Int, _ n: Int) {
            container |= UInt64(value) << UInt64(bitCount)
            bitCount += n
            while bitCount >= 8 {
                out.append(UInt8(truncatingIfNeeded: container))
                container >>= 8
                bitCount -= 8
            }
        }
        put(accuracyLog - 5, 4)
        var remaining = 1 << accuracyLog
        var s = 0
        while remaining > 0 && s < norm.count {
            let value = Int(norm[s]) + 1
            let bits = 64 - (remaining + 1).leadingZeroBitCount
            let low = (1 << bits) - 1 - (remaining + 1)
            if value < low {
                put(value, bits - 1)
            } else if value < 1 << (bits - 1) {
                put(value, bits)
            } else {
                put(value + low, bits)
            }
            remaining -= norm[s] < 0 ? 1 : Int(norm[s])
            s += 1
            if norm[s - 1] == 0 {
                var zeros = 0
                while s + zeros < norm.count && norm[s + zeros] == 0 { zeros += 1 }
                s += zeros
                while zeros >= 3 {
                    put(3, 2)
                    zeros -= 3
                }
                put(zeros, 2)
            }
        }
        if bitCount > 0 { out.append(UInt8(truncatingIfNeeded: container)) }
        return out
    }

    /// A sequence as the bitstream codes it: three symbols, and the extra bits after each
    /// symbol's baseline (an offset code is also its count of extra bits).
    struct Coded {
        var llCode: UInt8
        var mlCode: UInt8
        var ofCode: UInt8
        var llBits: UInt8
        var mlBits: UInt8
        var llExtra: UInt32
        var mlExtra: UInt32
        var ofExtra: UInt32
    }

    /// A length's code, its extra bits and baseline, looked up for the common short lengths.
    struct LengthCode {
        /// Marks the entry past a table's end: the length needs `codeLarge`.
        static let large: UInt8 = 255
        var code: UInt8
        var bits: UInt8
        var base: UInt32
    }

    /// Literal lengths 0..<64, then the `large` marker.
    static let literalsLengthCodes: [LengthCode] = (0..<64).map { ll in
        let code = ZstdBlockEncoder.literalsLengthCode(ll)
        let (base, bits) = ZstdSequenceTable.Kind.literalsLength.code(code)
        return LengthCode(code: UInt8(code), bits: bits, base: base)
    } + [LengthCode(code: LengthCode.large, bits: 0, base: 0)]

    /// Match lengths 3..<131 (indexed by length - 3), then the `large` marker.
    static let matchLengthCodes: [LengthCode] = (3..<131).map { ml in
        let code = ZstdBlockEncoder.matchLengthCode(ml)
        let (base, bits) = ZstdSequenceTable.Kind.matchLength.code(code)
        return LengthCode(code: UInt8(code), bits: bits, base: base)
    } + [LengthCode(code: LengthCode.large, bits: 0, base: 0)]

    /// Writes the mode byte, table descriptions and bitstream for `sequences` (at least one).
    static func encode(_ sequences: [ZstdSequence], repeats: inout (Int, Int, Int), into body: inout [UInt8]) {
        let n = sequences.count
        var llCounts = [Int](repeating: 0, count: ZstdSequenceTable.Kind.literalsLength.maxSymbol + 1)
        var mlCounts = [Int](repeating: 0, count: ZstdSequenceTable.Kind.matchLength.maxSymbol + 1)
        var ofCounts = [Int](repeating: 0, count: ZstdSequenceTable.Kind.offset.maxSymbol + 1)
        let coded = [Coded](unsafeUninitializedCapacity: n) { buffer, initialized in
            sequences.withUnsafeBufferPointer { sequences in
                code(sequences, repeats: &repeats, into: buffer.baseAddress!)
            }
            initialized = n
        }
        coded.withUnsafeBufferPointer { coded in
            llCounts.withUnsafeMutableBufferPointer { ll in
                mlCounts.withUnsafeMutableBufferPointer { ml in
                    ofCounts.withUnsafeMutableBufferPointer { of in
                        for c in coded {
                            ll[Int(c.llCode)] += 1
                            ml[Int(c.mlCode)] += 1
                            of[Int(c.ofCode)] += 1
                        }
                    }
                }
            }
        }

        let ll = choose(counts: llCounts, total: n, kind: .literalsLength, predefined: .literalsLength)
        let of = choose(counts: ofCounts, total: n, kind: .offset, predefined: .offset)
        let ml = choose(counts: mlCounts, total: n, kind: .matchLength, predefined: .matchLength)
        body.append(ll.mode << 6 | of.mode << 4 | ml.mode << 2)
        body += ll.description
        body += of.description
        body += ml.description
        body += coded.withUnsafeBufferPointer { bitstream($0, ll: ll.encoder, ml: ml.encoder, of: of.encoder) }
    }

    /// Codes each sequence: its offset as a repeat code where the repeat offsets allow (they
    /// advance as the decoder's will), and its lengths and offset as symbols with extra bits.
    private static func code(_ sequences: UnsafeBufferPointer<ZstdSequence>, repeats: inout (Int, Int, Int),
                             into coded: UnsafeMutablePointer<Coded>) {
        literalsLengthCodes.withUnsafeBufferPointer { llCodes in
            matchLengthCodes.withUnsafeBufferPointer { mlCodes in
                // Locals, not the captured `repeats`: the loop keeps them in registers.
                var (rep1, rep2, rep3) = repeats
                for i in 0..<sequences.count {
                    let s = sequences[i]
                    let value: Int
                    if s.literalLength > 0 && s.offset == rep1 {
                        value = 1
                    } else if s.literalLength > 0 && s.offset == rep2 {
                        value = 2
                        (rep1, rep2) = (s.offset, rep1)
                    } else if s.literalLength > 0 && s.offset == rep3 {
                        value = 3
                        (rep1, rep2, rep3) = (s.offset, rep1, rep2)
                    } else if s.literalLength == 0 && s.offset == rep2 {
                        value = 1
                        (rep1, rep2) = (s.offset, rep1)
                    } else {
                        value = s.offset &+ 3
                        (rep1, rep2, rep3) = (s.offset, rep1, rep2)
                    }
                    let ofCode = 63 &- UInt64(value).leadingZeroBitCount
                    let ll = llCodes[min(s.literalLength, llCodes.count &- 1)]
                    let ml = mlCodes[min(s.matchLength &- 3, mlCodes.count &- 1)]
                    coded[i] = Coded(
                        llCode: ll.code, mlCode: ml.code, ofCode: UInt8(truncatingIfNeeded: ofCode),
                        llBits: ll.bits, mlBits: ml.bits,
                        llExtra: UInt32(truncatingIfNeeded: s.literalLength) &- ll.base,
                        mlExtra: UInt32(truncatingIfNeeded: s.matchLength) &- ml.base,
                        ofExtra: UInt32(truncatingIfNeeded: value &- (1 &<< ofCode)))
                    if ll.code == LengthCode.large || ml.code == LengthCode.large {
                        coded[i] = codeLarge(coded[i], literalLength: s.literalLength, matchLength: s.matchLength)
                    }
                }
                repeats = (rep1, rep2, rep3)
            }
        }
    }

    /// Recodes lengths beyond the lookup tables (at least 64 literals, 131 match bytes).
    @inline(never)
    private static func codeLarge(_ c: Coded, literalLength: Int, matchLength: Int) -> Coded {
        var c = c
        let llCode = ZstdBlockEncoder.literalsLengthCode(literalLength)
        let (llBase, llBits) = ZstdSequenceTable.Kind.literalsLength.code(llCode)
        (c.llCode, c.llBits, c.llExtra) = (UInt8(llCode), llBits, UInt32(literalLength) - llBase)
        let mlCode = ZstdBlockEncoder.matchLengthCode(matchLength)
        let (mlBase, mlBits) = ZstdSequenceTable.Kind.matchLength.code(mlCode)
        (c.mlCode, c.mlBits, c.mlExtra) = (UInt8(mlCode), mlBits, UInt32(matchLength) - mlBase)
        return c
    }

    /// The interleaved backward bitstream: the last sequence's states start it, each earlier
    /// sequence adds its three state transitions then its extra bits, the final states end it.
    private static func bitstream(_ coded: UnsafeBufferPointer<Coded>,
                                  ll: ZstdFSEEncoder, ml: ZstdFSEEncoder, of: ZstdFSEEncoder) -> [UInt8] {
        let n = coded.count
        // Per sequence: at most 9 + 9 + 8 state bits and 16 + 16 + 31 extra bits.
        var writer = ZstdBitWriter(capacity: n * 12 + 8)
        let lastOne = coded[n - 1]
        var llState = Int(ll.initialState[Int(lastOne.llCode)]) + (1 << ll.accuracyLog)
        var mlState = Int(ml.initialState[Int(lastOne.mlCode)]) + (1 << ml.accuracyLog)
        var ofState = Int(of.initialState[Int(lastOne.ofCode)]) + (1 << of.accuracyLog)
        writeExtras(lastOne, into: &writer)
        var i = n - 2
        while i >= 0 {
            let c = coded[i]
            ofState = of.encode(Int(c.ofCode), state: ofState, into: &writer)
            mlState = ml.encode(Int(c.mlCode), state: mlState, into: &writer)
            llState = ll.encode(Int(c.llCode), state: llState, into: &writer)
            writeExtras(c, into: &writer)
            i -= 1
        }
        writer.write(UInt64(mlState), ml.accuracyLog)
        writer.write(UInt64(ofState), of.accuracyLog)
        writer.write(UInt64(llState), ll.accuracyLog)
        return writer.close()
    }

    /// A sequence's extra bits (literals length, match length, offset), then a store. At most
    /// 7 + 26 state bits are pending on entry: the writer holds at most 63, which the extra bits
    /// keep to when they come to at most 30 (nearly always); else a store goes between them.
    @inline(__always)
    private static func writeExtras(_ c: Coded, into writer: inout ZstdBitWriter) {
        writer.add(UInt64(c.llExtra), Int(c.llBits))
        if Int(c.llBits) &+ Int(c.mlBits) &+ Int(c.ofCode) > 30 { writer.flush() }
        writer.add(UInt64(c.mlExtra), Int(c.mlBits))
        writer.add(UInt64(c.ofExtra), Int(c.ofCode))
        writer.flush()
    }
}
