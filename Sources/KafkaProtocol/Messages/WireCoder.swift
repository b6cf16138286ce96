// The declarative layer. Each message declares its fields once, in wire order, in a single
// `code(_:version:)` function written against `WireCoder`. `ByteWriter` implements it by
// writing each field, `ByteReader` by reading each field into the same property, so encode
// and decode cannot drift apart. Fields absent in a version are simply skipped and keep the
// default value of the type's `init()`. Strings, byte strings and arrays use the compact
// encodings when the coder's `flexible` flag is set (the message sets it from its version and
// its `ApiSpec` row).
//
// What is declarative and what is hand-written in this module:
// - declarative: every request and response body (Messages/<Api>.swift, one file per API),
//   and each API's versions and first flexible version (one row per API in ApiSpec.swift);
// - hand-written: the primitives (Primitives/), request and response headers and framing
//   (Headers.swift), the ApiVersions fallback, version negotiation, and the record batches.

/// Something that either writes or reads every field it is handed.
///
/// Implemented by `ByteWriter` (encoding) and `ByteReader` (decoding). Plain value types, so
/// one thread at a time.
public protocol WireCoder {
    /// True for a reader, false for a writer; lets a field that is not a plain value read back.
    var isDecoding: Bool { get }
    /// Whether strings, byte strings and arrays use the compact encodings (a flexible version).
    var flexible: Bool { get set }

    /// An INT8.
    mutating func int8(_ v: inout Int8)
    /// A big-endian INT16.
    mutating func int16(_ v: inout Int16)
    /// A big-endian INT32.
    mutating func int32(_ v: inout Int32)
    /// A big-endian INT64.
    mutating func int64(_ v: inout Int64)
    /// A BOOLEAN byte.
    mutating func bool(_ v: inout Bool)
    /// A UUID: 16 bytes.
    mutating func uuid(_ v: inout KafkaUUID)
    /// A STRING, or COMPACT_STRING when `flexible`.
    mutating func string(_ v: inout String)
    /// A NULLABLE_STRING, or its compact form when `flexible`.
    mutating func nullableString(_ v: inout String?)
    /// BYTES, or COMPACT_BYTES when `flexible`.
    mutating func bytes(_ v: inout [UInt8])
    /// NULLABLE_BYTES, or its compact form when `flexible`.
    mutating func nullableBytes(_ v: inout [UInt8]?)
    /// NULLABLE_BYTES kept where they lie: the `range` of `storage` (nil for null). Decoding
    /// with a `ByteReader` shares the frame's storage instead of copying the bytes out; other
    /// coders go through `nullableBytes` (the default).
    mutating func nullableBytes(in storage: inout [UInt8], range: inout Range<Int>?)

    /// An array whose elements are coded by `body`; `make` creates an element to decode into.
    mutating func array<T>(_ v: inout [T], minElementSize: Int, make: () -> T, _ body: (inout Self, inout T) -> Void)
    /// A nullable array, coded like `array`; nil is the null count.
    mutating func nullableArray<T>(_ v: inout [T]?, minElementSize: Int, make: () -> T,
                                   _ body: (inout Self, inout T) -> Void)

    /// Decoding: moves past a tagged-field section, checking how each field is framed but
    /// keeping none, and returns a coder over the whole section for `taggedField(_:in:)`.
    /// Encoding: returns nil.
    mutating func beginTaggedFields() -> Self?
    /// Decoding: a coder over the first field numbered `tag` in `section` (as returned by
    /// `beginTaggedFields`), or nil if it was not sent.
    static func taggedField(_ tag: UInt32, in section: Self) -> Self?
    /// Encoding: writes the fields collected for the section. Decoding: takes over the first
    /// failure of any declared field's sub-coder.
    mutating func endTaggedFields(_ fields: [(tag: UInt32, coder: Self)])
    /// An empty coder of the same kind, for encoding one tagged field. Static so that a
    /// section never holds a copy of the coder (a copy of a writer would force its buffer to
    /// be copied on the next append).
    static func makeFieldEncoder() -> Self
}

