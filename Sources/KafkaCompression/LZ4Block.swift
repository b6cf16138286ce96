/// The LZ4 block format, pure Swift: sequences of (token, literals, 2-byte offset, match
/// length) with a hash-table encoder and a fully bounds-checked decoder. `LZ4Frame` wraps
/// blocks in the frame format Kafka uses.
///
/// Pure functions; any thread may call them.
public enum LZ4Block {
    static let minMatch = 4
    /// The last 5 bytes are always literals and the last match starts at least 12 bytes
    /// before the end: the format's rules, which let decoders copy in wide words.
    static let lastLiterals = 5
    static let matchFindLimit = 12
    static let maxOffset = 65_535
    static let hashBits = 13

    /// The largest output `compress` can produce for `count` input bytes.
    public static func maxCompressedLength(_ count: Int) -> Int { count + count / 255 + 16 }

    /// Compresses `input` into one LZ4 block.
    public static func compress(_ input: [UInt8]) -> [UInt8] {
        input.withUnsafeBufferPointer { src in
            [UInt8](unsafeUninitializedCapacity: maxCompressedLength(src.count)) { out, written in
                written = compress(src, into: out.baseAddress!)
            }
        }
    }

    @inline(__always)
    static func load32(_ p: UnsafePointer<UInt8>, _ i: Int) -> UInt32 {
        UnsafeRawPointer(p + i).loadUnaligned(as: UInt32.self)
    }

    /// Writes one block for `input` at `dst` (room for `maxCompressedLength` bytes); returns its size.
    static func compress(_ input: UnsafeBufferPointer<UInt8>, into dst: UnsafeMutablePointer<UInt8>) -> Int {
        let n = input.count
        var op = 0
        var anchor = 0
        if n > matchFindLimit, let src = input.baseAddress {
            let table = UnsafeMutablePointer<UInt32>.allocate(capacity: 1 << hashBits)
            defer { table.deallocate() }
            table.initialize(repeating: 0, count: 1 << hashBits)
            @inline(__always) func hash(_ v: UInt32) -> Int { Int((v &* 2_654_435_761) >> UInt32(32 - hashBits)) }
            let limit = n - matchFindLimit
            let matchEnd = n - lastLiterals
            var p = 1
            var skip = 64
            while p < limit {
                let v = load32(src, p)
                let h = hash(v)
                let candidate = Int(table[h])
                table[h] = UInt32(p)
                guard candidate < p, p - candidate <= maxOffset, load32(src, candidate) == v else {
                    p += skip >> 6
                    skip += 1
                    continue
                }
                var length = minMatch
                while p + length + 8 <= matchEnd {
                    let x = UnsafeRawPointer(src + candidate + length).loadUnaligned(as: UInt64.self)
                        ^ UnsafeRawPointer(src + p + length).loadUnaligned(as: UInt64.self)
                    if x != 0 {
                        length += UInt64(littleEndian: x).trailingZeroBitCount >> 3
                        break
                    }
                    length += 8
                }
                if p + length + 8 > matchEnd {
                    while p + length < matchEnd && src[candidate + length] == src[p + length] { length += 1 }
                }
                op = emitSequence(src, anchor, p, offset: p - candidate, matchLength: length, dst, op)
                p += length
                anchor = p
                skip = 64
                if p - 2 < limit { table[hash(load32(src, p - 2))] = UInt32(p - 2) }
            }
        }
        // Last literals: a token with no match.
        let literals = n - anchor
        op = writeToken(literals: literals, match: 0, dst, op)
        if literals > 0, let src = input.baseAddress {
            (dst + op).update(from: src + anchor, count: literals)
        }
        return op + literals
    }

    @inline(__always)
    static func writeToken(literals: Int, match: Int, _ dst: UnsafeMutablePointer<UInt8>, _ opIn: Int) -> Int {
        var op = opIn
        dst[op] = UInt8(min(literals, 15) << 4 | min(match, 15))
        op += 1
        if literals >= 15 { op = writeLength(literals - 15, dst, op) }
        return op
    }

    @inline(__always)
    static func writeLength(_ value: Int, _ dst: UnsafeMutablePointer<UInt8>, _ opIn: Int) -> Int {
        var op = opIn
        var rest = value
        while rest >= 255 {
            dst[op] = 255
            op += 1
            rest -= 255
        }
        dst[op] = UInt8(rest)
        return op + 1
    }

