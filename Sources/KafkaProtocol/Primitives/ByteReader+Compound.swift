// Strings, byte strings, arrays and tagged fields on top of the fixed-width reads. Every
// length is validated against the remaining bytes before anything is allocated.

extension ByteReader {
    // MARK: Lengths

    /// Reads an INT16 string length (or compact uvarint length + 1). Returns nil for null
    /// (-1 / 0), and fails on lengths below -1 or past the end.
    mutating func readStringLength(compact: Bool, _ what: StaticString) -> Int? {
        let start = position
        guard let n = readLengthPrefix(compact: compact, int32: false, what) else { return nil }
        guard n >= 0, n <= remaining else {
            fail(.invalidLength(what: what.description, offset: start, length: Int64(n)))
            return nil
        }
        return n
    }

    /// Reads an INT32 byte-string or array count (or compact uvarint count + 1). Returns nil
    /// for null, and fails unless `count * minElementSize` fits in the remaining bytes.
    public mutating func readArrayCount(compact: Bool, minElementSize: Int = 1,
                                        _ what: StaticString = "array count") -> Int? {
        let start = position
        guard let n = readLengthPrefix(compact: compact, int32: true, what) else { return nil }
        guard n >= 0, n.multipliedReportingOverflow(by: max(minElementSize, 0)).partialValue <= remaining else {
            fail(.invalidLength(what: what.description, offset: start, length: Int64(n)))
            return nil
        }
        return n
    }

    /// The length or count in front of a string, byte string or array, unchecked: a uvarint
    /// holding n + 1 when `compact`, else an INT32 or INT16. Nil for null (and after a failed
    /// read); other negative values are left for the caller to reject.
    private mutating func readLengthPrefix(compact: Bool, int32: Bool, _ what: StaticString) -> Int? {
        if compact {
            let raw = readUnsignedVarint(what)
            return error != nil || raw == 0 ? nil : Int(raw) - 1
        }
        let raw = int32 ? Int(readInt32(what)) : Int(readInt16(what))
        return error != nil || raw == -1 ? nil : raw
    }

    // MARK: Strings

    /// STRING or COMPACT_STRING. A null here reads as "" (lenient, as the data is unusable
    /// either way and the frame stays decodable).
    public mutating func readString(compact: Bool = false, _ what: StaticString = "string") -> String {
        readNullableString(compact: compact, what) ?? ""
    }

    /// NULLABLE_STRING or COMPACT_NULLABLE_STRING.
    public mutating func readNullableString(compact: Bool = false, _ what: StaticString = "string") -> String? {
        guard let n = readStringLength(compact: compact, what) else { return nil }
        let at = position
        position += n
        return storage.withUnsafeBufferPointer { buf -> String? in
            let utf8 = UnsafeBufferPointer(rebasing: buf[at..<(at + n)])
            if let s = String(validating: utf8, as: UTF8.self) { return s }
            fail(.invalidUTF8(what: what.description, offset: at))
            return nil
        }
    }

    // MARK: Byte strings

    /// BYTES or COMPACT_BYTES (null reads as empty).
    public mutating func readBytes(compact: Bool = false, _ what: StaticString = "bytes") -> [UInt8] {
        readNullableBytes(compact: compact, what) ?? []
    }

    /// NULLABLE_BYTES or COMPACT_NULLABLE_BYTES.
    public mutating func readNullableBytes(compact: Bool = false, _ what: StaticString = "bytes") -> [UInt8]? {
        guard let n = readArrayCount(compact: compact, what) else { return nil }
        return readRaw(n, what)
    }

    /// The `length` bytes after a length prefix read at `lengthAt`, the record formats' way
    /// (-1: null); fails on any other negative length.
    mutating func readSized(length: Int, lengthAt start: Int, _ what: StaticString) -> [UInt8]? {
        if length == -1 { return nil }
        guard length >= 0 else {
            fail(.invalidLength(what: what.description, offset: start, length: Int64(length)))
            return nil
        }
        return readRaw(length, what)
    }

    // MARK: Arrays

    /// ARRAY or COMPACT_ARRAY. `minElementSize` tightens the count check (e.g. 4 for INT32
    /// elements). Stops at the first failed element. Null reads as empty.
    public mutating func readArray<T>(compact: Bool, minElementSize: Int = 1, _ what: StaticString = "array",
                                      _ element: (inout ByteReader) -> T) -> [T] {
        readNullableArray(compact: compact, minElementSize: minElementSize, what, element) ?? []
    }

    /// Nullable ARRAY or COMPACT_ARRAY.
    public mutating func readNullableArray<T>(compact: Bool, minElementSize: Int = 1, _ what: StaticString = "array",
                                              _ element: (inout ByteReader) -> T) -> [T]? {
        guard let n = readArrayCount(compact: compact, minElementSize: minElementSize, what) else { return nil }
        var out: [T] = []
        // The count is only checked against wire bytes, and one wire byte may decode into a
        // struct a hundred times its size: reserve no more memory than the remaining bytes,
        // so a hostile count cannot multiply the frame; honest large arrays grow as they fill.
        out.reserveCapacity(Swift.min(n, Swift.max(16, remaining / MemoryLayout<T>.stride)))
        for _ in 0..<n {
            let e = element(&self)
            if error != nil { break }
            out.append(e)
        }
        return out
    }

    // MARK: Tagged fields

    /// Reads a tagged-field section and calls `known` with each field's tag and a reader over
    /// exactly its bytes. Fields the closure does not read are skipped, which is how unknown
    /// tags are ignored. A failure inside a field's reader becomes this reader's failure.
    public mutating func readTaggedFields(_ known: (UInt32, inout ByteReader) -> Void) {
        guard let count = readTaggedCount() else { return }
        for _ in 0..<count {
            let tag = readUnsignedVarint("tag")
            let size = readUnsignedVarint("tagged field size")
            if error != nil { return }
            var sub = subReader(count: Int(size), "tagged field")
            if error != nil { return }
            known(tag, &sub)
            if let e = sub.error { fail(e); return }
        }
    }

    /// The count of a tagged-field section (uvarint), checked against the remaining bytes
    /// (every field takes at least two).
    private mutating func readTaggedCount() -> Int? {
        let start = position
        let n = readUnsignedVarint("tagged field count")
        if error != nil { return nil }
        guard Int(n) * 2 <= remaining else {
            fail(.invalidLength(what: "tagged field count", offset: start, length: Int64(n)))
            return nil
        }
        return Int(n)
    }

    /// Reads a tagged-field section keeping every field as raw bytes.
    public mutating func readRawTaggedFields() -> [TaggedField] {
        var out: [TaggedField] = []
        readTaggedFields { tag, r in out.append(TaggedField(tag: tag, data: r.readRaw(r.remaining))) }
        return out
    }

    /// Reads and discards a tagged-field section.
    public mutating func skipTaggedFields() { readTaggedFields { _, _ in } }
}
