/// Everything that can go wrong while encoding or decoding Kafka wire data.
///
/// Value type, `Sendable`, safe on any thread. Decoders never trap on bad input: they record
/// one of these (see `ByteReader`) and the caller gets it from `check()` / `finish()`.
/// New cases may be added as the codec grows; switch with a `default`.
public enum ProtocolError: Error, Equatable, Hashable, Sendable {
    /// The input ended while reading `what`: `needed` bytes at `offset`, only `available` left.
    case truncated(what: String, offset: Int, needed: Int, available: Int)
    /// A length or count prefix that cannot be right (negative where not allowed, or larger
    /// than the bytes that remain).
    case invalidLength(what: String, offset: Int, length: Int64)
    /// A varint longer than its type allows (more than 5 bytes for 32 bits, 10 for 64).
    case invalidVarint(what: String, offset: Int)
    /// A string whose bytes are not UTF-8.
    case invalidUTF8(what: String, offset: Int)
    /// Bytes left over after a frame was fully decoded.
    case trailingBytes(what: String, offset: Int, count: Int)
    /// We (or the broker) do not support this version of the API.
    case unsupportedVersion(api: ApiKey, version: Int16)
    /// The broker does not offer this API at all (or no version range overlaps ours).
    case unsupportedAPI(ApiKey)
    /// An API key number we do not know.
    case unknownAPI(Int16)
    /// A record batch or message whose checksum does not match its bytes.
    case crcMismatch(topic: String, partition: Int32, offset: Int64, expected: UInt32, actual: UInt32)
    /// A compression codec id we cannot handle.
    case unsupportedCompression(Int)
    /// A record batch that decodes to more than the whole decode budget allows (see
    /// `DecodeBudget`): more than `limit` decompressed bytes, or more than `limit` records and
    /// headers (`what` says which). A decompression bomb, or a budget too small for the data.
    case decodeBudgetExceeded(topic: String, partition: Int32, offset: Int64, what: String, limit: Int)
    /// Structurally invalid data that none of the cases above describe.
    case corrupt(String)
    /// Encoding: a string of `length` UTF-8 bytes where the wire's INT16 length prefix allows
    /// at most 32,767 (non-compact strings; compact ones have no such limit).
    case stringTooLong(length: Int)
}

extension ProtocolError: CustomStringConvertible {
    /// What is wrong and at which byte offset.
    public var description: String {
        switch self {
        case let .truncated(what, offset, needed, available):
            return "truncated reading \(what) at offset \(offset): needed \(needed) bytes, \(available) left"
        case let .invalidLength(what, offset, length):
            return "invalid length \(length) for \(what) at offset \(offset)"
        case let .invalidVarint(what, offset):
            return "invalid varint for \(what) at offset \(offset)"
        case let .invalidUTF8(what, offset):
            return "invalid UTF-8 in \(what) at offset \(offset)"
        case let .trailingBytes(what, offset, count):
            return "\(count) unexpected trailing bytes after \(what) at offset \(offset)"
        case let .unsupportedVersion(api, version):
            return "unsupported version \(version) of \(api)"
        case let .unsupportedAPI(api):
            return "the broker does not support \(api) in any version we speak"
        case let .unknownAPI(key):
            return "unknown API key \(key)"
        case let .crcMismatch(topic, partition, offset, expected, actual):
            return "CRC mismatch in \(topic)[\(partition)] at offset \(offset): expected \(expected), computed \(actual)"
        case let .unsupportedCompression(codec):
            return "unsupported compression codec \(codec)"
        case let .decodeBudgetExceeded(topic, partition, offset, what, limit):
            return "the batch at offset \(offset) in \(topic)[\(partition)] decodes to more than \(limit) \(what), "
                + "its decode budget (a decompression bomb, or a budget too small for it)"
        case let .corrupt(message):
            return "corrupt data: \(message)"
        case let .stringTooLong(length):
            return "a string of \(length) bytes is longer than the \(Int16.max) a non-compact Kafka string holds"
        }
    }
}

extension ProtocolError {
    /// The same error with `prefix` in front of what was being read (e.g. the message type
    /// and version), so a failure deep inside a frame names where it happened.
    public func inContext(_ prefix: String) -> ProtocolError {
        switch self {
        case let .truncated(what, offset, needed, available):
            return .truncated(what: "\(prefix) \(what)", offset: offset, needed: needed, available: available)
        case let .invalidLength(what, offset, length):
            return .invalidLength(what: "\(prefix) \(what)", offset: offset, length: length)
        case let .invalidVarint(what, offset):
            return .invalidVarint(what: "\(prefix) \(what)", offset: offset)
        case let .invalidUTF8(what, offset):
            return .invalidUTF8(what: "\(prefix) \(what)", offset: offset)
        default:
            return self
        }
    }
}
