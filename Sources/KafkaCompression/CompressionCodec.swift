/// The compression codec of a record batch: the value of attribute bits 0..2 (Kafka numbers
/// them 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd).
///
/// Pure value; `compress`/`decompress` are pure functions any thread may call.
public enum CompressionCodec: Int8, Sendable, CaseIterable, CustomStringConvertible {
    case none = 0
    case gzip = 1
    case snappy = 2
    case lz4 = 3
    case zstd = 4

    /// The codec named by the low three bits of a batch's or message's attributes, or nil
    /// for the reserved values 5..7.
    public init?(attributes: Int16) {
        self.init(rawValue: Int8(attributes & 0x07))
    }

    /// The codec's name as Kafka's `compression.type` spells it.
    public var description: String {
        switch self {
        case .none: return "none"
        case .gzip: return "gzip"
        case .snappy: return "snappy"
        case .lz4: return "lz4"
        case .zstd: return "zstd"
        }
    }

    /// Compresses `bytes` the way Kafka clients expect on the wire: gzip members, xerial-framed
    /// snappy (what the Java client writes and every client reads), the LZ4 frame format.
    public func compress(_ bytes: [UInt8]) throws(CompressionError) -> [UInt8] {
        switch self {
        case .none: return bytes
        case .gzip: return try Gzip.compress(bytes)
        case .snappy: return Snappy.compressFramed(bytes)
        case .lz4: return LZ4Frame.compress(bytes)
        case .zstd: return Zstd.compress(bytes)
        }
    }

    /// Decompresses `bytes`, refusing to produce more than `maxSize` bytes. Malformed input
    /// throws; no input makes this trap or loop.
    public func decompress(_ bytes: [UInt8], maxSize: Int) throws(CompressionError) -> [UInt8] {
        var buffers = DecompressionBuffers.none
        return try decompress(bytes, maxSize: maxSize, buffers: &buffers)
    }

    /// Like `decompress(_:maxSize:)`, writing the output into an array kept in `buffers` when
    /// one is free, and keeping the output there for later batches.
    public func decompress(_ bytes: [UInt8], maxSize: Int,
                           buffers: inout DecompressionBuffers) throws(CompressionError) -> [UInt8] {
        let maxSize = max(0, maxSize)
        switch self {
        case .none:
            guard bytes.count <= maxSize else { throw CompressionError.outputTooLarge(self, limit: maxSize) }
            return bytes
        case .gzip: return try Gzip.decompress(bytes, maxSize: maxSize, buffers: &buffers)
        case .snappy: return try Snappy.decompressAny(bytes, maxSize: maxSize, buffers: &buffers)
        case .lz4: return try LZ4Frame.decompress(bytes, maxSize: maxSize, buffers: &buffers)
        case .zstd:
            return try mapErrors(maxSize: maxSize) { try Zstd.decompress(bytes, maxSize: maxSize, buffers: &buffers) }
        }
    }
}

extension CompressionCodec {
    /// Runs a decoder that throws its own error type and reports its failures as
    /// `CompressionError`s of this codec. A result over `maxSize` is reported as such even if
    /// the decoder's own error said something else.
    func mapErrors(maxSize: Int, _ body: () throws -> [UInt8]) throws(CompressionError) -> [UInt8] {
        let output: [UInt8]
        do {
            output = try body()
        } catch let error as CompressionError {
            throw error
        } catch ZstdError.outputTooLarge {
            throw CompressionError.outputTooLarge(self, limit: maxSize)
        } catch {
            throw CompressionError.malformed(self, reason: "\(error)")
        }
        guard output.count <= maxSize else { throw CompressionError.outputTooLarge(self, limit: maxSize) }
        return output
    }
}

extension Array where Element == UInt8 {
    /// Makes room for `extra` more bytes, doubling as appends do but never past `limit` bytes
    /// in all: a decompressor that stops at its limit then holds at most that much, not the
    /// nearly double that plain appends could have reserved on the way.
    @inline(__always)
    mutating func reserve(adding extra: Int, limit: Int) {
        let needed = count + extra
        guard needed > capacity else { return }
        reserveCapacity(Swift.min(Swift.max(needed, capacity * 2), Swift.max(limit, needed)))
    }
}

/// Why compressing or decompressing failed.
public enum CompressionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The codec is not available in this build.
    case unsupportedCodec(CompressionCodec)
    /// The compressed input is not valid for the codec; `reason` says what was wrong.
    case malformed(CompressionCodec, reason: String)
    /// Decompressing would exceed the caller's limit.
    case outputTooLarge(CompressionCodec, limit: Int)
    /// A checksum inside the compressed format did not match.
    case checksumMismatch(CompressionCodec)

    /// What went wrong, with the codec's name.
    public var description: String {
        switch self {
        case .unsupportedCodec(let c): return "\(c) compression is not supported"
        case .malformed(let c, let reason): return "malformed \(c) data: \(reason)"
        case .outputTooLarge(let c, let limit): return "\(c) data decompresses to more than \(limit) bytes"
        case .checksumMismatch(let c): return "\(c) checksum mismatch"
        }
    }
}