/// A struct inside a message (or a whole message body) that declares its fields once.
public protocol WireStruct: Equatable, Sendable {
    /// Every field at its default; decoding starts from this.
    init()
    /// Hands every field, in wire order, to `c` for `version`; fields absent in that version are
    /// left out (and keep their defaults when decoding).
    mutating func code<C: WireCoder>(_ c: inout C, version: Int16)
}

/// The tagged fields of one section, declared in ascending tag order.
///
/// Decoding looks each declared tag up in the section as received, so it holds at most one
/// sub-coder per declared field: a peer's flood of unknown tags costs nothing but the
/// skipping (it once cost a sub-reader of some 64 bytes for every 2 bytes of wire).
public struct TaggedFieldSection<C: WireCoder> {
    let decoding: Bool
    /// Decoding: the whole section as received; nil when encoding or when it was malformed.
    let received: C?
    /// Encoding: the fields to write. Decoding: the declared fields that were sent, after
    /// `body` ran on them, so that their failures become the message's.
    var coded: [(tag: UInt32, coder: C)] = []

    /// Declares the field `tag`. Encoding writes it only when `present` (a field equal to its
    /// default is left out, as Kafka does); decoding runs `body` only if the field was sent.
    public mutating func field(_ tag: UInt32, present: Bool, _ body: (inout C) -> Void) {
        if decoding {
            guard let received, var sub = C.taggedField(tag, in: received) else { return }
            body(&sub)
            coded.append((tag, sub))
        } else if present {
            var sub = C.makeFieldEncoder()
            body(&sub)
            coded.append((tag, sub))
        }
    }
}

extension WireCoder {
    /// NULLABLE_BYTES through `nullableBytes(_:)`: the bytes in an array of their own.
    public mutating func nullableBytes(in storage: inout [UInt8], range: inout Range<Int>?) {
        var bytes = range.map { Array(storage[$0]) }
        nullableBytes(&bytes)
        storage = bytes ?? []
        range = bytes.map { 0..<$0.count }
    }

    /// The tagged-field section that ends every struct in a flexible version. Does nothing
    /// in older versions. Unknown tags are skipped.
    public mutating func taggedFields(_ body: (inout TaggedFieldSection<Self>) -> Void) {
        guard flexible else { return }
        var section = TaggedFieldSection<Self>(decoding: isDecoding, received: beginTaggedFields())
        body(&section)
        endTaggedFields(section.coded)
    }

    /// An empty tagged-field section (in flexible versions only); what is received is skipped.
    public mutating func noTaggedFields() {
        guard flexible else { return }
        _ = beginTaggedFields()
        endTaggedFields([])
    }

    /// An array of structs, each coded at `version`.
    public mutating func structs<T: WireStruct>(_ v: inout [T], version: Int16) {
        array(&v, minElementSize: 1, make: T.init) { c, e in e.code(&c, version: version) }
    }

    /// A nullable array of structs, each coded at `version`.
    public mutating func nullableStructs<T: WireStruct>(_ v: inout [T]?, version: Int16) {
        nullableArray(&v, minElementSize: 1, make: T.init) { c, e in e.code(&c, version: version) }
    }

    /// An array of INT32s.
    public mutating func int32s(_ v: inout [Int32]) {
        array(&v, minElementSize: 4, make: { 0 }) { c, e in c.int32(&e) }
    }

    /// An array of strings.
    public mutating func strings(_ v: inout [String]) {
        array(&v, minElementSize: 1, make: { "" }) { c, e in c.string(&e) }
    }
}

