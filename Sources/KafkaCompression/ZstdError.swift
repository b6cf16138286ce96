/// Why a Zstandard frame could not be decoded.
///
/// Thrown by `Zstd.decompress(_:maxSize:)`. Values are plain data and may cross threads.
public enum ZstdError: Error, Sendable, Equatable {
    /// The input ended before the frame (or one of its sections) was complete, or was empty.
    case truncatedInput
    /// The first four bytes of a frame are neither the Zstandard magic nor a skippable-frame magic.
    case unknownMagic(UInt32)
    /// The frame header sets the reserved bit, which this version of the format forbids.
    case reservedBitSet
    /// The frame names a dictionary; dictionaries are not supported.
    case dictionaryNotSupported(id: UInt32)
    /// Decoding would produce more than the caller's `maxSize` bytes.
    case outputTooLarge(limit: Int)
    /// The frame declared a content size that differs from what its blocks produced.
    case contentSizeMismatch(declared: UInt64, actual: Int)
    /// The content checksum (low 32 bits of XXH64) does not match the decoded data.
    case checksumMismatch(stored: UInt32, computed: UInt32)
    /// A block header uses the reserved block type 3.
    case reservedBlockType
    /// A block is larger than the frame's maximum block size.
    case blockTooLarge
    /// The literals section is malformed (bad sizes, bad Huffman stream, missing previous table).
    case corruptLiterals
    /// A Huffman tree description is malformed.
    case corruptHuffmanTable
    /// An FSE table description is malformed.
    case corruptFSETable
    /// The sequences section is malformed (bad header, bitstream not exactly consumed, ...).
    case corruptSequences
    /// A match refers to data before the start of the frame or beyond the window.
    case invalidOffset
}

extension ZstdError: CustomStringConvertible {
    /// What is wrong with the frame, prefixed "zstd:".
    public var description: String {
        switch self {
        case .truncatedInput: return "zstd: input ends inside a frame"
        case .unknownMagic(let magic): return "zstd: unknown frame magic 0x\(String(magic, radix: 16))"
        case .reservedBitSet: return "zstd: reserved frame header bit is set"
        case .dictionaryNotSupported(let id): return "zstd: frame needs dictionary \(id), dictionaries are not supported"
        case .outputTooLarge(let limit): return "zstd: content exceeds the limit of \(limit) bytes"
        case .contentSizeMismatch(let declared, let actual):
            return "zstd: frame declares \(declared) bytes but holds \(actual)"
        case .checksumMismatch(let stored, let computed):
            return "zstd: content checksum 0x\(String(computed, radix: 16)) does not match stored 0x\(String(stored, radix: 16))"
        case .reservedBlockType: return "zstd: reserved block type"
        case .blockTooLarge: return "zstd: block exceeds the maximum block size"
        case .corruptLiterals: return "zstd: corrupt literals section"
        case .corruptHuffmanTable: return "zstd: corrupt Huffman tree description"
        case .corruptFSETable: return "zstd: corrupt FSE table description"
        case .corruptSequences: return "zstd: corrupt sequences section"
        case .invalidOffset: return "zstd: match offset outside the decoded window"
        }
    }
}
