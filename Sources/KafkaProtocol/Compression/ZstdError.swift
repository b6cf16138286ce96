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
