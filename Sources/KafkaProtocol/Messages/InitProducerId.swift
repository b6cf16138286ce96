// InitProducerId (key 22): a producer id and epoch for idempotent or transactional produce.

/// Asks for a producer id (and, v3+, bumps the epoch of an existing one). Value type; any thread.
public struct InitProducerIdRequest: KafkaRequest {
    /// The body the broker answers with.
    public typealias Response = InitProducerIdResponse
    /// The API's row in `ApiSpec`.
    public static let api = ApiSpec.initProducerId

    /// The transactional id; nil for an idempotent producer without transactions.
    public var transactionalId: String? = nil
    /// How long a transaction may stay open, in milliseconds; -1 without transactions.
    public var transactionTimeoutMs: Int32 = -1
    /// The id to bump the epoch of (v3+); -1 for a new one.
    public var producerId: Int64 = -1
    /// The current epoch of `producerId` (v3+); -1 for a new one.
    public var producerEpoch: Int16 = -1

    /// Every field at its default; decoding starts from this.
    public init() {}

    /// Its fields in wire order at `v`, for `c` to write or read.
    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        c.nullableString(&transactionalId)
        c.int32(&transactionTimeoutMs)
        if v >= 3 {
            c.int64(&producerId)
            c.int16(&producerEpoch)
        }
        c.noTaggedFields()
    }
}

/// The producer id and epoch. Value type; any thread.
public struct InitProducerIdResponse: KafkaResponse {
    /// The API's row in `ApiSpec`.
    public static let api = ApiSpec.initProducerId

    /// How long the broker held the answer back for a quota, in milliseconds (0: not throttled).
    public var throttleTimeMs: Int32 = 0
    /// A Kafka error code: 0 for none, else see `KafkaErrorCode`.
    public var errorCode: Int16 = 0
    /// The producer id granted; -1 on error.
    public var producerId: Int64 = -1
    /// Its epoch.
    public var producerEpoch: Int16 = 0

    /// Every field at its default; decoding starts from this.
    public init() {}

    /// Its fields in wire order at `v`, for `c` to write or read.
    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        c.int32(&throttleTimeMs)
        c.int16(&errorCode)
        c.int64(&producerId)
        c.int16(&producerEpoch)
        c.noTaggedFields()
    }
}
