// JoinGroup (key 11): the first step of the classic group protocol.

/// Joins a consumer group. Value type; any thread.
public struct JoinGroupRequest: KafkaRequest {
    public typealias Response = JoinGroupResponse
    public static let api = ApiSpec.joinGroup

    public struct GroupProtocol: WireStruct {
        public var name = ""
        public var metadata: [UInt8] = []
        public init() {}
        public init(name: String, metadata: [UInt8]) {
            self.name = name
            self.metadata = metadata
        }
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.string(&name)
            c.bytes(&metadata)
            c.noTaggedFields()
        }
    }

    public var groupId = ""
    public var sessionTimeoutMs: Int32 = 0
    public var rebalanceTimeoutMs: Int32 = -1
    public var memberId = ""
    public var groupInstanceId: String? = nil
    public var protocolType = ""
    public var protocols: [GroupProtocol] = []
    public var reason: String? = nil

    public init() {}

    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        c.string(&groupId)
        c.int32(&sessionTimeoutMs)
        if v >= 1 { c.int32(&rebalanceTimeoutMs) }
        c.string(&memberId)
        if v >= 5 { c.nullableString(&groupInstanceId) }
        c.string(&protocolType)
        c.structs(&protocols, version: v)
        if v >= 8 { c.nullableString(&reason) }
        c.noTaggedFields()
    }
}

/// The generation, the chosen protocol and (for the leader) the members. Value type; any thread.
public struct JoinGroupResponse: KafkaResponse {
    public static let api = ApiSpec.joinGroup

    public struct Member: WireStruct {
        public var memberId = ""
        public var groupInstanceId: String? = nil
        public var metadata: [UInt8] = []
        public init() {}
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.string(&memberId)
            if v >= 5 { c.nullableString(&groupInstanceId) }
            c.bytes(&metadata)
            c.noTaggedFields()
        }
    }

    public var throttleTimeMs: Int32 = 0
    public var errorCode: Int16 = 0
    public var generationId: Int32 = -1
    public var protocolType: String? = nil
    public var protocolName: String? = ""
    public var leader = ""
    public var skipAssignment = false
    public var memberId = ""
    public var members: [Member] = []

    public init() {}

    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        if v >= 2 { c.int32(&throttleTimeMs) }
        c.int16(&errorCode)
        c.int32(&generationId)
        if v >= 7 { c.nullableString(&protocolType) }
        c.string(&protocolName, nullable: v >= 7)
        c.string(&leader)
        if v >= 9 { c.bool(&skipAssignment) }
        c.string(&memberId)
        c.structs(&members, version: v)
        c.noTaggedFields()
    }
}
