// Heartbeat (key 12): keeps a classic group membership alive.

/// A group member's heartbeat. Value type; any thread.
public struct HeartbeatRequest: KafkaRequest {
    public typealias Response = HeartbeatResponse
    public static let api = ApiSpec.heartbeat

    public var groupId = ""
    public var generationId: Int32 = 0
    public var memberId = ""
    public var groupInstanceId: String? = nil

    public init() {}
    public init(groupId: String, generationId: Int32, memberId: String, groupInstanceId: String? = nil) {
        self.groupId = groupId
        self.generationId = generationId
        self.memberId = memberId
        self.groupInstanceId = groupInstanceId
    }

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
    public static let api = ApiSpec.heartbeat

    public var throttleTimeMs: Int32 = 0
    public var errorCode: Int16 = 0

    public init() {}

    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        if v >= 1 { c.int32(&throttleTimeMs) }
        c.int16(&errorCode)
        c.noTaggedFields()
    }
}
