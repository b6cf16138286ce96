/// Reads Kafka wire primitives from a byte buffer with a sticky error.
///
/// A plain value type: use it on one thread at a time. Reads never trap. The first read that
/// fails (too few bytes, a bad length, a bad varint, bad UTF-8) records a `ProtocolError`
/// and from then on every read returns a zero value without moving; the decoder reads
/// straight through and calls `check()` or `finish()` once at the end. Every length or count
/// is checked against the bytes that remain before anything is allocated.
///
/// `subReader(count:)` hands out a reader over the next bytes that shares the same storage
/// (no copy); offsets in errors are always relative to the start of the whole buffer.
public struct ByteReader: Sendable {
    let storage: [UInt8]
    /// Index of the next byte to read, in `storage`.
    public internal(set) var position: Int
    /// One past the last byte this reader may read, in `storage`.
    public let end: Int
    /// The first failure, if any.
    public internal(set) var error: ProtocolError?

    /// Whether the message being decoded uses the flexible (compact) encodings. Message coders
    /// set it per message; the primitive `read…` methods never look at it.
    public var flexible: Bool = false

    /// A reader over all of `bytes` (no copy).
    public init(_ bytes: [UInt8]) {
        storage = bytes
        position = 0
        end = bytes.count
    }

    /// A reader over `range` of `bytes` (no copy).
    public init(_ bytes: [UInt8], range: Range<Int>) {
        storage = bytes
        position = max(0, min(range.lowerBound, bytes.count))
        end = max(position, min(range.upperBound, bytes.count))
    }

    /// Bytes left to read.
    public var remaining: Int { end - position }
    /// Whether every byte has been read.
    public var isAtEnd: Bool { position >= end }
    /// Whether a read has failed.
    public var failed: Bool { error != nil }

    /// Throws the first recorded failure, if any.
    public func check() throws(ProtocolError) {
        if let error { throw error }
    }

    /// Throws the first recorded failure, or `trailingBytes` if input remains.
    public func finish(_ what: String = "frame") throws(ProtocolError) {
        if let error { throw error }
        if position != end { throw ProtocolError.trailingBytes(what: what, offset: position, count: end - position) }
    }

    /// Records `e` unless an earlier failure is already recorded.
    public mutating func fail(_ e: ProtocolError) {
        if error == nil { error = e }
        position = end
    }

    /// Reserves `n` bytes: returns their start index, or nil (and fails) if they are not there.
    mutating func take(_ n: Int, _ what: StaticString) -> Int? {
        guard error == nil else { return nil }
        guard n >= 0, n <= end - position else {
            fail(.truncated(what: what.description, offset: position, needed: n, available: end - position))
            return nil
        }
        let at = position
        position += n
        return at
    }

    // MARK: Fixed width

    /// An INT8; 0 after a failure.
    public mutating func readInt8(_ what: StaticString = "int8") -> Int8 { Int8(bitPattern: readUInt8(what)) }

    /// An unsigned byte; 0 after a failure.
    public mutating func readUInt8(_ what: StaticString = "uint8") -> UInt8 {
        guard let at = take(1, what) else { return 0 }
        return storage[at]
    }

    /// Any non-zero byte is true, as in Kafka's own reader.
    public mutating func readBool(_ what: StaticString = "boolean") -> Bool { readUInt8(what) != 0 }

    /// A big-endian INT16; 0 after a failure.
    public mutating func readInt16(_ what: StaticString = "int16") -> Int16 { Int16(bitPattern: readUInt16(what)) }

    /// A big-endian UINT16; 0 after a failure.
    public mutating func readUInt16(_ what: StaticString = "uint16") -> UInt16 {
        guard let at = take(2, what) else { return 0 }
        return UInt16(storage[at]) << 8 | UInt16(storage[at + 1])
    }

    /// A big-endian INT32; 0 after a failure.
    public mutating func readInt32(_ what: StaticString = "int32") -> Int32 { Int32(bitPattern: readUInt32(what)) }

