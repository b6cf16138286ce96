/// The xerial snappy-java stream framing that Kafka's Java client writes for snappy batches:
/// an 8-byte magic (0x82 "SNAPPY" 0), a version and a compatible-version int32, then chunks
/// of `[int32 big-endian length][raw snappy block]`.
extension Snappy {
    static let xerialMagic: [UInt8] = [0x82, 0x53, 0x4E, 0x41, 0x50, 0x50, 0x59, 0x00]
    static let xerialHeaderSize = 16
    /// snappy-java's default chunk size.
    public static let xerialBlockSize = 32 * 1024

    /// Compresses into xerial framing (what Java, kafka-python and librdkafka all read).
    public static func compressFramed(_ input: [UInt8], blockSize: Int = xerialBlockSize) -> [UInt8] {
        let blocks = max(1, (input.count + blockSize - 1) / blockSize)
        let capacity = xerialHeaderSize + blocks * 4 + blocks * maxCompressedLength(blockSize)
        return input.withUnsafeBufferPointer { src in
            [UInt8](unsafeUninitializedCapacity: capacity) { out, written in
                let dst = out.baseAddress!
                for i in 0..<8 { dst[i] = xerialMagic[i] }
                // version 1, compatible version 1
                for (i, b) in [0, 0, 0, 1, 0, 0, 0, 1].enumerated() { dst[8 + i] = UInt8(b) }
                var op = xerialHeaderSize
                var start = 0
                while start < src.count {
                    let end = min(start + blockSize, src.count)
                    let chunk = UnsafeBufferPointer(rebasing: src[start..<end])
                    let n = compressRaw(chunk, into: dst + op + 4)
                    dst[op] = UInt8(truncatingIfNeeded: n >> 24)
                    dst[op + 1] = UInt8(truncatingIfNeeded: n >> 16)
                    dst[op + 2] = UInt8(truncatingIfNeeded: n >> 8)
                    dst[op + 3] = UInt8(truncatingIfNeeded: n)
                    op += 4 + n
                    start = end
                }
                written = op
            }
        }
    }

    /// True if `input` starts with the xerial magic.
    public static func isXerialFramed(_ input: [UInt8]) -> Bool {
        input.count >= xerialMagic.count && input[0..<xerialMagic.count].elementsEqual(xerialMagic)
    }

    /// Decompresses either a xerial-framed stream or a raw snappy block (told apart by the magic).
    public static func decompressAny(_ input: [UInt8], maxSize: Int) throws(CompressionError) -> [UInt8] {
        var buffers = DecompressionBuffers.none
        return try decompressAny(input, maxSize: maxSize, buffers: &buffers)
    }

    /// Like `decompressAny(_:maxSize:)`, into an array kept in `buffers` when one is free. A
    /// xerial stream whose chunks all state good lengths, within `maxSize` in all, is decoded
    /// chunk by chunk straight into one output of their sum; any other goes the chunk-by-chunk
    /// way, which fails where and how it always did.
    public static func decompressAny(_ input: [UInt8], maxSize: Int,
                                     buffers: inout DecompressionBuffers) throws(CompressionError) -> [UInt8] {
        guard isXerialFramed(input) else {
            return try input.withUnsafeBufferPointer { (raw) throws(CompressionError) -> [UInt8] in
                try decompress(raw, maxSize: maxSize, buffers: &buffers)
            }
        }
        return try input.withUnsafeBufferPointer { (src) throws(CompressionError) -> [UInt8] in
            guard src.count >= xerialHeaderSize else { throw malformed("truncated xerial header") }
            if let total = xerialContentSize(src, maxSize: maxSize) {
                return try buffers.fill(capacity: total) { (out) throws(CompressionError) -> Int in
                    var ip = xerialHeaderSize
                    var op = 0
                    while ip < src.count {
                        let length = xerialChunkLength(src, at: ip)
                        let chunk = UnsafeBufferPointer(rebasing: src[(ip + 4)..<(ip + 4 + length)])
                        let (n, elements) = try statedLength(chunk, maxSize: total - op)
                        if let failure = decodeElements(chunk, from: elements,
                                                        into: UnsafeMutableBufferPointer(rebasing: out[op..<(op + n)])) {
                            throw malformed(failure)
                        }
                        op += n
                        ip += 4 + length
                    }
                    return op
                }
            }
            var output = [UInt8]()
            var ip = xerialHeaderSize
            while ip < src.count {
                guard ip + 4 <= src.count else { throw malformed("truncated xerial chunk length") }
                let length = xerialChunkLength(src, at: ip)
                ip += 4
                guard length <= src.count - ip else { throw malformed("xerial chunk runs past the input") }
                let chunk: [UInt8]
                do throws(CompressionError) {
                    chunk = try decompress(UnsafeBufferPointer(rebasing: src[ip..<(ip + length)]),
                                           maxSize: maxSize - output.count)
                } catch {
                    if case .outputTooLarge = error { throw CompressionError.outputTooLarge(.snappy, limit: maxSize) }
                    throw error
                }
                output.reserve(adding: chunk.count, limit: maxSize)
                output.append(contentsOf: chunk)
                ip += length
            }
            return output
        }
    }

    /// The big-endian length of the xerial chunk at `at` (four bytes there must exist).
    static func xerialChunkLength(_ src: UnsafeBufferPointer<UInt8>, at ip: Int) -> Int {
        Int(src[ip]) << 24 | Int(src[ip + 1]) << 16 | Int(src[ip + 2]) << 8 | Int(src[ip + 3])
    }

    /// What the chunks of a xerial stream state they hold, when every chunk lies within the
    /// input and states a good length and the lengths add up to at most `maxSize`; nil
    /// otherwise.
    static func xerialContentSize(_ src: UnsafeBufferPointer<UInt8>, maxSize: Int) -> Int? {
        var ip = xerialHeaderSize
        var total = 0
        while ip < src.count {
            guard ip + 4 <= src.count else { return nil }
            let length = xerialChunkLength(src, at: ip)
            ip += 4
            guard length <= src.count - ip,
                  let stated = try? statedLength(UnsafeBufferPointer(rebasing: src[ip..<(ip + length)]), maxSize: maxSize - total)
            else { return nil }
            total += stated.length
            ip += length
        }
        return total
    }
}
