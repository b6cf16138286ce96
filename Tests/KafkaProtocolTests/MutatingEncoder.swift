import KafkaProtocol
import KielTestSupport

/// The shared state of one mutating encode: its generator, the fields chosen for mutation
/// (by their index in declaration order, counted across nested structs and tagged fields) and
/// the running field count. A first pass with no targets only counts the fields.
final class MutationPlan {
    var random: FuzzRandom
    var targets: Set<Int>
    var field = 0
    var mutated = 0

    init(random: FuzzRandom, targets: Set<Int>) {
        self.random = random
        self.targets = targets
    }

    /// The plan tagged-field encoders join (`WireCoder.makeFieldEncoder` is static, so it
    /// cannot be handed one). Set only while `MutatingEncoder.encode` runs, on one thread.
    nonisolated(unsafe) static var current: MutationPlan?

    /// Whether the next field is one to mutate.
    func next() -> Bool {
        defer { field += 1 }
        guard targets.contains(field) else { return false }
        mutated += 1
        return true
    }
}

/// A third `WireCoder` for the fuzz tests: it encodes a message exactly as `ByteWriter` does,
/// except for the fields its plan picks, which it writes wrong in ways that matter to a
/// decoder: lengths and counts that lie (too long, too short, null, negative, huge), varints
/// that are overlong or never end, strings that are not UTF-8, booleans that are neither 0
/// nor 1, extreme integers, fields left out, doubled or preceded by garbage, and tagged-field
/// sections with unknown, duplicated, reordered or mis-sized fields. Everything around the
/// mutation stays valid, and tagged-field sizes are computed from what was really written, so
/// a mutation reaches the decoder of the field it is in instead of failing a frame check.
struct MutatingEncoder: WireCoder {
    var w = ByteWriter()
    let plan: MutationPlan
    var isDecoding: Bool { false }
    var flexible: Bool {
        get { w.flexible }
        set { w.flexible = newValue }
    }

    init(plan: MutationPlan) { self.plan = plan }

    /// `message` encoded at `version` with the fields `plan` targets mutated.
    static func encode<M: KafkaMessage>(_ message: M, version: Int16, plan: MutationPlan) -> [UInt8] {
        MutationPlan.current = plan
        defer { MutationPlan.current = nil }
        var encoder = MutatingEncoder(plan: plan)
        encoder.flexible = M.api.isFlexible(version)
        var copy = message
        copy.code(&encoder, version: version)
        return encoder.w.bytes
    }

    /// How many fields `message` has at `version` (the targets to choose from).
    static func fieldCount<M: KafkaMessage>(_ message: M, version: Int16) -> Int {
        let plan = MutationPlan(random: FuzzRandom(seed: 0), targets: [])
        _ = encode(message, version: version, plan: plan)
        return plan.field
    }

    var random: FuzzRandom {
        get { plan.random }
        nonmutating set { plan.random = newValue }
    }

    // MARK: mutations shared by every field

    /// Left out, doubled, or after a few garbage bytes: returns whether `write` was handled.
    mutating func structural(_ write: (inout MutatingEncoder) -> Void) -> Bool {
        switch random.below(8) {
        case 0:
            return true                                  // left out
        case 1:
            write(&self)
            write(&self)                                 // doubled
            return true
        case 2:
            w.writeRaw(random.bytes(1 + random.below(8)))  // garbage first
            write(&self)
            return true
        default:
            return false
        }
    }

    mutating func integer<T: FixedWidthInteger>(_ v: T) -> T {
        switch random.below(9) {
        case 0: return 0
        case 1: return T.max
        case 2: return T.min
        case 3: return T(truncatingIfNeeded: -1)
        case 4: return v &+ 1
        case 5: return v &- 1
        case 6: return T.max &- 1
        case 7: return v ^ (T(1) << T(random.below(T.bitWidth)))
        default: return T(truncatingIfNeeded: random.next())
        }
    }

    /// A compact (uvarint) length or count prefix that lies, or is badly encoded.
    mutating func badUnsignedVarint(around n: UInt32) {
        switch random.below(8) {
        case 0: w.writeUnsignedVarint(0)                                    // null
        case 1: w.writeUnsignedVarint(n &+ 1 &+ UInt32(random.below(4)))    // too long
        case 2: w.writeUnsignedVarint(n > 0 ? n - 1 : 0)                    // too short
        case 3: w.writeUnsignedVarint(UInt32.max)                           // huge
        case 4: w.writeRaw([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])            // more than 5 bytes
        case 5: w.writeRaw([0x80, 0x80, 0x80])                              // never ends (truncation)
        case 6:                                                             // overlong but right
            w.writeRaw([UInt8(n & 0x7F) | 0x80, UInt8((n >> 7) & 0x7F) | 0x80, UInt8((n >> 14) & 0x7F) | 0x80,
                        UInt8((n >> 21) & 0x7F) | 0x80, UInt8(n >> 28)])
        default: w.writeUnsignedVarint(UInt32(truncatingIfNeeded: random.next()))
        }
    }

