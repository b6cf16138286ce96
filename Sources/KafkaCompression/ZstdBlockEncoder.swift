/// Codes one compressed block: the literals section, then the sequences section.
/// Pure functions; any thread.
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
        ZstdSequenceEncoder.encode(sequences, repeats: &repeats, into: &body)
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
}
