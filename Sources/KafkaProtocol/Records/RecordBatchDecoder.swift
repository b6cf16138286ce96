/// Decodes the `records` bytes of a fetch response (or any log segment bytes): a sequence
/// of v2 record batches and/or legacy v0/v1 message sets.
///
/// A broker may cut the last batch short to fit its size limit: that partial batch is not an
/// error, it is left out and reported by `DecodedRecords.truncated`. Control batches are
/// decoded far enough to move `nextOffset` past them but left out of `batches` unless asked
/// for. A checksum mismatch throws `ProtocolError.crcMismatch` naming topic, partition and offset.
/// Decoding spends a `DecodeBudget`: decompression stops as soon as its output would pass it,
/// and a batch too large for the whole budget throws `ProtocolError.decodeBudgetExceeded`.
///
/// Pure function; any thread may call it.
public struct RecordBatchDecoder: Sendable {
    /// The topic and partition the bytes came from, for error messages.
    public var topic: String
    /// The partition the bytes came from, for error messages.
    public var partition: Int32
    /// The most bytes one batch may decompress to, whatever the budget: a batch that needs
    /// more is refused with `decodeBudgetExceeded`.
    public var maxUncompressedBatchSize: Int
    /// What one fetch may decode to in all (see `DecodeBudget`). `decodeUntilError(_:)` gives
    /// each call the whole budget; `decodeUntilError(_:remaining:)` lets the partitions of one
    /// fetch share it.
    public var budget: DecodeBudget
    /// Whether control batches (transaction markers) appear in the output.
    public var includeControlBatches: Bool
    /// Whether to check CRCs (worth turning off only for benchmarks).
    public var verifyChecksums: Bool
    /// Whether v2 records are read the quick way first (`readRecordsQuickly`); tests turn it
    /// off to check the careful reader against it.
    var readsQuickly = true

    /// A decoder with these limits; the default budget suits a 1 MiB fetch.
    public init(topic: String = "", partition: Int32 = -1, maxUncompressedBatchSize: Int = 64 << 20,
                budget: DecodeBudget = .forFetch(maxBytes: 1 << 20),
                includeControlBatches: Bool = false, verifyChecksums: Bool = true) {
        self.topic = topic
        self.partition = partition
        self.maxUncompressedBatchSize = maxUncompressedBatchSize
        self.budget = budget
        self.includeControlBatches = includeControlBatches
        self.verifyChecksums = verifyChecksums
    }

    /// Decodes every whole batch in `bytes`; throws if any whole batch is bad.
    public func decode(_ bytes: [UInt8]) throws(ProtocolError) -> DecodedRecords {
        let result = decodeUntilError(bytes)
        if let error = result.error { throw error }
        return result
    }

    /// Decodes whole batches until the end or the first bad one, keeping the good batches
    /// before it: a consumer can deliver those and then report `error`, which names the
    /// offset where it stopped.
    public func decodeUntilError(_ bytes: [UInt8]) -> DecodedRecords {
        var remaining = budget
        return decodeUntilError(bytes, remaining: &remaining)
    }

    /// Like `decodeUntilError(_:)`, spending `remaining`: what is left of `budget` after
    /// decoding other partitions of the same fetch. A batch that needs more than `remaining`
    /// but maybe not more than the whole `budget` ends decoding without an error
    /// (`outOfBudget`); only a batch refused while `remaining` was still the whole budget is
    /// `decodeBudgetExceeded`.
    public func decodeUntilError(_ bytes: [UInt8], remaining: inout DecodeBudget) -> DecodedRecords {
        decodeUntilError(bytes, in: bytes.indices, remaining: &remaining)
    }

    /// Like `decodeUntilError(_:remaining:)`, for the batches in `range` of `bytes` (a fetch
    /// answer's records where they lie in its frame: see `FetchResponse.Partition.recordsInFrame`).
    /// Records are views into `bytes`; offsets in errors count from the start of `bytes`.
    public func decodeUntilError(_ bytes: [UInt8], in range: Range<Int>, remaining: inout DecodeBudget) -> DecodedRecords {
        var buffers = DecompressionBuffers.none
        return decodeUntilError(bytes, in: range, remaining: &remaining, buffers: &buffers)
    }

    /// Like `decodeUntilError(_:in:remaining:)`, decompressing into arrays kept in `buffers`
    /// when they are free (no records from them are left), and keeping the new ones there:
    /// a consumer passes the same buffers for all its fetches.
    public func decodeUntilError(_ bytes: [UInt8], in range: Range<Int>, remaining: inout DecodeBudget,
                                 buffers: inout DecompressionBuffers) -> DecodedRecords {
        var result = DecodedRecords()
        let range = range.clamped(to: bytes.indices)
        var position = range.lowerBound
        do {
            while let next = try decodeBatch(bytes, at: position, end: range.upperBound, into: &result,
                                             remaining: &remaining, buffers: &buffers) { position = next }
        } catch {
            result.error = error
        }
        return result
    }

