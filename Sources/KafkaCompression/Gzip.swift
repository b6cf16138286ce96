import CZlib

/// gzip through the system zlib: `deflate` with a gzip wrapper, `inflate` that auto-detects
/// gzip or zlib and reads concatenated gzip members (Java's `GZIPInputStream` does too).
///
/// Pure functions; any thread may call them.
public enum Gzip {
    /// Window bits: 15 plus 16 writes a gzip header, plus 32 auto-detects gzip/zlib on read.
    static let writeWindowBits: Int32 = 15 + 16
    static let readWindowBits: Int32 = 15 + 32
    static let chunk = 64 * 1024

    /// Compresses `bytes` into one gzip member at zlib's default level.
    public static func compress(_ bytes: [UInt8], level: Int32 = Z_DEFAULT_COMPRESSION) throws(CompressionError) -> [UInt8] {
        var stream = z_stream()
        let initStatus = deflateInit2_(&stream, level, Z_DEFLATED, writeWindowBits, 8, Z_DEFAULT_STRATEGY,
                                       zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard initStatus == Z_OK else { throw CompressionError.malformed(.gzip, reason: "deflateInit2 failed (\(initStatus))") }
        defer { deflateEnd(&stream) }
        var output = [UInt8]()
        output.reserveCapacity(Int(deflateBound(&stream, uLong(bytes.count))))
        var status = Z_OK
        let scratch = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: chunk)
        defer { scratch.deallocate() }
        bytes.withUnsafeBufferPointer { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.avail_in = uInt(input.count)
            repeat {
                stream.next_out = scratch.baseAddress
                stream.avail_out = uInt(scratch.count)
                status = deflate(&stream, Z_FINISH)
                output.append(contentsOf: UnsafeBufferPointer(rebasing: scratch[0..<(scratch.count - Int(stream.avail_out))]))
            } while status == Z_OK
        }
        guard status == Z_STREAM_END else { throw CompressionError.malformed(.gzip, reason: "deflate failed (\(status))") }
        return output
    }

    /// Decompresses gzip (or zlib) data, one or more members, up to `maxSize` bytes of output.
    public static func decompress(_ bytes: [UInt8], maxSize: Int) throws(CompressionError) -> [UInt8] {
        var buffers = DecompressionBuffers.none
        return try decompress(bytes, maxSize: maxSize, buffers: &buffers)
    }

    /// Like `decompress(_:maxSize:)`, appending to an array kept in `buffers` when one is free
    /// and large enough for the size the last member's trailer gives (a hint: the appends
    /// still count every byte against `maxSize`).
    public static func decompress(_ bytes: [UInt8], maxSize: Int,
                                  buffers: inout DecompressionBuffers) throws(CompressionError) -> [UInt8] {
        let maxSize = max(0, maxSize)
        var stream = z_stream()
        let initStatus = inflateInit2_(&stream, readWindowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard initStatus == Z_OK else { throw CompressionError.malformed(.gzip, reason: "inflateInit2 failed (\(initStatus))") }
        defer { inflateEnd(&stream) }
        // Compressed input rarely expands less than 2x; start there and let appends grow it.
        // A kept array is taken only by the size a gzip trailer states (ISIZE, the last
        // member's size modulo 2^32), which then costs no allocation whatever it claims.
        let fresh = min(maxSize, bytes.count * 3)
        var output = buffers.appendable(capacity: min(maxSize, trailerSize(bytes) ?? fresh), fresh: fresh)
        // No larger than the limit allows (one more byte notices going over): a small batch
        // under a small budget should not cost a 64 KiB buffer.
        let scratch = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: min(chunk, maxSize + 1))
        defer { scratch.deallocate() }
        var failure: CompressionError?
        bytes.withUnsafeBufferPointer { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.avail_in = uInt(input.count)
            while true {
                var status = Z_OK
                stream.next_out = scratch.baseAddress
                stream.avail_out = uInt(scratch.count)
                status = inflate(&stream, Z_NO_FLUSH)
                let produced = scratch.count - Int(stream.avail_out)
                if output.count + produced > maxSize {
                    failure = .outputTooLarge(.gzip, limit: maxSize)
                    return
                }
                output.reserve(adding: produced, limit: maxSize)
                output.append(contentsOf: UnsafeBufferPointer(rebasing: scratch[0..<produced]))
                if status == Z_STREAM_END {
                    // Another member may follow; anything else after the end is garbage.
                    if stream.avail_in == 0 { return }
                    if inflateReset(&stream) != Z_OK {
                        failure = .malformed(.gzip, reason: "inflateReset failed")
                        return
                    }
                    continue
                }
                if status == Z_BUF_ERROR && stream.avail_in == 0 {
                    failure = .malformed(.gzip, reason: "truncated stream")
                    return
                }
                if status != Z_OK {
                    failure = .malformed(.gzip, reason: "inflate failed (\(status))")
                    return
                }
            }
        }
        if let failure { throw failure }
        return buffers.keepAndHandOut(output)
    }

    /// The size the trailer of gzip data says its (last) member decompresses to; nil for
    /// anything else (zlib data, or too short to hold a trailer).
    static func trailerSize(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 18, bytes[0] == 0x1F, bytes[1] == 0x8B else { return nil }
        let n = bytes.count
        return Int(bytes[n - 4]) | Int(bytes[n - 3]) << 8 | Int(bytes[n - 2]) << 16 | Int(bytes[n - 1]) << 24
    }
}
