/// Legacy message sets (message format v0 and v1, before Kafka 0.11): each entry is
/// `offset int64, size int32, crc int32 (CRC-32 IEEE of the rest), magic int8, attributes int8,
/// [timestamp int64 if magic 1], key bytes, value bytes`. A compressed "wrapper" message's
/// value is an inner message set; for v1 the inner offsets are relative and the wrapper
/// carries the offset of the last inner message, for v0 they are absolute.
extension RecordBatchDecoder {
    struct LegacyMessage {
        var offset: Int64
        var magic: Int8
        var attributes: Int8
        var timestamp: Int64
        var key: [UInt8]?
        var value: [UInt8]?
    }

    /// Decodes one whole top-level message occupying `range` of `bytes`: one batch, holding
    /// either the message itself or the inner messages of a compressed wrapper. Uses at most
    /// `allowance`; returns what it used.
    func decodeLegacy(_ bytes: [UInt8], _ range: Range<Int>,
                      allowance: Allowance) throws(ProtocolError) -> ([RecordBatch], used: (bytes: Int, records: Int)) {
        let wrapper = try readLegacyMessage(bytes, range)
        let codecBits = Int16(wrapper.attributes) & BatchAttributes.compressionMask
        guard let codec = CompressionCodec(rawValue: Int8(codecBits)) else {
            throw ProtocolError.unsupportedCompression(Int(codecBits))
        }
        let logAppendTime = wrapper.magic >= 1 && Int16(wrapper.attributes) & BatchAttributes.logAppendTime != 0
        guard codec != .none else {
            let size = range.count
            guard size <= allowance.bytes else { throw overBudget(wrapper.offset, "decompressed bytes", limit: allowance.bytes) }
            guard allowance.records >= 1 else { throw overBudget(wrapper.offset, "records", limit: allowance.records) }
            return ([legacyBatch(magic: wrapper.magic, codec: .none, logAppendTime: logAppendTime, records: [
                Record(offset: wrapper.offset, timestamp: wrapper.timestamp, key: wrapper.key, value: wrapper.value),
            ])], (size, 1))
        }
        let plain = try decompress(codec, wrapper.value ?? [], allowance: allowance, offset: wrapper.offset)
        var inner: [LegacyMessage] = []
        var position = 0
        while position < plain.count {
            var head = ByteReader(plain, range: position..<plain.count)
            _ = head.readInt64("inner offset")
            let size = Int(head.readInt32("inner message size"))
            try head.check()
            guard size >= 0, size <= head.remaining else {
                throw ProtocolError.corrupt("inner message set of the wrapper at offset \(wrapper.offset) in \(topic)[\(partition)] is cut short")
            }
            guard inner.count < allowance.records else { throw overBudget(wrapper.offset, "records", limit: allowance.records) }
            let end = position + BatchLayout.logOverhead + size
            let message = try readLegacyMessage(plain, position..<end)
            guard Int16(message.attributes) & BatchAttributes.compressionMask == 0 else {
                throw ProtocolError.corrupt("nested compression in the wrapper at offset \(wrapper.offset) in \(topic)[\(partition)]")
            }
            inner.append(message)
            position = end
        }
        guard let lastInner = inner.last?.offset else { return ([], (plain.count, 0)) }
        // v1 wrappers carry the absolute offset of their last inner message.
        let shift = wrapper.magic >= 1 ? wrapper.offset &- lastInner : 0
        let records = inner.map { m in
            Record(offset: m.offset &+ shift, timestamp: logAppendTime ? wrapper.timestamp : m.timestamp,
                   key: m.key, value: m.value)
        }
        return ([legacyBatch(magic: wrapper.magic, codec: codec, logAppendTime: logAppendTime, records: records)],
                (plain.count, records.count))
    }

    func legacyBatch(magic: Int8, codec: CompressionCodec, logAppendTime: Bool, records: [Record]) -> RecordBatch {
        let first = records.first!
        let last = records.last!
        return RecordBatch(baseOffset: first.offset, partitionLeaderEpoch: -1, magic: magic, compression: codec,
                           timestampType: logAppendTime ? .logAppendTime : .createTime,
                           lastOffsetDelta: Int32(truncatingIfNeeded: last.offset &- first.offset),
                           baseTimestamp: first.timestamp, maxTimestamp: records.map(\.timestamp).max() ?? first.timestamp,
                           records: records)
    }

    /// Reads and checks one message `offset, size, crc, magic, attributes, [timestamp], key, value`.
    func readLegacyMessage(_ bytes: [UInt8], _ range: Range<Int>) throws(ProtocolError) -> LegacyMessage {
        var r = ByteReader(bytes, range: range)
        let offset = r.readInt64("message offset")
        _ = r.readInt32("message size")
        let storedCRC = r.readUInt32("message crc")
        let crcStart = r.position
        let magic = r.readInt8("message magic")
        let attributes = r.readInt8("message attributes")
        guard magic == 0 || magic == 1 else {
            try r.check()
            throw ProtocolError.corrupt("message at offset \(offset) in \(topic)[\(partition)] has magic \(magic) inside a legacy message set")
        }
        let timestamp = magic == 1 ? r.readInt64("message timestamp") : -1
        let key = readInt32Bytes(&r, "message key")
        let value = readInt32Bytes(&r, "message value")
        try r.finish("message at offset \(offset)")
        if verifyChecksums {
            let actual = bytes.withUnsafeBytes { raw in
                CRC32.update(0, UnsafeRawBufferPointer(rebasing: raw[crcStart..<range.upperBound]))
            }
            guard actual == storedCRC else {
                throw ProtocolError.crcMismatch(topic: topic, partition: partition, offset: offset,
                                                expected: storedCRC, actual: actual)
            }
        }
        return LegacyMessage(offset: offset, magic: magic, attributes: attributes, timestamp: timestamp, key: key, value: value)
    }

    /// An int32 length (-1 for null) and that many bytes.
    func readInt32Bytes(_ r: inout ByteReader, _ what: StaticString) -> [UInt8]? {
        let start = r.position
        return r.readSized(length: Int(r.readInt32(what)), lengthAt: start, what)
    }
}
