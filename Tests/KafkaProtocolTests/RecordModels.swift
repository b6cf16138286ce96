import KielTestSupport
@testable import KafkaProtocol
@testable import KafkaCompression

/// A v2 record batch as its fields, so the fuzzer can write any one of them wrong and still
/// recompute what depends on it: record lengths, the batch length, the records count and the
/// CRC-32C. A `RecordMutator` says which fields go wrong.
struct BatchModel {
    var baseOffset: Int64 = 0
    var leaderEpoch: Int32 = -1
    var attributes: Int16 = 0
    var lastOffsetDelta: Int32 = 0
    var baseTimestamp: Int64 = 0
    var maxTimestamp: Int64 = 0
    var producerId: Int64 = -1
    var producerEpoch: Int16 = -1
    var baseSequence: Int32 = -1
    var records: [RecordModel] = []
    /// The records encoded and compressed without mutations, once (compressing is most of
    /// what a case costs, and most cases mutate something else).
    var cache: (plain: [UInt8], payload: [UInt8])?

    var codec: CompressionCodec { CompressionCodec(attributes: attributes) ?? .none }

    /// The model with `cache` filled in.
    func cached() -> BatchModel {
        var copy = self
        var none = RecordMutator(random: FuzzRandom(seed: 0), left: 0)
        var plain = ByteWriter()
        for record in records { record.encode(into: &plain, &none) }
        copy.cache = (plain.bytes, codec == .none ? plain.bytes : ((try? codec.compress(plain.bytes)) ?? plain.bytes))
        return copy
    }

    /// The model of a decoded batch (offsets and timestamps made relative again).
    init(_ batch: RecordBatch) {
        baseOffset = batch.baseOffset
        leaderEpoch = batch.partitionLeaderEpoch
        attributes = Int16(batch.compression.rawValue) | (batch.timestampType == .logAppendTime ? 0x08 : 0)
            | (batch.isTransactional ? 0x10 : 0) | (batch.isControl ? 0x20 : 0)
        lastOffsetDelta = batch.lastOffsetDelta
        baseTimestamp = batch.baseTimestamp
        maxTimestamp = batch.maxTimestamp
        producerId = batch.producerId
        producerEpoch = batch.producerEpoch
        baseSequence = batch.baseSequence
        records = batch.records.map { r in
            RecordModel(timestampDelta: r.timestamp &- batch.baseTimestamp,
                        offsetDelta: Int32(truncatingIfNeeded: r.offset &- batch.baseOffset),
                        key: r.key, value: r.value, headers: r.headers.map { (Array($0.key.utf8), $0.value) })
        }
    }

    init() {}

    /// The batch's bytes: records encoded (with `mutator`'s record mutations), compressed
    /// with the codec the attributes name (or, once in a while, another one or none), the
    /// compressed bytes damaged framing-aware if the mutator says so, then the header with its
    /// mutations and with length, count and CRC computed from what was really written.
    func encoded(_ mutator: inout RecordMutator) -> [UInt8] {
        var payload: [UInt8]
        var codec = self.codec
        let otherCodec = mutator.now(1, in: 40)
        if otherCodec { codec = mutator.random.pick(CompressionCodec.allCases) }
        if let cache, !otherCodec, !mutator.now(1, in: 2) {
            payload = cache.payload
        } else {
            var plain = ByteWriter()
            if let cache, otherCodec { plain.writeRaw(cache.plain) } else {
                for record in records { record.encode(into: &plain, &mutator) }
            }
            payload = plain.bytes
            if codec != .none { payload = (try? codec.compress(payload)) ?? payload }
        }
        if mutator.now(1, in: 4) { payload = CodecMutator.mutate(codec, payload, &mutator.random) }
        var count = Int32(truncatingIfNeeded: records.count)
        var header = self
        var badLength: Int32?
        var breakCRC = false
        if mutator.now(1, in: 2) {
            switch mutator.random.below(12) {
            case 0: header.baseOffset = mutator.extreme(header.baseOffset)
            case 1: badLength = mutator.extreme(Int32(truncatingIfNeeded: 49 + payload.count))
            case 2: header.leaderEpoch = mutator.extreme(header.leaderEpoch)
            case 3: header.attributes = mutator.random.oneIn(2) ? Int16(truncatingIfNeeded: mutator.random.next())
                                                                : header.attributes ^ Int16(1 << mutator.random.below(6))
            case 4: header.lastOffsetDelta = mutator.extreme(header.lastOffsetDelta)
            case 5: header.baseTimestamp = mutator.extreme(header.baseTimestamp)
            case 6: header.maxTimestamp = mutator.extreme(header.maxTimestamp)
            case 7: header.producerId = mutator.extreme(header.producerId)
            case 8: header.baseSequence = mutator.extreme(header.baseSequence)
            case 9: breakCRC = true
            default: count = mutator.extreme(count)
            }
        }
        var bytes = v2Batch(baseOffset: header.baseOffset, leaderEpoch: header.leaderEpoch,
                            magic: mutator.now(1, in: 60) ? mutator.random.pick([0, 1, 3, -1]) : 2,
                            attributes: header.attributes, lastOffsetDelta: header.lastOffsetDelta,
                            baseTimestamp: header.baseTimestamp, maxTimestamp: header.maxTimestamp,
                            producerId: header.producerId, producerEpoch: header.producerEpoch,
                            baseSequence: header.baseSequence, count: count, payload: payload)
        if let badLength {
            for i in 0..<4 { bytes[8 + i] = UInt8(truncatingIfNeeded: badLength >> (24 - 8 * i)) }
            patchV2CRC(&bytes, at: 0)
        }
        if breakCRC { bytes[BatchLayout.crcOffset] ^= 0x01 }
        return bytes
    }
}

