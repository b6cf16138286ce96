/// Codes one compressed block: the literals section and the sequences section, using the
/// predefined distributions for all three sequence symbol types. Pure functions; any thread.
enum ZstdBlockEncoder {
    /// The block body, or nil when the sequences can't be expressed (never for valid input).
    static func encode(
        _ p: UnsafePointer<UInt8>, start: Int, end: Int, sequences: [ZstdSequence],
        trailingLiterals: Int, repeats: inout (Int, Int, Int)
    ) -> [UInt8]? {
        var literals = [UInt8]()
        literals.reserveCapacity(end - start)
        var pos = start
        for s in sequences {
            literals.append(contentsOf: UnsafeBufferPointer(start: p + pos, count: s.literalLength))
            pos += s.literalLength + s.matchLength
        }
        literals.append(contentsOf: UnsafeBufferPointer(start: p + pos, count: trailingLiterals))

        var body = [UInt8]()
        body.reserveCapacity(end - start)
        ZstdLiteralsEncoder.encode(literals, into: &body)
        writeSequenceCount(sequences.count, into: &body)
        if sequences.isEmpty { return body }
        body.append(0)  // Predefined_Mode for literals lengths, offsets and match lengths.
        body.append(contentsOf: encodeSequences(sequences, repeats: &repeats))
        return body
    }

    private static func writeSequenceCount(_ n: Int, into body: inout [UInt8]) {
        if n < 128 {
            body.append(UInt8(n))
        } else if n < 0x7F00 {
            body.append(UInt8(n >> 8 + 128))
            body.append(UInt8(n & 0xFF))
        } else {
            body.append(255)
            body.append(UInt8((n - 0x7F00) & 0xFF))
            body.append(UInt8((n - 0x7F00) >> 8))
        }
    }

    static func literalsLengthCode(_ ll: Int) -> Int {
        if ll < 16 { return ll }
        if ll >= 64 { return (63 - UInt64(ll).leadingZeroBitCount) + 19 }
        var code = 16
        while code < 24 && Int(ZstdSequenceTable.literalsLengthBase[code - 15]) <= ll { code += 1 }
        return code
    }

    static func matchLengthCode(_ ml: Int) -> Int {
        let value = ml - 3
        if value < 32 { return value }
        if value >= 128 { return (63 - UInt64(value).leadingZeroBitCount) + 36 }
        var code = 32
        while code < 42 && Int(ZstdSequenceTable.matchLengthBase[code - 31]) <= ml { code += 1 }
        return code
    }

    private static func encodeSequences(_ sequences: [ZstdSequence], repeats: inout (Int, Int, Int)) -> [UInt8] {
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
            } else {
                value = s.offset + 3
                rep3 = rep2
                rep2 = rep1
                rep1 = s.offset
            }
            ofValues[i] = value
            ofCodes[i] = UInt8(63 - UInt64(value).leadingZeroBitCount)
            llCodes[i] = UInt8(literalsLengthCode(s.literalLength))
            mlCodes[i] = UInt8(matchLengthCode(s.matchLength))
        }
        repeats = (rep1, rep2, rep3)

        let llEnc = ZstdFSEEncoder.literalsLength
        let mlEnc = ZstdFSEEncoder.matchLength
        let ofEnc = ZstdFSEEncoder.offset
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

        var llState = Int(llEnc.initialState[Int(llCodes[n - 1])])
        var mlState = Int(mlEnc.initialState[Int(mlCodes[n - 1])])
        var ofState = Int(ofEnc.initialState[Int(ofCodes[n - 1])])
        writeExtras(n - 1)
        var i = n - 2
        while i >= 0 {
            ofState = ofEnc.encode(Int(ofCodes[i]), from: ofState, into: &writer)
            mlState = mlEnc.encode(Int(mlCodes[i]), from: mlState, into: &writer)
            llState = llEnc.encode(Int(llCodes[i]), from: llState, into: &writer)
            writeExtras(i)
            i -= 1
        }
        writer.write(UInt64(mlState), mlEnc.accuracyLog)
        writer.write(UInt64(ofState), ofEnc.accuracyLog)
        writer.write(UInt64(llState), llEnc.accuracyLog)
        return writer.close()
    }
}
