/// How much decoding one fetch may produce: decompressed record bytes and records. It bounds
/// the memory and the time a fetch answer costs, whatever its compressed batches claim: a
/// 7 KB zstd batch can otherwise expand to 64 MiB of minimal records, 9.6 million of them.
///
/// `RecordBatchDecoder` spends it batch by batch. A batch that needs more than what is *left*
/// (earlier batches of the same fetch used the rest) is not decoded and not an error: decoding
/// stops before it (`DecodedRecords.outOfBudget`) and the next fetch starts there. A batch
/// that needs more than the *whole* budget can never be decoded under it: that is
/// `ProtocolError.decodeBudgetExceeded`. Decompression stops as soon as its output would pass
/// the budget, so a bomb costs at most the budget, not what it expands to.
///
/// Plain value; any thread.
public struct DecodeBudget: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// Record bytes after decompression (the records section of a v2 batch, the inner message
    /// set of a legacy wrapper; for uncompressed batches, the bytes as they came).
    public var bytes: Int
    /// Records, and record headers: each header counts as one more. These are what the decoded
    /// structures cost beyond their bytes (about 40 bytes a record and 24 a header, before any
    /// key, value or message built from them), so a batch of empty records or of records with
    /// thousands of empty headers stays bounded too.
    public var records: Int

    /// A budget of `bytes` and `records`; negative values count as 0.
    public init(bytes: Int, records: Int) {
        self.bytes = max(0, bytes)
        self.records = max(0, records)
    }

    /// No bound at all: for trusted input only (e.g. a log file this process wrote).
    public static let unlimited = DecodeBudget(bytes: .max, records: .max)

    /// The default for a fetch of up to `maxBytes` (compressed) bytes: decompressed bytes up to
    /// `max(64 MiB, 16 × maxBytes)`, and one record (or header) per 64 of those bytes — 64 MiB
    /// and 1 Mi records for the 1 MiB fetches the consumers ask for by default.
    ///
    /// Why these numbers:
    /// - 64 MiB is the per-batch limit this decoder always had, so no batch that decoded before
    ///   is refused now. A broker accepts batches of 1 MiB (`message.max.bytes`) by default:
    ///   64 MiB leaves them a compression ratio of 64:1, far beyond what gzip, snappy, LZ4 or
    ///   zstd reach on real payloads (3–10:1 for text and JSON); only degenerate repetition
    ///   goes further, and that is what a bomb is.
    /// - 16 × `maxBytes`: a consumer that raises `maxBytes` to fetch more at once gets a budget
    ///   that keeps up, at the same 16:1 ratio for the fetch as a whole (one batch alone stays
    ///   capped by `RecordBatchDecoder.maxUncompressedBatchSize`, 64 MiB, as before).
    /// - Bytes / 64 records: a record takes 7 bytes on the wire at the least but about 40
    ///   decoded and over a hundred once it is a message, so a flood of tiny records costs more
    ///   than the bytes they came in. One per 64 bytes keeps their structures to about twice
    ///   the byte budget, and honest records (a key and a value of a few dozen bytes) are
    ///   larger than 64 bytes anyway.
    /// Since a batch that merely does not fit what is left waits for the next fetch, a budget
    /// that is too small for a fetch only slows consuming down; only a single batch larger
    /// than the whole budget is refused.
    public static func forFetch(maxBytes: Int) -> DecodeBudget {
        let scaled = max(0, maxBytes).multipliedReportingOverflow(by: 16)
        let bytes = max(64 << 20, scaled.overflow ? Int.max : scaled.partialValue)
        return DecodeBudget(bytes: bytes, records: bytes / 64)
    }

    /// Whether `bytes` more bytes and `records` more records fit.
    public func allows(bytes more: Int, records moreRecords: Int) -> Bool {
        more <= bytes && moreRecords <= records
    }

    /// Takes what a decoded batch used.
    public mutating func spend(bytes used: Int, records usedRecords: Int) {
        bytes = max(0, bytes - used)
        records = max(0, records - usedRecords)
    }

    /// "<bytes> bytes, <records> records".
    public var description: String { "\(bytes) bytes, \(records) records" }
}