/// One record of a `BatchModel`.
struct RecordModel {
    var attributes: Int8 = 0
    var timestampDelta: Int64 = 0
    var offsetDelta: Int32 = 0
    var key: [UInt8]?
    var value: [UInt8]?
    var headers: [(key: [UInt8]?, value: [UInt8]?)] = []

    /// The record with its length computed from its body, unless the length is the mutation.
    func encode(into out: inout ByteWriter, _ mutator: inout RecordMutator) {
        var body = ByteWriter()
        let target = mutator.now(1, in: 6) ? mutator.random.below(8) : -1
        body.writeInt8(target == 0 ? Int8(truncatingIfNeeded: mutator.random.next()) : attributes)
        if target == 1 { mutator.writeBadVarint(&body, around: 0, long: true) } else { body.writeVarlong(timestampDelta) }
        if target == 2 { body.writeVarint(mutator.extreme(offsetDelta)) } else { body.writeVarint(offsetDelta) }
        mutator.writeBlob(&body, key, bad: target == 3)
        mutator.writeBlob(&body, value, bad: target == 4)
        if target == 5 {
            mutator.writeBadVarint(&body, around: UInt32(headers.count), long: false)
        } else if target == 6 {
            // Many small headers: two or three bytes each on the wire.
            let n = 1 + mutator.random.below(400)
            body.writeVarint(Int32(n))
            for _ in 0..<n { body.writeRaw(mutator.random.oneIn(2) ? [0x00, 0x01] : [0x00, 0x02, 0x41]) }
        } else {
            body.writeVarint(Int32(truncatingIfNeeded: headers.count))
        }
        if target != 6 {
            for header in headers {
                mutator.writeBlob(&body, header.key, bad: target == 7 && mutator.random.oneIn(2))
                mutator.writeBlob(&body, header.value, bad: target == 7 && mutator.random.oneIn(2))
            }
        }
        if mutator.now(1, in: 30) {
            mutator.writeBadVarint(&out, around: UInt32(body.count), long: false)
        } else {
            out.writeVarint(Int32(truncatingIfNeeded: body.count))
        }
        out.writeRaw(body.bytes)
    }
}

/// A legacy (v0/v1) message as its fields; a wrapper holds its inner messages, compressed.
struct LegacyModel {
    var offset: Int64 = 0
    var magic: Int8 = 1
    var attributes: Int8 = 0
    var timestamp: Int64 = 0
    var key: [UInt8]?
    var value: [UInt8]?
    var inner: [LegacyModel] = []
    /// A wrapper's value (its inner set, compressed) without mutations, once.
    var cache: [UInt8]?

    /// The model with `cache` filled in.
    func cached() -> LegacyModel {
        guard !inner.isEmpty else { return self }
        var copy = self
        var none = RecordMutator(random: FuzzRandom(seed: 0), left: 0)
        let set = inner.flatMap { $0.encoded(&none) }
        let codec = CompressionCodec(rawValue: attributes & 0x07) ?? .none
        copy.cache = codec == .none ? set : ((try? codec.compress(set)) ?? set)
        return copy
    }

