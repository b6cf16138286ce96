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
        let decoder = ZstdDecoder(limit: limit, expectedSize: 0)
        try input.withUnsafeBufferPointer { buffer throws(ZstdError) in
            try decoder.decodeAll(buffer)
        }
        return decoder.output.toArray()
    }
}
