extension RecordBatchDecoder {
    /// Decodes one whole v2 batch occupying `range` of `bytes`, using at most `allowance`;
    /// returns it with what it used.
    func decodeV2(_ bytes: [UInt8], _ range: Range<Int>, allowance: Allowance,
                  buffers: inout DecompressionBuffers) throws(ProtocolError) -> (RecordBatch, used: (bytes: Int, records: Int)) {
        var r = ByteReader(bytes, range: range)
        let baseOffset = r.readInt64("base offset")
        _ = r.readInt32("batch length")
        let leaderEpoch = r.readInt32("partition leader epoch")
        _ = r.readInt8("magic")
        let storedCRC = r.readUInt32("crc")
        let attributes = r.readInt16("attributes")
        let lastOffsetDelta = r.readInt32("last offset delta")
        let baseTimestamp = r.readInt64("base timestamp")
        let maxTimestamp = r.readInt64("max timestamp")
        let producerId = r.readInt64("producer id")
        let producerEpoch = r.readInt16("producer epoch")
        let baseSequence = r.readInt32("base sequence")
        let count = Int(r.readInt32("records count"))
        try r.check()
        if verifyChecksums {
            let actual = bytes.withUnsafeBytes { raw in
                CRC32C.update(0, UnsafeRawBufferPointer(rebasing: raw[(range.lowerBound + BatchLayout.attributesOffset)..<range.upperBound]))
            }
            guard actual == storedCRC else {
                throw ProtocolError.crcMismatch(topic: topic, partition: partition, offset: baseOffset,
                                                expected: storedCRC, actual: actual)
            }
        }
        guard let codec = CompressionCodec(attributes: attributes) else {
            throw ProtocolError.unsupportedCompression(Int(attributes & BatchAttributes.compressionMask))
        }
        let timestampType: TimestampType = attributes & BatchAttributes.logAppendTime != 0 ? .logAppendTime : .createTime
        var batch = RecordBatch(
            baseOffset: baseOffset, partitionLeaderEpoch: leaderEpoch, magic: 2, compression: codec,
            timestampType: timestampType, isTransactional: attributes & BatchAttributes.transactional != 0,
            isControl: attributes & BatchAttributes.control != 0, lastOffsetDelta: lastOffsetDelta,
            baseTimestamp: baseTimestamp, maxTimestamp: maxTimestamp, producerId: producerId,
            producerEpoch: producerEpoch, baseSequence: baseSequence, records: [])
        guard count >= 0 else {
            throw ProtocolError.invalidLength(what: "records count", offset: range.lowerBound + 57, length: Int64(count))
        }
        if batch.isControl && !includeControlBatches { return (batch, (0, 0)) }

        // The count is checked before anything is decompressed: against the bytes when they
        // are plain (every record takes at least seven), and against the budget.
        if codec == .none, count > r.remaining / BatchLayout.minRecordSize {
            throw ProtocolError.invalidLength(what: "records count", offset: range.lowerBound + 57, length: Int64(count))
        }
        guard count <= allowance.records else { throw overBudget(baseOffset, "records", limit: allowance.records) }
        var records: ByteReader
        if codec == .none {
            guard r.remaining <= allowance.bytes else { throw overBudget(baseOffset, "decompressed bytes", limit: allowance.bytes) }
            records = r
        } else {
            // Copied out (into an array kept for the purpose) for the codecs, which read arrays.
            let compressed = buffers.input(copying: r.readSlice(r.remaining, "compressed records"))
            records = ByteReader(try decompress(codec, compressed, allowance: allowance, offset: baseOffset,
                                                buffers: &buffers))
            buffers.returnInput(compressed)
        }
        let size = records.remaining
        // Every record takes at least seven bytes: a count beyond that is a lie; don't reserve for it.
        guard count <= records.remaining / BatchLayout.minRecordSize else {
            throw ProtocolError.invalidLength(what: "records count", offset: range.lowerBound + 57, length: Int64(count))
        }
        // Headers count against the records budget too.
        var items = allowance.records - count
        if readsQuickly, let quick = readRecordsQuickly(records.storage, records.position..<records.end, count: count, batch: batch,
                                          items: items) {
            batch.records = quick.records
            return (batch, (size, allowance.records - quick.items))
        }
        // Something is wrong (or unusual): read it again carefully, to say what.
        batch.records.reserveCapacity(count)
        for _ in 0..<count {
            let record = readRecord(&records, batch: batch, items: &items, limit: allowance.records)
            try records.check()
            batch.records.append(record)
        }
        try records.finish("record batch at offset \(baseOffset)")
        return (batch, (size, allowance.records - items))
    }

    /// One record; failures are left in the reader's sticky error. Its headers are taken from
    /// `items`, the records budget left (`limit` is the whole allowance, for the error).
    func readRecord(_ r: inout ByteReader, batch: RecordBatch, items: inout Int, limit: Int) -> Record {
        let length = Int(r.readVarint("record length"))
        guard length >= 0 else {
            r.fail(.invalidLength(what: "record length", offset: r.position, length: Int64(length)))
            return Record(offset: 0, timestamp: 0, key: nil, value: nil)
        }
        var rr = r.subReader(count: length, "record")
        _ = rr.readInt8("record attributes")
        let timestampDelta = rr.readVarlong("timestamp delta")
        let offsetDelta = rr.readVarint("offset delta")
        let key = readVarintBytes(&rr, "record key")
        let value = readVarintBytes(&rr, "record value")
        let headerCount = Int(rr.readVarint("header count"))
        var headers: [RecordHeader] = []
        if headerCount < 0 || headerCount > rr.remaining / 2 {
            rr.fail(.invalidLength(what: "header count", offset: rr.position, length: Int64(headerCount)))
        } else if headerCount > items {
            rr.fail(overBudget(batch.baseOffset, "records", limit: limit))
        } else if headerCount > 0 {
            items -= headerCount
            headers.reserveCapacity(headerCount)
            for _ in 0..<headerCount {
                let keyBytes = readVarintBytes(&rr, "header key")
                if keyBytes == nil { rr.fail(.invalidLength(what: "header key", offset: rr.position, length: -1)) }
                let headerValue = readVarintBytes(&rr, "header value")
                headers.append(RecordHeader(key: String(decoding: keyBytes ?? [], as: UTF8.self), value: headerValue))
            }
        }
        if let error = rr.error {
            r.fail(error)
        } else if !rr.isAtEnd {
            r.fail(.trailingBytes(what: "record", offset: rr.position, count: rr.remaining))
        }
        let timestamp = batch.timestampType == .logAppendTime ? batch.maxTimestamp : batch.baseTimestamp &+ timestampDelta
        return Record(offset: batch.baseOffset &+ Int64(offsetDelta), timestamp: timestamp,
                      key: key, value: value, headers: headers)
    }

    /// A varint length (-1 for null) and that many bytes.
    func readVarintBytes(_ r: inout ByteReader, _ what: StaticString) -> [UInt8]? {
        let start = r.position
        return r.readSized(length: Int(r.readVarint(what)), lengthAt: start, what)
    }
}