    /// A big-endian UINT32; 0 after a failure.
    public mutating func readUInt32(_ what: StaticString = "uint32") -> UInt32 {
        guard let at = take(4, what) else { return 0 }
        return storage.withUnsafeBytes { UInt32(bigEndian: $0.loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
    }

    /// A big-endian INT64; 0 after a failure.
    public mutating func readInt64(_ what: StaticString = "int64") -> Int64 { Int64(bitPattern: readUInt64(what)) }

    /// A big-endian UINT64; 0 after a failure.
    public mutating func readUInt64(_ what: StaticString = "uint64") -> UInt64 {
        guard let at = take(8, what) else { return 0 }
        return storage.withUnsafeBytes { UInt64(bigEndian: $0.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
    }

    /// A big-endian IEEE 754 FLOAT64; 0 after a failure.
    public mutating func readFloat64(_ what: StaticString = "float64") -> Double { Double(bitPattern: readUInt64(what)) }

    /// A UUID (16 bytes); zero after a failure.
    public mutating func readUUID(_ what: StaticString = "uuid") -> KafkaUUID {
        guard take(16, what) != nil else { return .zero }
        position -= 16
        return KafkaUUID(high: readUInt64(what), low: readUInt64(what))
    }

    // MARK: Varints

    /// Unsigned LEB128 varint of at most 5 bytes whose value fits 32 bits.
    public mutating func readUnsignedVarint(_ what: StaticString = "unsigned varint") -> UInt32 {
        let start = position
        let v = readUnsignedVarlong(what, maxBytes: 5)
        guard v <= UInt64(UInt32.max) else {
            fail(.invalidVarint(what: what.description, offset: start))
            return 0
        }
        return UInt32(v)
    }

    /// Unsigned LEB128 varint of at most 10 bytes.
    public mutating func readUnsignedVarlong(_ what: StaticString = "unsigned varlong") -> UInt64 {
        readUnsignedVarlong(what, maxBytes: 10)
    }

    mutating func readUnsignedVarlong(_ what: StaticString, maxBytes: Int) -> UInt64 {
        guard error == nil else { return 0 }
        let start = position
        var result: UInt64 = 0
        var shift: UInt64 = 0
        var i = position
        while true {
            guard i < end else {
                fail(.truncated(what: what.description, offset: start, needed: i - start + 1, available: end - start))
                return 0
            }
            let b = storage[i]
            i += 1
            // The 10th byte of a 64-bit varint may only carry the top bit.
            if shift == 63 && b > 1 {
                fail(.invalidVarint(what: what.description, offset: start))
                return 0
            }
            result |= UInt64(b & 0x7f) << shift
            if b & 0x80 == 0 { break }
            shift += 7
            if i - start >= maxBytes {
                fail(.invalidVarint(what: what.description, offset: start))
                return 0
            }
        }
        position = i
        return result
    }

    /// Zig-zag signed varint.
    public mutating func readVarint(_ what: StaticString = "varint") -> Int32 {
        let u = readUnsignedVarint(what)
        return Int32(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
    }

    /// Zig-zag signed varlong.
    public mutating func readVarlong(_ what: StaticString = "varlong") -> Int64 {
        let u = readUnsignedVarlong(what)
        return Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
    }

    // MARK: Raw bytes and sub-readers

    /// Copies the next `n` bytes out.
    public mutating func readRaw(_ n: Int, _ what: StaticString = "bytes") -> [UInt8] {
        guard let at = take(n, what) else { return [] }
        return Array(storage[at..<(at + n)])
    }

    /// The next `n` bytes as a slice of the shared storage (no copy).
    public mutating func readSlice(_ n: Int, _ what: StaticString = "bytes") -> ArraySlice<UInt8> {
        guard let at = take(n, what) else { return [] }
        return storage[at..<(at + n)]
    }

    /// A reader over the next `n` bytes (no copy); this reader moves past them. On failure the
    /// sub-reader is empty and this reader carries the error.
    public mutating func subReader(count n: Int, _ what: StaticString = "sub-frame") -> ByteReader {
        guard let at = take(n, what) else { return ByteReader(storage, range: end..<end) }
        var sub = ByteReader(storage, range: at..<(at + n))
        sub.flexible = flexible
        return sub
    }

    /// Moves past `n` bytes.
    public mutating func skip(_ n: Int, _ what: StaticString = "skipped bytes") {
        _ = take(n, what)
    }
}