extension ByteWriter: WireCoder {
    /// False: a writer.
    public var isDecoding: Bool { false }
    /// Writes `v`.
    public mutating func int8(_ v: inout Int8) { writeInt8(v) }
    /// Writes `v`.
    public mutating func int16(_ v: inout Int16) { writeInt16(v) }
    /// Writes `v`.
    public mutating func int32(_ v: inout Int32) { writeInt32(v) }
    /// Writes `v`.
    public mutating func int64(_ v: inout Int64) { writeInt64(v) }
    /// Writes `v`.
    public mutating func bool(_ v: inout Bool) { writeBool(v) }
    /// Writes `v`.
    public mutating func uuid(_ v: inout KafkaUUID) { writeUUID(v) }
    /// Writes `v`; a string too long for a non-compact prefix is recorded as `error`.
    public mutating func string(_ v: inout String) {
        do { try writeString(v, compact: flexible) } catch { fail(error) }
    }
    /// Writes `v`; a string too long for a non-compact prefix is recorded as `error`.
    public mutating func nullableString(_ v: inout String?) {
        do { try writeNullableString(v, compact: flexible) } catch { fail(error) }
    }
    /// Writes `v`.
    public mutating func bytes(_ v: inout [UInt8]) { writeBytes(v, compact: flexible) }
    /// Writes `v`.
    public mutating func nullableBytes(_ v: inout [UInt8]?) { writeNullableBytes(v, compact: flexible) }

    /// Writes the count, then each element through `body`.
    public mutating func array<T>(_ v: inout [T], minElementSize: Int, make: () -> T,
                                  _ body: (inout ByteWriter, inout T) -> Void) {
        writeArrayCount(v.count, compact: flexible)
        // Elements are copied out rather than mutated in place, so encoding never forces a
        // copy of the caller's array storage.
        for element in v {
            var e = element
            body(&self, &e)
        }
    }

    /// Writes the null count for nil, else as `array`.
    public mutating func nullableArray<T>(_ v: inout [T]?, minElementSize: Int, make: () -> T,
                                          _ body: (inout ByteWriter, inout T) -> Void) {
        guard var present = v else { writeNullCount(compact: flexible); return }
        array(&present, minElementSize: minElementSize, make: make, body)
    }

    /// Nil: a writer collects the fields itself.
    public mutating func beginTaggedFields() -> ByteWriter? { nil }

    /// Nil: only a reader looks fields up.
    public static func taggedField(_ tag: UInt32, in section: ByteWriter) -> ByteWriter? { nil }

    /// Writes the section: the count, then each field's tag, size and bytes; takes over a
    /// field's failure.
    public mutating func endTaggedFields(_ fields: [(tag: UInt32, coder: ByteWriter)]) {
        writeUnsignedVarint(UInt32(fields.count))
        for f in fields {
            if let e = f.coder.error { fail(e) }
            writeUnsignedVarint(f.tag)
            writeUnsignedVarint(UInt32(f.coder.count))
            writeRaw(f.coder.bytes)
        }
    }

    /// An empty flexible writer for one tagged field.
    public static func makeFieldEncoder() -> ByteWriter {
        var w = ByteWriter(capacity: 16)
        w.flexible = true
        return w
    }
}

extension ByteReader: WireCoder {
    /// True: a reader.
    public var isDecoding: Bool { true }
    /// Reads into `v`.
    public mutating func int8(_ v: inout Int8) { v = readInt8() }
    /// Reads into `v`.
    public mutating func int16(_ v: inout Int16) { v = readInt16() }
    /// Reads into `v`.
    public mutating func int32(_ v: inout Int32) { v = readInt32() }
    /// Reads into `v`.
    public mutating func int64(_ v: inout Int64) { v = readInt64() }
    /// Reads into `v`.
    public mutating func bool(_ v: inout Bool) { v = readBool() }
    /// Reads into `v`.
    public mutating func uuid(_ v: inout KafkaUUID) { v = readUUID() }
    /// Reads into `v` (a null reads as "").
    public mutating func string(_ v: inout String) { v = readString(compact: flexible) }
    /// Reads into `v`.
    public mutating func nullableString(_ v: inout String?) { v = readNullableString(compact: flexible) }
    /// Reads into `v` (a null reads as empty).
    public mutating func bytes(_ v: inout [UInt8]) { v = readBytes(compact: flexible) }
    /// Reads into `v`.
    public mutating func nullableBytes(_ v: inout [UInt8]?) { v = readNullableBytes(compact: flexible) }