    /// An INT16/INT32 length that lies.
    mutating func badLength<T: FixedWidthInteger & SignedInteger>(_ n: Int, as: T.Type) -> T {
        switch random.below(6) {
        case 0: return -1
        case 1: return T(truncatingIfNeeded: n + 1 + random.below(4))
        case 2: return T(truncatingIfNeeded: max(0, n - 1))
        case 3: return T.max
        case 4: return T(truncatingIfNeeded: -2 - random.below(100))
        default: return T(truncatingIfNeeded: random.next())
        }
    }

    /// Bytes a string's decoder must refuse or survive: not UTF-8, or long.
    mutating func badStringBytes(_ s: String) -> [UInt8] {
        switch random.below(5) {
        case 0: return Array(s.utf8) + [0xFF]
        case 1: return [0xC0, 0x80]                      // overlong NUL
        case 2: return [0xED, 0xA0, 0x80]                // a surrogate
        case 3: return Array(s.utf8) + [0xE2, 0x82]      // cut inside a character
        default: return [UInt8](repeating: 0x61, count: 200 + random.below(3000))
        }
    }

    /// A string (or byte string) whose prefix or contents are wrong.
    mutating func badBlob(_ content: [UInt8], int32: Bool) {
        if random.oneIn(3) {
            // The prefix is right, the contents are hostile.
            let bad = int32 ? random.bytes(random.below(64)) : badStringBytes(String(decoding: content, as: UTF8.self))
            if flexible { w.writeUnsignedVarint(UInt32(bad.count + 1)) } else if int32 { w.writeInt32(Int32(bad.count)) } else {
                w.writeInt16(Int16(truncatingIfNeeded: bad.count))
            }
            w.writeRaw(bad)
            return
        }
        if flexible {
            badUnsignedVarint(around: UInt32(content.count + 1))
        } else if int32 {
            w.writeInt32(badLength(content.count, as: Int32.self))
        } else {
            w.writeInt16(badLength(content.count, as: Int16.self))
        }
        w.writeRaw(content)
    }

    // MARK: WireCoder

    mutating func int8(_ v: inout Int8) {
        let value = v
        guard plan.next() else { return w.writeInt8(value) }
        if structural({ $0.w.writeInt8(value) }) { return }
        w.writeInt8(integer(value))
    }

    mutating func int16(_ v: inout Int16) {
        let value = v
        guard plan.next() else { return w.writeInt16(value) }
        if structural({ $0.w.writeInt16(value) }) { return }
        w.writeInt16(integer(value))
    }

    mutating func int32(_ v: inout Int32) {
        let value = v
        guard plan.next() else { return w.writeInt32(value) }
        if structural({ $0.w.writeInt32(value) }) { return }
        w.writeInt32(integer(value))
    }

    mutating func int64(_ v: inout Int64) {
        let value = v
        guard plan.next() else { return w.writeInt64(value) }
        if structural({ $0.w.writeInt64(value) }) { return }
        w.writeInt64(integer(value))
    }

    mutating func uint16(_ v: inout UInt16) {
        let value = v
        guard plan.next() else { return w.writeUInt16(value) }
        if structural({ $0.w.writeUInt16(value) }) { return }
        w.writeUInt16(integer(value))
    }

    mutating func bool(_ v: inout Bool) {
        let value = v
        guard plan.next() else { return w.writeBool(value) }
        if structural({ $0.w.writeBool(value) }) { return }
        w.writeUInt8(random.pick([2, 0x80, 0xFF]))
    }

    mutating func float64(_ v: inout Double) {
        let value = v
        guard plan.next() else { return w.writeFloat64(value) }
        if structural({ $0.w.writeFloat64(value) }) { return }
        w.writeFloat64(random.pick([.nan, .infinity, -.infinity, -0.0, .greatestFiniteMagnitude]))
    }

    mutating func uuid(_ v: inout KafkaUUID) {
        let value = v
        guard plan.next() else { return w.writeUUID(value) }
        if structural({ $0.w.writeUUID(value) }) { return }
        w.writeUUID(KafkaUUID(high: random.next(), low: random.next()))
    }

    mutating func string(_ v: inout String) {
        let value = v
        guard plan.next() else { return w.writeShortString(value, compact: flexible) }
        if structural({ $0.w.writeShortString(value, compact: $0.flexible) }) { return }
        badBlob(Array(value.utf8), int32: false)
    }

    mutating func nullableString(_ v: inout String?) {
        let value = v
        guard plan.next() else { return w.writeShortString(value, compact: flexible) }
        if structural({ $0.w.writeShortString(value, compact: $0.flexible) }) { return }
        guard let value else { return w.writeShortString("x", compact: flexible) }   // present where null
        badBlob(Array(value.utf8), int32: false)
    }

