// InitProducerId (key 22): a producer id and epoch for idempotent or transactional produce.

/// Asks for a producer id (and, v3+, bumps the epoch of an existing one). Value type; any thread.
public struct InitProducerIdRequest: KafkaRequest {
    public typealias Response = InitProducerIdResponse
    public static let api = ApiSpec.initProducerId

    public var transactionalId: String? = nil
    public var transactionTimeoutMs: Int32 = -1
    public var producerId: Int64 = -1
    public var producerEpoch: Int16 = -1

    public init() {}

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
    public static let api = ApiSpec.initProducerId

    public var throttleTimeMs: Int32 = 0
    public var errorCode: Int16 = 0
    public var producerId: Int64 = -1
    public var producerEpoch: Int16 = 0

    public init() {}

    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        c.int32(&throttleTimeMs)
        c.int16(&errorCode)
        c.int64(&producerId)
        c.int16(&producerEpoch)
        c.noTaggedFields()
    }
}
