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
        let present = counts.filter { $0 > 0 }.count
        if present == 1, let symbol = counts.firstIndex(where: { $0 > 0 }) {
            return Choice(mode: 1, description: [UInt8(symbol)], encoder: ZstdFSEEncoder(rle: symbol))
        }
        let (defaults, defaultLog) = kind.defaultDistribution
        let predefinedCost = cost(counts: counts, norm: defaults, accuracyLog: defaultLog)
        let fallback = Choice(mode: 0, description: [], encoder: predefined)
        guard codes.count >= 16 else { return fallback }
        var log = min(kind.maxAccuracyLog, max(5, 64 - (codes.count - 1).leadingZeroBitCount - 2))
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

    /// Writes the mode byte, table descriptions and bitstream for `sequences` (at least one).
    static func encode(_ sequences: [ZstdSequence], repeats: inout (Int, Int, Int), into body: inout [UInt8]) {
        let n = sequences.count
        var llCodes = [UInt8](repeating: 0, count: n)
        var mlCodes = [UInt8](repeating: 0, count: n)
        var ofCodes = [UInt8](repeating: 0, count: n)
        var ofValues = [Int](repeating: 0, count: n)
        var (rep1, rep2, rep3) = repeats
        for (i, s) in sequences.enumerated() {
            var value: Int
            if s.literalLength > 0 && s.offset == rep1 {
                value = 1
            } else if s.literalLength > 0 && s.offset == rep2 {
                value = 2
                rep2 = rep1
                rep1 = s.offset
            } else if s.literalLength > 0 && s.offset == rep3 {
                value = 3
                rep3 = rep2
                rep2 = rep1
                rep1 = s.offset
            } else if s.literalLength == 0 && s.offset == rep2 {
                value = 1
                rep2 = rep1
                rep1 = s.offset
            } else {
                value = s.offset + 3
                rep3 = rep2
                rep2 = rep1
                rep1 = s.offset
            }
            ofValues[i] = value
            ofCodes[i] = UInt8(63 - UInt64(value).leadingZeroBitCount)
            llCodes[i] = UInt8(ZstdBlockEncoder.literalsLengthCode(s.literalLength))
            mlCodes[i] = UInt8(ZstdBlockEncoder.matchLengthCode(s.matchLength))
        }
        repeats = (rep1, rep2, rep3)

        let ll = choose(codes: llCodes, kind: .literalsLength, predefined: .literalsLength)
        let of = choose(codes: ofCodes, kind: .offset, predefined: .offset)
        let ml = choose(codes: mlCodes, kind: .matchLength, predefined: .matchLength)
        body.append(ll.mode << 6 | of.mode << 4 | ml.mode << 2)
        body += ll.description
        body += of.description
        body += ml.description

        var writer = ZstdBitWriter(capacity: n * 4 + 8)
        func writeExtras(_ i: Int) {
            let s = sequences[i]
            let (llBase, llBits) = ZstdSequenceTable.Kind.literalsLength.code(Int(llCodes[i]))
            writer.write(UInt64(s.literalLength - Int(llBase)), Int(llBits))
            let (mlBase, mlBits) = ZstdSequenceTable.Kind.matchLength.code(Int(mlCodes[i]))
            writer.write(UInt64(s.matchLength - Int(mlBase)), Int(mlBits))
            let ofBits = Int(ofCodes[i])
            writer.write(UInt64(ofValues[i] - (1 << ofBits)), ofBits)
        }
        var llState = Int(ll.encoder.initialState[Int(llCodes[n - 1])])
        var mlState = Int(ml.encoder.initialState[Int(mlCodes[n - 1])])
        var ofState = Int(of.encoder.initialState[Int(ofCodes[n - 1])])
        writeExtras(n - 1)
        var i = n - 2
        while i >= 0 {
            ofState = of.encoder.encode(Int(ofCodes[i]), from: ofState, into: &writer)
            mlState = ml.encoder.encode(Int(mlCodes[i]), from: mlState, into: &writer)
            llState = ll.encoder.encode(Int(llCodes[i]), from: llState, into: &writer)
            writeExtras(i)
            i -= 1
        }
        writer.write(UInt64(mlState), ml.encoder.accuracyLog)
        writer.write(UInt64(ofState), of.encoder.accuracyLog)
        writer.write(UInt64(llState), ll.encoder.accuracyLog)
        body += writer.close()
    }
}