    mutating func bytes(_ v: inout [UInt8]) {
        let value = v
        guard plan.next() else { return w.writeBytes(value, compact: flexible) }
        if structural({ $0.w.writeBytes(value, compact: $0.flexible) }) { return }
        badBlob(value, int32: true)
    }

    mutating func nullableBytes(_ v: inout [UInt8]?) {
        let value = v
        guard plan.next() else { return w.writeNullableBytes(value, compact: flexible) }
        if structural({ $0.w.writeNullableBytes(value, compact: $0.flexible) }) { return }
        guard let value else { return w.writeBytes([1], compact: flexible) }    // present where null
        badBlob(value, int32: true)
    }

    mutating func array<T>(_ v: inout [T], minElementSize: Int, make: () -> T,
                           _ body: (inout MutatingEncoder, inout T) -> Void) {
        let mutate = plan.next()
        var elements = v
        if mutate {
            switch random.below(6) {
            case 0:
                // The count lies; the elements are as they were.
                if flexible { badUnsignedVarint(around: UInt32(elements.count + 1)) } else {
                    w.writeInt32(badLength(elements.count, as: Int32.self))
                }
                for i in elements.indices { body(&self, &elements[i]) }
                return
            case 1:
                // Every element twice, with the count to match.
                elements += elements
            case 2:
                // A count for elements that are not there.
                w.writeArrayCount(elements.count + 1 + random.below(1000), compact: flexible)
                return
            case 3:
                // Null where the schema has none.
                return w.writeNullCount(compact: flexible)
            case 4:
                // Many default elements: each costs a few bytes on the wire, much more decoded.
                elements = (0..<(50 + random.below(400))).map { _ in make() }
            default:
                break
            }
        }
        w.writeArrayCount(elements.count, compact: flexible)
        for i in elements.indices { body(&self, &elements[i]) }
    }

    mutating func nullableArray<T>(_ v: inout [T]?, minElementSize: Int, make: () -> T,
                                   _ body: (inout MutatingEncoder, inout T) -> Void) {
        guard var present = v else {
            // Present (and empty) where it was null.
            return plan.next() ? w.writeArrayCount(0, compact: flexible) : w.writeNullCount(compact: flexible)
        }
        array(&present, minElementSize: minElementSize, make: make, body)
    }

    mutating func beginTaggedFields() -> MutatingEncoder? { nil }

    static func taggedField(_ tag: UInt32, in section: MutatingEncoder) -> MutatingEncoder? { nil }

    mutating func endTaggedFields(_ fields: [(tag: UInt32, coder: MutatingEncoder)]) {
        var section: [(tag: UInt32, data: [UInt8])] = fields.map { ($0.tag, $0.coder.w.bytes) }
        var count = UInt32(section.count)
        var sizeLie: Int?
        if plan.next() {
            switch random.below(7) {
            case 0:
                // Unknown tags (a reader must skip them), at any place, of any size.
                for _ in 0..<(1 + random.below(3)) {
                    let tag = random.oneIn(4) ? UInt32.max - UInt32(random.below(3)) : UInt32(random.below(12))
                    section.insert((tag, random.bytes(random.below(random.oneIn(8) ? 2000 : 24))),
                                   at: random.below(section.count + 1))
                }
                count = UInt32(section.count)
            case 1:
                if let first = section.first { section.append(first) }   // a tag twice
                count = UInt32(section.count)
            case 2:
                section.reverse()                                         // out of order
            case 3:
                sizeLie = random.below(max(1, section.count))             // one size that lies
            case 4:
                count = count &+ 1 &+ UInt32(random.below(3))            // more than there are
            case 5:
                count = UInt32.max                                        // absurd
            default:
                // Many empty unknown fields: two bytes each on the wire.
                for tag in 0..<(100 + random.below(900)) { section.append((UInt32(50 + tag), [])) }
                count = UInt32(section.count)
            }
        }
        w.writeUnsignedVarint(count)
        for (i, field) in section.enumerated() {
            w.writeUnsignedVarint(field.tag)
            if i == sizeLie {
                badUnsignedVarint(around: UInt32(field.data.count))
            } else {
                w.writeUnsignedVarint(UInt32(field.data.count))
            }
            w.writeRaw(field.data)
        }
    }

    static func makeFieldEncoder() -> MutatingEncoder {
        var encoder = MutatingEncoder(plan: MutationPlan.current ?? MutationPlan(random: FuzzRandom(seed: 1), targets: []))
        encoder.flexible = true
        return encoder
    }
}

extension ByteWriter {
    /// A (nullable) string as `writeNullableString` writes it. The seeds' strings are short;
    /// one too long for its prefix, which the writer refuses, would be left out.
    mutating func writeShortString(_ s: String?, compact: Bool) {
        try? writeNullableString(s, compact: compact)
    }
}
