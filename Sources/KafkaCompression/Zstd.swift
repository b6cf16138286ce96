/// Zstandard (RFC 8878) compression in pure Swift, for Kafka record batches with
/// `compression.type=zstd`.
///
/// Stateless; both functions may be called from any thread.
public enum Zstd {
    /// Compresses `input` into one Zstandard frame with the content size and an XXH64
    /// content checksum. `level` trades speed for ratio (1 fastest, 19 strongest).
    public static func compress(_ input: [UInt8], level: Int = 3) -> [UInt8] {
        ZstdEncoder(level: level).compress(input)
    }

    /// Decompresses every frame in `input` (skippable frames are skipped) and returns the
    /// concatenated content. Throws a `ZstdError` for malformed input, for frames that need a
    /// dictionary, or when the content would exceed `maxSize` bytes.
    public static func decompress(_ input: [UInt8], maxSize: Int) throws -> [UInt8] {
        var buffers = DecompressionBuffers.none
        return try decompress(input, maxSize: maxSize, buffers: &buffers)
    }

    /// Like `decompress(_:maxSize:)`; a frame that declares its size, or whose blocks bound
    /// it, is decoded into an array kept in `buffers` when one is free.
    public static func decompress(_ input: [UInt8], maxSize: Int, buffers: inout DecompressionBuffers) throws -> [UInt8] {
        let limit = max(0, maxSize)
        if let declared = input.withUnsafeBufferPointer({ ZstdDecoder.declaredContentSize($0) ?? ZstdDecoder.contentBound($0) }),
           declared <= UInt64(limit),
           declared <= UInt64(max(1 << 20, input.count.multipliedReportingOverflow(by: 64).partialValue)) {
            // The usual Kafka batch is one frame that declares its size (or whose block headers
            // bound it, when the producer streamed it): decode straight into the result. Should
            // the input hold more than that (further frames), decode again the general way.
            let size = Int(declared)
            var outgrown = false
            do throws(ZstdError) {
                return try buffers.fill(capacity: size + ZstdOutputBuffer.slack) { (buffer) throws(ZstdError) -> Int in
                    let output = ZstdOutputBuffer(borrowing: buffer.baseAddress!, capacity: size, limit: limit)
                    let decoder = ZstdDecoder(output: output)
                    do throws(ZstdError) {
                        try input.withUnsafeBufferPointer { bytes throws(ZstdError) in
                            try decoder.decodeAll(bytes)
                        }
                    } catch {
                        outgrown = output.outgrown
                        throw error
                    }
                    return output.count
                }
            } catch where !outgrown {
                throw error
            } catch {}
        }
        let decoder = ZstdDecoder(limit: limit, expectedSize: 0)
        try input.withUnsafeBufferPointer { buffer throws(ZstdError) in
            try decoder.decodeAll(buffer)
        }
        return decoder.output.toArray()
    }
}