    @inline(__always)
    static func emitSequence(_ src: UnsafePointer<UInt8>, _ anchor: Int, _ p: Int, offset: Int, matchLength: Int,
                             _ dst: UnsafeMutablePointer<UInt8>, _ opIn: Int) -> Int {
        let literals = p - anchor
        let match = matchLength - minMatch
        var op = writeToken(literals: literals, match: match, dst, opIn)
        if literals > 0 {
            (dst + op).update(from: src + anchor, count: literals)
            op += literals
        }
        dst[op] = UInt8(truncatingIfNeeded: offset)
        dst[op + 1] = UInt8(truncatingIfNeeded: offset >> 8)
        op += 2
        if match >= 15 { op = writeLength(match - 15, dst, op) }
        return op
    }

    /// Decompresses one LZ4 block whose output is at most `maxSize` bytes.
    public static func decompress(_ input: [UInt8], maxSize: Int) throws(CompressionError) -> [UInt8] {
        guard maxSize >= 0 else { throw CompressionError.outputTooLarge(.lz4, limit: maxSize) }
        // A block can't expand more than 255 times its size; don't allocate for a bigger claim.
        let capacity = min(maxSize, input.count * 255 + 16)
        var result = DecodeResult.malformed("empty")
        let output = input.withUnsafeBufferPointer { src in
            [UInt8](unsafeUninitializedCapacity: capacity) { out, written in
                result = decode(src, dst: out.baseAddress!, start: 0, capacity: capacity, windowStart: 0)
                if case .ok(let end) = result { written = end } else { written = 0 }
            }
        }
        switch result {
        case .ok: return output
        case .overflow: throw CompressionError.outputTooLarge(.lz4, limit: maxSize)
        case .malformed(let reason): throw CompressionError.malformed(.lz4, reason: reason)
        }
    }

    enum DecodeResult {
        case ok(Int)
        case overflow
        case malformed(String)
    }

    /// Decodes the block in `input` into `dst[start..<capacity]`; matches may reach back to
    /// `windowStart` (earlier blocks of a dependent-block frame). Returns the end position.
    static func decode(_ input: UnsafeBufferPointer<UInt8>, dst: UnsafeMutablePointer<UInt8>,
                       start: Int, capacity: Int, windowStart: Int) -> DecodeResult {
        guard let src = input.baseAddress, input.count > 0 else { return .malformed("empty block") }
        let end = input.count
        var ip = 0
        var op = start
        while true {
            guard ip < end else { return .malformed("truncated sequence") }
            let token = Int(src[ip])
            ip += 1
            var literals = token >> 4
            if literals == 15 {
                guard addLengthBytes(&literals, src, &ip, end: end) else { return .malformed("truncated literal length") }
            }
            guard literals <= end - ip else { return .malformed("literals run past the input") }
            guard literals <= capacity - op else { return .overflow }
            if literals > 0 {
                if literals <= 16 && end - ip >= 16 && capacity - op >= 16 {
                    copy16(from: src + ip, to: dst + op)
                } else {
                    (dst + op).update(from: src + ip, count: literals)
                }
                ip += literals
                op += literals
            }
            if ip == end { return .ok(op) }
            guard ip + 2 <= end else { return .malformed("truncated offset") }
            let offset = Int(src[ip]) | Int(src[ip + 1]) << 8
            ip += 2
            guard offset > 0, offset <= op - windowStart else { return .malformed("match offset out of range") }
            var length = token & 15
            if length == 15 {
                guard addLengthBytes(&length, src, &ip, end: end) else { return .malformed("truncated match length") }
            }
            length += minMatch
            guard length <= capacity - op else { return .overflow }
            copyMatch(dst + op, offset: offset, length: length, room: capacity - op)
            op += length
        }
    }

    /// Adds a length's extension bytes to it (each byte adds its value; 255 means another
    /// follows). False if the input ends first.
    @inline(__always)
    static func addLengthBytes(_ length: inout Int, _ src: UnsafePointer<UInt8>, _ ip: inout Int, end: Int) -> Bool {
        while true {
            guard ip < end else { return false }
            let b = Int(src[ip])
            ip += 1
            length += b
            if b != 255 { return true }
        }
    }
}