    /// NULLABLE_BYTES as a range of this reader's storage: no copy.
    public mutating func nullableBytes(in storage: inout [UInt8], range: inout Range<Int>?) {
        guard let n = readArrayCount(compact: flexible, "bytes"), let at = take(n, "bytes") else {
            storage = []
            range = nil
            return
        }
        storage = self.storage
        range = at..<(at + n)
    }

    /// Reads the count, checked against the bytes left, then each element, made by `make` and
    /// filled by `body`; a null reads as empty.
    public mutating func array<T>(_ v: inout [T], minElementSize: Int, make: () -> T,
                                  _ body: (inout ByteReader, inout T) -> Void) {
        v = readArray(compact: flexible, minElementSize: minElementSize) { r in
            var e = make()
            body(&r, &e)
            return e
        }
    }

    /// As `array`, with a null count read as nil.
    public mutating func nullableArray<T>(_ v: inout [T]?, minElementSize: Int, make: () -> T,
                                          _ body: (inout ByteReader, inout T) -> Void) {
        v = readNullableArray(compact: flexible, minElementSize: minElementSize) { r in
            var e = make()
            body(&r, &e)
            return e
        }
    }

    /// Skips the section, checking its framing, and returns a reader over it; nil if malformed.
    public mutating func beginTaggedFields() -> ByteReader? {
        let start = position
        skipTaggedFields()
        guard error == nil else { return nil }
        // Only the section's bounds are kept (the storage is shared, not copied); each
        // declared tag is looked up in it again, which skips the unknown ones once more
        // rather than remembering them.
        return ByteReader(storage, range: start..<position)
    }

    /// A reader over the first field numbered `tag` in `section`, or nil if it was not sent.
    public static func taggedField(_ tag: UInt32, in section: ByteReader) -> ByteReader? {
        var scan = section
        var found: ByteReader?
        scan.readTaggedFields { t, sub in
            // The first one counts, as before; a repeated tag is skipped like an unknown one.
            guard t == tag, found == nil else { return }
            found = sub
            found?.flexible = true
        }
        return found
    }

    /// Takes over the first failure of a declared field's reader.
    public mutating func endTaggedFields(_ fields: [(tag: UInt32, coder: ByteReader)]) {
        for f in fields {
            if let e = f.coder.error { fail(e); return }
        }
    }

    /// An empty reader; never used for encoding.
    public static func makeFieldEncoder() -> ByteReader { ByteReader([]) }
}

extension WireCoder {
    /// An optional string in a version where the field is not nullable: nil is written as
    /// "" (the schema allows no null here) and decoding always yields a value.
    public mutating func nonNull(_ v: inout String?) {
        var s = v ?? ""
        string(&s)
        if isDecoding { v = s }
    }

    /// An optional string that the schema makes nullable only from some version on;
    /// `nullable` says whether this version is one of them (else as `nonNull`).
    mutating func string(_ v: inout String?, nullable: Bool) {
        if nullable { nullableString(&v) } else { nonNull(&v) }
    }

    /// An optional array of structs that the schema makes nullable only from some version
    /// on; where this version is not one of them, nil is written as an empty array and
    /// decoding always yields an array.
    mutating func structs<T: WireStruct>(_ v: inout [T]?, nullable: Bool, version: Int16) {
        if nullable { nullableStructs(&v, version: version); return }
        var list = v ?? []
        structs(&list, version: version)
        if isDecoding { v = list }
    }
}
