/// Why a jute frame could not be read.
public enum JuteError: Error, Equatable, Sendable {
    /// The frame ended before a field it promised (`needed` more bytes at `offset`).
    case truncated(offset: Int, needed: Int)
    /// A length or count that can't be right (negative where not allowed, or larger than the frame).
    case badLength(offset: Int, length: Int32)
    /// A string that is not valid UTF-8.
    case badUTF8(offset: Int)
}

/// Reads jute primitives from one frame with a sticky error: after the first failure every read
/// returns a zero value and `error` keeps the first cause, so decoders read straight through and
/// check once at the end. Lengths are checked against the remaining bytes before anything is
/// allocated, so a hostile length can't make us reserve memory.
///
/// A plain value type with no I/O; any thread.
public struct JuteReader: Sendable {
    /// The whole frame.
    public let bytes: [UInt8]
    /// Where the next read starts.
    public private(set) var offset: Int
    /// The first failure, if any; once set, every read returns a zero value.
    public private(set) var error: JuteError?

    /// A reader over `bytes`, starting at `offset`.
    public init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    /// The bytes left after `offset`.
    public var remaining: Int { bytes.count - offset }
    /// Whether every byte has been read.
    public var isAtEnd: Bool { offset >= bytes.count }

    private mutating func take(_ count: Int) -> Bool {
        guard error == nil else { return false }
        guard count <= remaining else {
            error = .truncated(offset: offset, needed: count - remaining)
            return false
        }
        return true
    }

    /// A big-endian `int`; 0 after a failure.
    public mutating func readInt32() -> Int32 { Int32(bitPattern: readBigEndian(UInt32.self)) }

    /// A big-endian `long`; 0 after a failure.
    public mutating func readInt64() -> Int64 { Int64(bitPattern: readBigEndian(UInt64.self)) }

    private mutating func readBigEndian<T: FixedWidthInteger & UnsignedInteger>(_: T.Type) -> T {
        let size = MemoryLayout<T>.size
        guard take(size) else { return 0 }
        var v: T = 0
        for i in 0..<size { v = v << 8 | T(bytes[offset + i]) }
        offset += size
        return v
    }

    /// A `boolean` byte (anything but 0 is true); false after a failure.
    public mutating func readBool() -> Bool {
        guard take(1) else { return false }
        defer { offset += 1 }
        return bytes[offset] != 0
    }

    /// A jute `buffer`; length -1 reads as nil.
    public mutating func readBuffer() -> [UInt8]? {
        let at = offset
        let length = readInt32()
        guard error == nil else { return nil }
        if length == -1 { return nil }
        guard length >= 0, Int(length) <= remaining else {
            error = .badLength(offset: at, length: length)
            return nil
        }
        defer { offset += Int(length) }
        return Array(bytes[offset..<offset + Int(length)])
    }

    /// A jute `ustring`; length -1 reads as nil.
    public mutating func readString() -> String? {
        let at = offset
        guard let raw = readBuffer() else { return nil }
        guard let s = String(validating: raw, as: UTF8.self) else {
            if error == nil { error = .badUTF8(offset: at) }
            return nil
        }
        return s
    }

    /// A jute `vector<ustring>`; count -1 reads as an empty list (the server never sends null).
    public mutating func readStringVector() -> [String] {
        readVector(minimumElementSize: 4) { $0.readString() ?? "" }
    }

    /// Reads a count then `count` elements; the count is checked against the bytes left
    /// (each element needs at least `minimumElementSize` bytes) before reserving.
    public mutating func readVector<T>(minimumElementSize: Int,
                                       _ element: (inout JuteReader) -> T) -> [T] {
        let at = offset
        let count = readInt32()
        guard error == nil, count != -1 else { return [] }
        guard count >= 0, Int(count) <= remaining / max(1, minimumElementSize) else {
            error = .badLength(offset: at, length: count)
            return []
        }
        var out: [T] = []
        out.reserveCapacity(Int(count))
        for _ in 0..<count {
            let value = element(&self)
            if error != nil { return [] }
            out.append(value)
        }
        return out
    }

    /// Reads one trailing byte if present (e.g. the connect response's optional read-only flag).
    public mutating func readOptionalBool() -> Bool? {
        guard error == nil, remaining >= 1 else { return nil }
        return readBool()
    }

    /// Records `e` as the failure unless one is already recorded (the first cause wins).
    public mutating func fail(_ e: JuteError) {
        if error == nil { error = e }
    }
}