    /// The message with its size and CRC-32 computed from what was really written (unless
    /// they are the mutation); a wrapper's value is its inner set, compressed and maybe damaged.
    func encoded(_ mutator: inout RecordMutator) -> [UInt8] {
        var value = self.value
        let codec = CompressionCodec(rawValue: attributes & 0x07) ?? .none
        if let cache, !mutator.now(1, in: 2) {
            value = cache
        } else if !inner.isEmpty {
            var set: [UInt8] = []
            for message in inner { set += message.encoded(&mutator) }
            value = codec == .none ? set : ((try? codec.compress(set)) ?? set)
        }
        if !inner.isEmpty, mutator.now(1, in: 4), let packed = value { value = CodecMutator.mutate(codec, packed, &mutator.random) }
        let target = mutator.now(1, in: 4) ? mutator.random.below(8) : -1
        var body = ByteWriter()
        body.writeInt8(target == 0 ? mutator.random.pick([0, 1, 2, -1]) : magic)
        body.writeInt8(target == 1 ? Int8(truncatingIfNeeded: mutator.random.next()) : attributes)
        if magic == 1 { body.writeInt64(target == 2 ? mutator.extreme(timestamp) : timestamp) }
        mutator.writeInt32Blob(&body, key, bad: target == 3)
        mutator.writeInt32Blob(&body, value, bad: target == 4)
        var out = ByteWriter()
        out.writeInt64(target == 5 ? mutator.extreme(offset) : offset)
        out.writeInt32(target == 6 ? mutator.extreme(Int32(4 + body.count)) : Int32(4 + body.count))
        out.writeUInt32(target == 7 ? mutator.random.oneIn(2) ? 0 : UInt32(truncatingIfNeeded: mutator.random.next())
                                    : CRC32.checksum(body.bytes))
        out.writeRaw(body.bytes)
        return out.bytes
    }

    /// The models of a decoded legacy batch: the message itself, or a wrapper around them.
    static func from(_ batch: RecordBatch) -> LegacyModel {
        let logAppend: Int8 = batch.timestampType == .logAppendTime ? 0x08 : 0
        let messages = batch.records.map { r in
            LegacyModel(offset: r.offset, magic: batch.magic, attributes: 0, timestamp: r.timestamp, key: r.key, value: r.value)
        }
        guard batch.compression != .none else { return messages[0] }
        let last = batch.records.last?.offset ?? 0
        let inner = messages.map { m -> LegacyModel in
            var relative = m
            if batch.magic >= 1 { relative.offset = m.offset - batch.records[0].offset }
            return relative
        }
        return LegacyModel(offset: last, magic: batch.magic, attributes: Int8(batch.compression.rawValue) | logAppend,
                           timestamp: batch.maxTimestamp, key: nil, value: nil, inner: inner)
    }
}

/// Decides which record and batch fields go wrong, and how; writes the wrong encodings.
struct RecordMutator {
    var random: FuzzRandom
    /// Mutations still to spend in this case; a case with none left encodes everything right.
    var left: Int

    /// Whether to mutate here: `n` in `d` times, while mutations are left.
    mutating func now(_ n: Int, in d: Int) -> Bool {
        guard left > 0, random.below(d) < n else { return false }
        left -= 1
        return true
    }

    mutating func extreme<T: FixedWidthInteger>(_ v: T) -> T { random.extreme(near: v) }

    /// A zig-zag varint that lies or is malformed: null-like -1, negative, huge, too long,
    /// never ending.
    mutating func writeBadVarint(_ w: inout ByteWriter, around n: UInt32, long: Bool) {
        switch random.below(7) {
        case 0: w.writeVarint(-1)
        case 1: w.writeVarint(-2 - Int32(random.below(1000)))
        case 2: w.writeVarint(Int32(truncatingIfNeeded: n) &+ 1 &+ Int32(random.below(4)))
        case 3: w.writeVarint(Int32.max)
        case 4: w.writeRaw([UInt8](repeating: 0xFF, count: long ? 10 : 5) + [0x01])   // too long
        case 5: w.writeRaw([0x80, 0x80])                                                // cut short
        default: w.writeVarlong(Int64(bitPattern: random.next()))
        }
    }

    /// A varint-length byte string (-1 for nil), its length lying if `bad`.
    mutating func writeBlob(_ w: inout ByteWriter, _ bytes: [UInt8]?, bad: Bool) {
        if bad {
            writeBadVarint(&w, around: UInt32(bytes?.count ?? 0), long: false)
        } else {
            w.writeVarint(Int32(truncatingIfNeeded: bytes?.count ?? -1))
        }
        if let bytes { w.writeRaw(bytes) }
    }

    /// An int32-length byte string (-1 for nil), its length lying if `bad`.
    mutating func writeInt32Blob(_ w: inout ByteWriter, _ bytes: [UInt8]?, bad: Bool) {
        let n = Int32(truncatingIfNeeded: bytes?.count ?? -1)
        w.writeInt32(bad ? random.pick([-2, n &+ 1, max(0, n - 1), Int32.max, Int32.min]) : n)
        if let bytes { w.writeRaw(bytes) }
    }
}
