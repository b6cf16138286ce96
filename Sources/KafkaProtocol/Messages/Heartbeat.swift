// Heartbeat (key 12): keeps a classic group membership alive.

/// A group member's heartbeat. Value type; any thread.
public struct HeartbeatRequest: KafkaRequest {
    /// The body the broker answers with.
    public typealias Response = HeartbeatResponse
    /// The API's row in `ApiSpec`.
    public static let api = ApiSpec.heartbeat

    /// The consumer group.
    public var groupId = ""
    /// The group generation the member belongs to.
    public var generationId: Int32 = 0
    /// This member's id, as the coordinator gave it.
    public var memberId = ""
    /// A static member's instance id (KIP-345); nil for a dynamic member.
    public var groupInstanceId: String? = nil

    /// Every field at its default; decoding starts from this.
    public init() {}
    /// The heartbeat of `memberId` in `generationId` of `groupId`.
    public init(groupId: String, generationId: Int32, memberId: String, groupInstanceId: String? = nil) {
        self.groupId = groupId
        self.generationId = generationId
        self.memberId = memberId
        self.groupInstanceId = groupInstanceId
    }

    /// Its fields in wire order at `v`, for `c` to write or read.
    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        c.string(&groupId)
        c.int32(&generationId)
        c.string(&memberId)
        if v >= 3 { c.nullableString(&groupInstanceId) }
        c.noTaggedFields()
    }
}

/// Whether the membership is still good. Value type; any thread.
public struct HeartbeatResponse: KafkaResponse {
    /// The API's row in `ApiSpec`.
    public static let api = ApiSpec.heartbeat

    /// How long the broker held the answer back for a quota, in milliseconds (0: not throttled).
    public var throttleTimeMs: Int32 = 0
    /// A Kafka error code: REBALANCE_IN_PROGRESS says to join again.
    public var errorCode: Int16 = 0

    /// Every field at its default; decoding starts from this.
    public init() {}

    /// Its fields in wire order at `v`, for `c` to write or read.
    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        if v >= 1 { c.int32(&throttleTimeMs) }
        c.int16(&errorCode)
        c.noTaggedFields()
    }
}
