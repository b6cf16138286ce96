// The records of a v2 batch, read the quick way: straight over the bytes, with views into
// them for keys and values, and no error plumbing. This is the consumer's hot loop; the
// careful reader (`readRecord`, over a `ByteReader`) stays the one that names what is wrong.

extension RecordBatchDecoder {
    /// The `count` records in `range` of `bytes`, their keys and values views into `bytes`,
    /// and what is left of `items` (the records budget) after their headers. Returns nil at the
    /// first thing the careful reader would refuse, or anything it cannot take the quick way:
    /// the caller then reads the batch with `readRecord`, which names the error. Accepts only
    /// what `readRecord` accepts, and reads it the same.
    func readRecordsQuickly(_ bytes: [UInt8], _ range: Range<Int>, count: Int, batch: RecordBatch,
                            items: Int) -> (records: [Record], items: Int)? {
        // Views store 32-bit positions; Kafka's lengths are 32-bit, so only a huge
        // decompressed batch can be larger.
        guard bytes.count <= Int(Int32.max), range.upperBound <= bytes.count, range.lowerBound >= 0 else { return nil }
        let logAppendTime = batch.timestampType == .logAppendTime
        var records: [Record] = []
        records.reserveCapacity(count)
        var items = items
        let whole = bytes.withUnsafeBufferPointer { buffer -> Bool in
            var p = range.lowerBound
            let end = range.upperBound
            for _ in 0..<count {
                guard let length = Quick.varint(buffer, &p, end), length >= 0, length <= end - p else { return false }
                let recordEnd = p + length
                // Attributes: one byte, unused in v2.
                guard p < recordEnd else { return false }
                p += 1
                guard let timestampDelta = Quick.varlong(buffer, &p, recordEnd),
                      let offsetDelta = Quick.varint(buffer, &p, recordEnd),
                      let key = Quick.sized(buffer, &p, recordEnd),
                      let value = Quick.sized(buffer, &p, recordEnd),
                      let headerCount = Quick.varint(buffer, &p, recordEnd),
                      headerCount >= 0, headerCount <= (recordEnd - p) / 2, headerCount <= items
                else { return false }
                var headers: [RecordHeader] = []
                if headerCount > 0 {
                    items -= headerCount
                    headers.reserveCapacity(headerCount)
                    for _ in 0..<headerCount {
                        guard let name = Quick.sized(buffer, &p, recordEnd), name.count >= 0,
                              let headerValue = Quick.sized(buffer, &p, recordEnd) else { return false }
                        let nameBytes = UnsafeBufferPointer(rebasing: buffer[name.start..<(name.start + name.count)])
                        let valueBytes = headerValue.count < 0
                            ? nil : Array(buffer[headerValue.start..<(headerValue.start + headerValue.count)])
                        headers.append(RecordHeader(key: String(decoding: nameBytes, as: UTF8.self), value: valueBytes))
                    }
                }
                guard p == recordEnd else { return false }
                let timestamp = logAppendTime ? batch.maxTimestamp : batch.baseTimestamp &+ timestampDelta
                records.append(Record(offset: batch.baseOffset &+ Int64(offsetDelta), timestamp: timestamp, storage: bytes,
                                      keyStart: Int32(truncatingIfNeeded: key.start), keyCount: Int32(truncatingIfNeeded: key.count),
                                      valueStart: Int32(truncatingIfNeeded: value.start),
                                      valueCount: Int32(truncatingIfNeeded: value.count), headers: headers))
            }
            return p == end
        }
        return whole ? (records, items) : nil
    }
}

/// The quick reads: each returns nil (leaving the position where it was) where `ByteReader`'s
/// read would fail, and nil for nothing else.
enum Quick {
    /// An unsigned LEB128 varint of at most `maxBytes` bytes ending before `end`, as
    /// `ByteReader.readUnsignedVarlong(_:maxBytes:)` reads it.
    @inline(__always)
    static func unsigned(_ buffer: UnsafeBufferPointer<UInt8>, _ p: inout Int, _ end: Int, maxBytes: Int) -> UInt64? {
        guard p < end else { return nil }
        let first = buffer[p]
        if first < 0x80 {
            p += 1
            return UInt64(first)
        }
        var result: UInt64 = 0
        var shift: UInt64 = 0
        var i = p
        while true {
            guard i < end else { return nil }
            let b = buffer[i]
            i += 1
            if shift == 63 && b > 1 { return nil }
            result |= UInt64(b & 0x7f) << shift
            if b & 0x80 == 0 { break }
            shift += 7
            if i - p >= maxBytes { return nil }
        }
        p = i
        return result
    }

    /// A zig-zag varint (at most 5 bytes, 32 bits), as `ByteReader.readVarint` reads it.
    @inline(__always)
    static func varint(_ buffer: UnsafeBufferPointer<UInt8>, _ p: inout Int, _ end: Int) -> Int? {
        var q = p
        guard let v = unsigned(buffer, &q, end, maxBytes: 5), v <= UInt64(UInt32.max) else { return nil }
        p = q
        let u = UInt32(truncatingIfNeeded: v)
        return Int(Int32(bitPattern: (u >> 1) ^ (0 &- (u & 1))))
    }

    /// A zig-zag varlong (at most 10 bytes), as `ByteReader.readVarlong` reads it.
    @inline(__always)
    static func varlong(_ buffer: UnsafeBufferPointer<UInt8>, _ p: inout Int, _ end: Int) -> Int64? {
        guard let u = unsigned(buffer, &p, end, maxBytes: 10) else { return nil }
        return Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
    }

    /// A varint length and that many bytes, as `RecordBatchDecoder.readVarintBytes` reads
    /// them: where they start and how many (-1: null); the position moves past them.
    @inline(__always)
    static func sized(_ buffer: UnsafeBufferPointer<UInt8>, _ p: inout Int, _ end: Int) -> (start: Int, count: Int)? {
        var q = p
        guard let n = varint(buffer, &q, end), n >= -1, n <= end - q else { return nil }
        if n == -1 {
            p = q
            return (q, -1)
        }
        p = q + n
        return (q, n)
    }
}
