/// Appends Kafka wire primitives to a growing byte buffer.
///
/// A plain value type with no shared state: use it on one thread at a time. All integers are
/// big-endian unless the name says varint. `compact` forms are the flexible-version encodings
/// (unsigned varint length + 1, 0 meaning null). Length prefixes that are only known after
/// the body is written use `reserveInt32()` / `patchInt32(_:at:)` or `beginLength()` /
/// `endLength(_:)`.
///
/// Primitives that can fail (a string too long for its length prefix) throw. As a
/// `WireCoder` the writer keeps the first such failure instead (sticky, like `ByteReader`):
/// a message's `encode(version:into:)` writes straight through and `KafkaFrame` or
/// `encoded(version:)` throws it at the end.
public struct ByteWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8]

    /// The first failure of a field written through `WireCoder`, if any.
    public private(set) var error: ProtocolError?

    /// Whether the message being encoded uses the flexible (compact) encodings. Message coders
    /// set it per message; the primitive `write…` methods never look at it.
    public var flexible: Bool = false

    /// An empty writer with room for `capacity` bytes.
    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Number of bytes written so far.
    public var count: Int { bytes.count }

    /// Makes room for `n` bytes in all.
    public mutating func reserveCapacity(_ n: Int) { bytes.reserveCapacity(n) }

    /// Throws the first failure recorded while coding fields, if any.
    public func check() throws(ProtocolError) {
        if let error { throw error }
    }

    /// Records `e` unless an earlier failure is already recorded.
    public mutating func fail(_ e: ProtocolError) {
        if error == nil { error = e }
    }

    /// Drops everything written from `count` on, and any recorded failure: a frame that
    /// failed to encode leaves a shared buffer as it was before the frame.
    mutating func rollBack(to count: Int) {
        bytes.removeSubrange(min(count, bytes.count)...)
        error = nil
    }

    /// Hands the buffer out and leaves the writer empty, without copying.
    public mutating func take() -> [UInt8] {
        let out = bytes
        bytes = []
        return out
    }

    // MARK: Fixed width

    /// An INT8.
    public mutating func writeInt8(_ v: Int8) { bytes.append(UInt8(bitPattern: v)) }
    /// An unsigned byte.
    public mutating func writeUInt8(_ v: UInt8) { bytes.append(v) }
    /// A BOOLEAN: 1 or 0.
    public mutating func writeBool(_ v: Bool) { bytes.append(v ? 1 : 0) }

    /// A big-endian INT16.
    public mutating func writeInt16(_ v: Int16) { writeUInt16(UInt16(bitPattern: v)) }
    /// A big-endian UINT16.
    public mutating func writeUInt16(_ v: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: v >> 8))
        bytes.append(UInt8(truncatingIfNeeded: v))
    }

    /// A big-endian INT32.
    public mutating func writeInt32(_ v: Int32) { writeUInt32(UInt32(bitPattern: v)) }
    /// A big-endian UINT32.
    public mutating func writeUInt32(_ v: UInt32) {
        withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// A big-endian INT64.
    public mutating func writeInt64(_ v: Int64) { writeUInt64(UInt64(bitPattern: v)) }
    /// A big-endian UINT64.
    public mutating func writeUInt64(_ v: UInt64) {
        withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// A big-endian IEEE 754 FLOAT64.
    public mutating func writeFloat64(_ v: Double) { writeUInt64(v.bitPattern) }

    /// 16 raw bytes (Kafka's UUID type, used for topic ids).
    public mutating func writeUUID(_ v: KafkaUUID) {
        writeUInt64(v.high)
        writeUInt64(v.low)
    }

    /// Bytes as given, with no length prefix.
    public mutating func writeRaw<C: Collection>(_ data: C) where C.Element == UInt8 {
        bytes.append(contentsOf: data)
    }

    // MARK: Varints

    /// Unsigned LEB128 varint (7 bits per byte, low group first).
    public mutating func writeUnsignedVarint(_ v: UInt32) { writeUnsignedVarlong(UInt64(v)) }

    /// Unsigned LEB128 varlong (7 bits per byte, low group first).
    public mutating func writeUnsignedVarlong(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// Zig-zag signed varint (records use these for lengths and deltas).
    public mutating func writeVarint(_ v: Int32) {
        writeUnsignedVarint(UInt32(bitPattern: (v << 1) ^ (v >> 31)))
    }

    /// Zig-zag signed varlong (record timestamp deltas use these).
    public mutating func writeVarlong(_ v: Int64) {
        writeUnsignedVarlong(UInt64(bitPattern: (v << 1) ^ (v >> 63)))
    }

    // MARK: Strings and bytes

    /// INT16 length + UTF-8 (STRING), or compact (COMPACT_STRING: uvarint length + 1).
    /// Throws `stringTooLong`, writing nothing, for a non-compact string over 32,767 bytes:
    /// its length does not fit the prefix, and a cut one would misframe everything after it.
    public mutating func writeString(_ s: String, compact: Bool = false) throws(ProtocolError) {
        var s = s
        let count = s.utf8.count
        if !compact && count > Int(Int16.max) { throw .stringTooLong(length: count) }
        s.withUTF8 { utf8 in
            if compact { writeUnsignedVarint(UInt32(utf8.count + 1)) } else { writeInt16(Int16(utf8.count)) }
            bytes.append(contentsOf: utf8)
        }
    }

    /// NULLABLE_STRING (length -1 for null) or COMPACT_NULLABLE_STRING (0 for null); throws
    /// as `writeString` does.
    public mutating func writeNullableString(_ s: String?, compact: Bool = false) throws(ProtocolError) {
        guard let s else {
            if compact { writeUnsignedVarint(0) } else { writeInt16(-1) }
            return
        }
        try writeString(s, compact: compact)
    }

    /// BYTES (INT32 length) or COMPACT_BYTES (uvarint length + 1).
    public mutating func writeBytes<C: Collection>(_ b: C, compact: Bool = false) where C.Element == UInt8 {
        writeArrayCount(b.count, compact: compact)
        bytes.append(contentsOf: b)
    }

    /// NULLABLE_BYTES (-1 for null) or COMPACT_NULLABLE_BYTES (0 for null).
    public mutating func writeNullableBytes(_ b: [UInt8]?, compact: Bool = false) {
        guard let b else { writeNullCount(compact: compact); return }
        writeBytes(b, compact: compact)
    }

    // MARK: Arrays

    /// The count prefix of an array (or byte string): INT32, or uvarint count + 1 when compact.
    public mutating func writeArrayCount(_ n: Int, compact: Bool) {
        if compact { writeUnsignedVarint(UInt32(truncatingIfNeeded: n + 1)) } else { writeInt32(Int32(truncatingIfNeeded: n)) }
    }

    /// The null marker of a nullable array or byte string: INT32 -1, or uvarint 0 when compact.
    public mutating func writeNullCount(compact: Bool) {
        if compact { writeUnsignedVarint(0) } else { writeInt32(-1) }
    }

    /// Writes a count prefix and then each element with `body`.
    public mutating func writeArray<T>(_ items: [T], compact: Bool, _ body: (inout ByteWriter, T) -> Void) {
        writeArrayCount(items.count, compact: compact)
        for item in items { body(&self, item) }
    }

    /// Like `writeArray`, with nil written as the null marker.
    public mutating func writeNullableArray<T>(_ items: [T]?, compact: Bool, _ body: (inout ByteWriter, T) -> Void) {
        guard let items else { writeNullCount(compact: compact); return }
        writeArray(items, compact: compact, body)
    }

    // MARK: Tagged fields

    /// A tagged-field section: uvarint count, then per field uvarint tag, uvarint size, data.
    /// `fields` must be sorted by tag (the schema requires ascending order).
    public mutating func writeTaggedFields(_ fields: [TaggedField]) {
        writeUnsignedVarint(UInt32(fields.count))
        for f in fields {
            writeUnsignedVarint(f.tag)
            writeUnsignedVarint(UInt32(f.data.count))
            bytes.append(contentsOf: f.data)
        }
    }

    /// The empty tagged-field section (a single zero byte).
    public mutating func writeEmptyTaggedFields() { bytes.append(0) }

    // MARK: Placeholders

    /// Writes a zero INT32 to be filled in later; returns its position.
    public mutating func reserveInt32() -> Int {
        let at = bytes.count
        bytes.append(contentsOf: [0, 0, 0, 0])
        return at
    }

    /// Overwrites the four bytes at `at` (from `reserveInt32`) with `v`.
    public mutating func patchInt32(_ v: Int32, at: Int) { patchUInt32(UInt32(bitPattern: v), at: at) }

    /// Overwrites the four bytes at `at` (from `reserveInt32`) with `v`, big-endian.
    public mutating func patchUInt32(_ v: UInt32, at: Int) {
        bytes[at] = UInt8(truncatingIfNeeded: v >> 24)
        bytes[at + 1] = UInt8(truncatingIfNeeded: v >> 16)
        bytes[at + 2] = UInt8(truncatingIfNeeded: v >> 8)
        bytes[at + 3] = UInt8(truncatingIfNeeded: v)
    }

    /// Appends `n` zero bytes (room for a header written later with `patchBytes`).
    mutating func writeZeros(_ n: Int) {
        bytes.append(contentsOf: repeatElement(0, count: n))
    }

    /// Overwrites the bytes from `at` on with `replacement` (within what was written).
    mutating func patchBytes(_ replacement: [UInt8], at: Int) {
        bytes.replaceSubrange(at..<(at + replacement.count), with: replacement)
    }

    /// Starts an INT32 length prefix covering everything written until `endLength`.
    public mutating func beginLength() -> LengthMark { LengthMark(position: reserveInt32()) }

    /// Fills in the prefix started by `beginLength` with the number of bytes written since.
    public mutating func endLength(_ mark: LengthMark) {
        patchInt32(Int32(truncatingIfNeeded: bytes.count - mark.position - 4), at: mark.position)
    }
}

/// A reserved INT32 length prefix inside a `ByteWriter` (see `beginLength()`).
public struct LengthMark: Sendable {
    /// Where the prefix starts in the writer's bytes.
    public let position: Int
}

/// One entry of a tagged-field section, kept as raw bytes.
public struct TaggedField: Equatable, Hashable, Sendable {
    /// The field's tag number.
    public var tag: UInt32
    /// The field's bytes, as sent.
    public var data: [UInt8]
    /// The field `tag` holding `data`.
    public init(tag: UInt32, data: [UInt8]) {
        self.tag = tag
        self.data = data
    }
}

/// Kafka's UUID type (16 bytes, used for topic ids). All zeroes is the "no id" value.
public struct KafkaUUID: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The first 8 bytes, big-endian.
    public var high: UInt64
    /// The last 8 bytes, big-endian.
    public var low: UInt64
    /// The UUID with these halves.
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }
    /// No id.
    public static let zero = KafkaUUID(high: 0, low: 0)

    /// 32 lower-case hex digits, no dashes.
    public var description: String {
        let h = String(high, radix: 16), l = String(low, radix: 16)
        return String(repeating: "0", count: 16 - h.count) + h + String(repeating: "0", count: 16 - l.count) + l
    }
}