    /// Decodes the batch at `position` (the bytes end at `end`) into `result`; returns where
    /// the next one starts, or nil when no whole batch is left (or the budget ran out before it).
    func decodeBatch(_ bytes: [UInt8], at position: Int, end bytesEnd: Int, into result: inout DecodedRecords,
                     remaining: inout DecodeBudget, buffers: inout DecompressionBuffers) throws(ProtocolError) -> Int? {
        let left = bytesEnd - position
        guard left >= BatchLayout.logOverhead else {
            result.truncated = left > 0
            return nil
        }
        var head = ByteReader(bytes, range: position..<bytesEnd)
        let offset = head.readInt64()
        let length = Int(head.readInt32())
        guard length >= 0 else {
            throw ProtocolError.invalidLength(what: "batch length", offset: position + 8, length: Int64(length))
        }
        guard length <= left - BatchLayout.logOverhead else {
            result.truncated = true
            return nil
        }
        let end = position + BatchLayout.logOverhead + length
        guard length >= 5 else {
            throw ProtocolError.corrupt("batch at offset \(offset) in \(topic)[\(partition)] is only \(length) bytes long")
        }
        let magic = Int8(bitPattern: bytes[position + BatchLayout.magicOffset])
        // One batch never gets more than the per-batch limit; what it may use of the budget
        // beyond that is what is left of it.
        let allowance = Allowance(bytes: min(remaining.bytes, maxUncompressedBatchSize), records: remaining.records)
        let whole = Allowance(bytes: min(budget.bytes, maxUncompressedBatchSize), records: budget.records)
        do throws(ProtocolError) {
            switch magic {
            case 2:
                let (batch, used) = try decodeV2(bytes, position..<end, allowance: allowance, buffers: &buffers)
                remaining.spend(bytes: used.bytes, records: used.records)
                result.nextOffset = batch.nextOffset
                if !batch.isControl || includeControlBatches { result.batches.append(batch) }
            case 0, 1:
                let (batches, used) = try decodeLegacy(bytes, position..<end, allowance: allowance)
                remaining.spend(bytes: used.bytes, records: used.records)
                if let last = batches.last { result.nextOffset = last.nextOffset }
                result.batches += batches
            default:
                throw ProtocolError.corrupt("unknown message format \(magic) at offset \(offset) in \(topic)[\(partition)]")
            }
        } catch .decodeBudgetExceeded where allowance != whole {
            // Other batches of this fetch used part of the budget: this one waits for a fetch
            // of its own, where it gets the whole budget.
            result.outOfBudget = true
            return nil
        }
        return end
    }

    /// What one batch may use: the smaller of what is left of the budget and the per-batch limit.
    struct Allowance: Equatable {
        var bytes: Int
        var records: Int
    }

    func overBudget(_ offset: Int64, _ what: String, limit: Int) -> ProtocolError {
        .decodeBudgetExceeded(topic: topic, partition: partition, offset: offset, what: what, limit: limit)
    }

    /// Decompresses a batch's records with `allowance.bytes` as the limit: past it is over budget.
    func decompress(_ codec: CompressionCodec, _ compressed: [UInt8], allowance: Allowance,
                    offset: Int64) throws(ProtocolError) -> [UInt8] {
        var buffers = DecompressionBuffers.none
        return try decompress(codec, compressed, allowance: allowance, offset: offset, buffers: &buffers)
    }

    /// Like `decompress(_:_:allowance:offset:)`, into an array kept in `buffers` when one is free.
    func decompress(_ codec: CompressionCodec, _ compressed: [UInt8], allowance: Allowance, offset: Int64,
                    buffers: inout DecompressionBuffers) throws(ProtocolError) -> [UInt8] {
        do {
            return try codec.decompress(compressed, maxSize: allowance.bytes, buffers: &buffers)
        } catch {
            if case .outputTooLarge = error { throw overBudget(offset, "decompressed bytes", limit: allowance.bytes) }
            throw mapCompression(error, offset: offset)
        }
    }

    func mapCompression(_ error: CompressionError, offset: Int64) -> ProtocolError {
        if case .unsupportedCodec(let codec) = error { return .unsupportedCompression(Int(codec.rawValue)) }
        return .corrupt("\(error) in the batch at offset \(offset) of \(topic)[\(partition)]")
    }
}

/// The result of decoding a fetch response's record bytes.
public struct DecodedRecords: Equatable, Sendable {
    /// The whole batches, in order (control batches only if asked for).
    public var batches: [RecordBatch] = []
    /// The offset after the last whole batch, control batches included: where to fetch next.
    /// nil when no whole batch was present.
    public var nextOffset: Int64?
    /// True when bytes were left over that did not make a whole batch (the broker's size limit
    /// cut it). With no whole batch at all, the fetch size is smaller than one batch.
    public var truncated: Bool = false
    /// Set by `decodeUntilError` when a whole batch was bad: decoding stopped there.
    public var error: ProtocolError?
    /// True when decoding stopped before a whole batch because what was left of the decode
    /// budget could not hold it (other batches of the same fetch used the rest). Not an
    /// error: fetch again from `nextOffset` (or the offset asked for, if nil).
    public var outOfBudget: Bool = false

    /// Nothing decoded yet.
    public init() {}

    /// All records of all batches, in offset order.
    public var records: [Record] { batches.flatMap(\.records) }
}
