/// One record accepted by the producer and not yet acknowledged. `Token` is what the producer
/// needs to report delivery (its completion closure), opaque to the accumulator.
struct PendingRecord<Token> {
    var key: [UInt8]?
    var value: [UInt8]?
    var headers: [RecordHeader]
    /// Milliseconds since the epoch.
    var timestamp: Int64
    var token: Token
    /// Estimated encoded size in a v2 record batch.
    var size: Int

    init(key: [UInt8]?, value: [UInt8]?, headers: [RecordHeader], timestamp: Int64, token: Token) {
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
        self.token = token
        self.size = PendingRecord.estimateSize(key: key, value: value, headers: headers)
    }

    /// An upper bound of the record's size inside a v2 batch: the varint fields at their
    /// widest plus the payloads, so the batch byte limit is never exceeded on the wire.
    static func estimateSize(key: [UInt8]?, value: [UInt8]?, headers: [RecordHeader]) -> Int {
        var size = 5 + 1 + 10 + 5 + 5 + (key?.count ?? 0) + 5 + (value?.count ?? 0) + 5
        for header in headers { size += 5 + header.key.utf8.count + 5 + (header.value?.count ?? 0) }
        return size
    }
}

/// The records for one partition that travel in one v2 record batch. Keeps its idempotence
/// sequence number across retries, so a resend is recognised by the broker as the same batch.
struct ProducerBatch<Token> {
    /// The fixed part of a v2 record batch header.
    static var overhead: Int { 61 }

    let id: UInt64
    let partition: TopicPartition
    var records: [PendingRecord<Token>] = []
    /// Estimated encoded size, batch header included.
    var bytes = ProducerBatch.overhead
    /// When the first record arrived (monotonic nanoseconds): linger counts from here.
    let createdAt: UInt64
    /// The idempotent producer's sequence of the first record; assigned when first sent.
    var baseSequence: Int32?
    /// How many times this batch has been sent.
    var attempts = 0
    /// Not to be sent again before this instant (retry backoff), monotonic nanoseconds.
    var notBefore: UInt64 = 0

    init(id: UInt64, partition: TopicPartition, createdAt: UInt64) {
        self.id = id
        self.partition = partition
        self.createdAt = createdAt
    }

    var count: Int { records.count }
}
