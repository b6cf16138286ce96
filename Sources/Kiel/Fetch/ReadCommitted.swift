import KafkaProtocol

/// Which records a consumer reads: everything written (the default), or only what committed
/// transactions and non-transactional producers wrote (librdkafka's and Java's
/// `isolation.level`).
public enum IsolationLevel: Sendable, Equatable {
    /// Every record, aborted transactions' included; reads up to the high watermark.
    case readUncommitted
    /// No record of an aborted transaction; reads up to the last stable offset, so the records
    /// of a transaction still open wait until it ends.
    case readCommitted

    /// The wire value in Fetch and ListOffsets requests.
    var wireValue: Int8 { self == .readCommitted ? 1 : 0 }
}

/// The read_committed rule, as the Java consumer applies it to one partition of one fetch
/// answer: the batches of a producer are dropped from the first offset of each of its aborted
/// transactions (the answer lists them) until that producer's ABORT marker; control batches
/// (the markers themselves) are never delivered.
enum ReadCommitted {
    /// The batches to deliver, in order.
    static func committed(_ batches: [RecordBatch], aborted: [FetchResponse.AbortedTransaction]) -> [RecordBatch] {
        var pending = aborted.sorted { $0.firstOffset < $1.firstOffset }[...]
        var abortedProducers = Set<Int64>()
        var out: [RecordBatch] = []
        for batch in batches {
            if batch.producerId >= 0 {
                while let next = pending.first, next.firstOffset <= batch.lastOffset {
                    abortedProducers.insert(next.producerId)
                    pending.removeFirst()
                }
                if isAbortMarker(batch) {
                    abortedProducers.remove(batch.producerId)
                } else if batch.isTransactional && abortedProducers.contains(batch.producerId) {
                    continue
                }
            }
            if !batch.isControl { out.append(batch) }
        }
        return out
    }

    /// A control batch whose record key says ABORT (key: version int16, type int16; 0 is ABORT).
    static func isAbortMarker(_ batch: RecordBatch) -> Bool {
        guard batch.isControl, let key = batch.records.first?.key, key.count >= 4 else { return false }
        return key[2] == 0 && key[3] == 0
    }
}
