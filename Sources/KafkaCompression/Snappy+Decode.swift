extension Snappy {
    /// Decompresses one raw snappy block, refusing outputs over `maxSize` bytes.
    public static func decompress(_ input: [UInt8], maxSize: Int) throws(CompressionError) -> [UInt8] {
        try input.withUnsafeBufferPointer { (buffer) throws(CompressionError) -> [UInt8] in
            try decompress(buffer, maxSize: maxSize)
        }
    }

    /// Decompresses one raw snappy block held in `input`, refusing outputs over `maxSize` bytes.
    public static func decompress(_ input: UnsafeBufferPointer<UInt8>, maxSize: Int) throws(CompressionError) -> [UInt8] {
        var buffers = DecompressionBuffers.none
        return try decompress(input, maxSize: maxSize, buffers: &buffers)
    }

    /// Like `decompress(_:maxSize:)`, into an array kept in `buffers` when one is free.
    public static func decompress(_ input: UnsafeBufferPointer<UInt8>, maxSize: Int,
                                  buffers: inout DecompressionBuffers) throws(CompressionError) -> [UInt8] {
        let (length, ip) = try statedLength(input, maxSize: maxSize)
        return try buffers.fill(capacity: length) { (out) throws(CompressionError) -> Int in
            if let failure = decodeElements(input, from: ip, into: out) { throw malformed(failure) }
            return length
        }
    }

    /// The length a raw block's preamble states, and where its elements start; throws what
    /// `decompress` throws for a bad or too large one.
    static func statedLength(_ input: UnsafeBufferPointer<UInt8>,
                             maxSize: Int) throws(CompressionError) -> (length: Int, elements: Int) {
        var ip = 0
        var length = 0
        var shift = 0
        while true {
            guard ip < input.count, shift <= 28 else { throw malformed("bad length preamble") }
            let byte = input[ip]
            ip += 1
            length |= Int(byte & 0x7F) << shift
            if byte & 0x80 == 0 { break }
            shift += 7
        }
        guard length <= UInt32.max else { throw malformed("bad length preamble") }
        guard length <= maxSize else { throw CompressionError.outputTooLarge(.snappy, limit: maxSize) }
        // No element expands more than 64 bytes from 3: a larger claim is a lie; refuse before allocating.
        guard length <= (input.count - ip) * 22 else { throw malformed("length exceeds what the input can hold") }
        return (length, ip)
    }

    static func malformed(_ reason: String) -> CompressionError { .malformed(.snappy, reason: reason) }

    /// Decodes elements until the input ends; the output must then be exactly full.
    /// Returns a reason on failure.
    static func decodeElements(_ input: UnsafeBufferPointer<UInt8>, from start: Int,
                               into out: UnsafeMutableBufferPointer<UInt8>) -> String? {
        guard let src = input.baseAddress else { return out.isEmpty ? nil : "empty input" }
        let end = input.count
        let n = out.count
        var ip = start
        var op = 0
        while ip < end {
            let tag = src[ip]
            ip += 1
            var length: Int
            var offset: Int
            switch tag & 3 {
            case 0:
                length = Int(tag >> 2)
                if length >= 60 {
                    let extra = length - 59
                    guard ip + extra <= end else { return "truncated literal length" }
                    length = 0
                    for i in 0..<extra { length |= Int(src[ip + i]) << (8 * i) }
                    ip += extra
                }
                length += 1
                guard length <= end - ip else { return "literal runs past the input" }
                guard length <= n - op else { return "literal runs past the stated length" }
                if length <= 16 && end - ip >= 16 && n - op >= 16 {
                    // Short literal with slack on both sides: two wide moves beat a memmove call.
                    copy16(from: src + ip, to: out.baseAddress! + op)
                } else {
                    (out.baseAddress! + op).update(from: src + ip, count: length)
                }
                ip += length
                op += length
                continue
            case 1:
                guard ip < end else { return "truncated copy" }
                length = 4 + Int((tag >> 2) & 7)
                offset = Int(tag >> 5) << 8 | Int(src[ip])
                ip += 1
            case 2:
                guard ip + 2 <= end else { return "truncated copy" }
                length = 1 + Int(tag >> 2)
                offset = Int(src[ip]) | Int(src[ip + 1]) << 8
                ip += 2
            default:
                guard ip + 4 <= end else { return "truncated copy" }
                length = 1 + Int(tag >> 2)
                offset = Int(src[ip]) | Int(src[ip + 1]) << 8 | Int(src[ip + 2]) << 16 | Int(src[ip + 3]) << 24
                ip += 4
            }
            guard offset > 0, offset <= op else { return "copy offset out of range" }
            guard length <= n - op else { return "copy runs past the stated length" }
            copyMatch(out.baseAddress! + op, offset: offset, length: length, room: n - op)
            op += length
        }
        return op == n ? nil : "output shorter than the stated length"
    }
}

/// Copies 16 bytes with two unaligned 8-byte moves.
@inline(__always)
func copy16(from src: UnsafePointer<UInt8>, to dst: UnsafeMutablePointer<UInt8>) {
    let raw = UnsafeRawPointer(src)
    let a = raw.loadUnaligned(as: UInt64.self)
    let b = raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
    UnsafeMutableRawPointer(dst).storeBytes(of: a, as: UInt64.self)
    UnsafeMutableRawPointer(dst).storeBytes(of: b, toByteOffset: 8, as: UInt64.self)
}

/// A back-reference (snappy's copy, LZ4's match): `length` bytes from `offset` bytes back,
/// written at `dst`, which has `room` bytes of space (at least `length`).
@inline(__always)
func copyMatch(_ dst: UnsafeMutablePointer<UInt8>, offset: Int, length: Int, room: Int) {
    if offset >= 8 && room >= length + 8 {
        wideCopy(dst, offset: offset, length: length)
    } else if offset >= length {
        dst.update(from: dst - offset, count: length)
    } else {
        // An overlapping copy repeats the last `offset` bytes: it must go forward byte by byte.
        for i in 0..<length { dst[i] = dst[i - offset] }
    }
}

/// A back-reference copy of `length` bytes from `offset` (at least 8) bytes back, 8 bytes at a
/// time; may write up to 7 bytes past `length`, which the caller has room for. With
/// `offset >= 8` each 8-byte read only covers bytes already written.
@inline(__always)
func wideCopy(_ dst: UnsafeMutablePointer<UInt8>, offset: Int, length: Int) {
    let d = UnsafeMutableRawPointer(dst)
    let s = UnsafeRawPointer(dst - offset)
    var i = 0
    while i < length {
        d.storeBytes(of: s.loadUnaligned(fromByteOffset: i, as: UInt64.self), toByteOffset: i, as: UInt64.self)
        i += 8
    }
}
