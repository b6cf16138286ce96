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
        let limit = max(0, maxSize)
        if let declared = input.withUnsafeBufferPointer(ZstdDecoder.declaredContentSize),
           declared <= UInt64(limit),
           declared <= UInt64(max(1 << 20, input.count.multipliedReportingOverflow(by: 64).partialValue)) {
            // The usual Kafka batch is one frame that declares its size: decode straight into
            // the result. Should the input hold more than that (further frames), decode again
            // the general way.
            let size = Int(declared)
            var failure: ZstdError?
            var outgrown = false
            let result = [UInt8](unsafeUninitializedCapacity: size + ZstdOutputBuffer.slack) { buffer, initialized in
                let output = ZstdOutputBuffer(borrowing: buffer.baseAddress!, capacity: size, limit: limit)
                let decoder = ZstdDecoder(output: output)
                do throws(ZstdError) {
                    try input.withUnsafeBufferPointer { bytes throws(ZstdError) in
                        try decoder.decodeAll(bytes)
                    }
                    initialized = output.count
                } catch {
                    failure = error
                    outgrown = output.outgrown
                    initialized = 0
                }
            }
            if let failure, !outgrown { throw failure }
            if failure == nil { return result }
        }
        let decoder = ZstdDecoder(limit: limit, expectedSize: 0)
        try input.withUnsafeBufferPointer { buffer throws(ZstdError) in
            try decoder.decodeAll(buffer)
        }
        return decoder.output.toArray()
    }
}
