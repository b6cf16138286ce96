// LeaveGroup (key 13). Up to v2 one member; from v3 a batch of members.

/// Leaves a group. Value type; any thread.
public struct LeaveGroupRequest: KafkaRequest {
    public typealias Response = LeaveGroupResponse
    public static let api = ApiSpec.leaveGroup

    public struct Member: WireStruct {
        public var memberId = ""
        public var groupInstanceId: String? = nil
        public var reason: String? = nil
        public init() {}
        public init(memberId: String, groupInstanceId: String? = nil, reason: String? = nil) {
            self.memberId = memberId
            self.groupInstanceId = groupInstanceId
            self.reason = reason
        }
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.string(&memberId)
            c.nullableString(&groupInstanceId)
            if v >= 5 { c.nullableString(&reason) }
            c.noTaggedFields()
        }
    }

    public var groupId = ""
    /// Used up to v2.
    public var memberId = ""
    /// Used from v3.
    public var members: [Member] = []

    public init() {}
    public init(groupId: String, memberId: String) {
        self.groupId = groupId
        self.memberId = memberId
        self.members = [Member(memberId: memberId)]
    }

    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        c.string(&groupId)
        if v <= 2 { c.string(&memberId) } else { c.structs(&members, version: v) }
        c.noTaggedFields()
    }
}

/// The outcome (per member from v3). Value type; any thread.
public struct LeaveGroupResponse: KafkaResponse {
    public static let api = ApiSpec.leaveGroup

    public struct Member: WireStruct {
        public var memberId = ""
        public var groupInstanceId: String? = nil
        public var errorCode: Int16 = 0
        public init() {}
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.string(&memberId)
            c.nullableString(&groupInstanceId)
            c.int16(&errorCode)
            c.noTaggedFields()
        }
    }

    public var throttleTimeMs: Int32 = 0
    public var errorCode: Int16 = 0
    public var members: [Member] = []

    public init() {}

    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        if v >= 1 { c.int32(&throttleTimeMs) }
        c.int16(&errorCode)
        if v >= 3 { c.structs(&members, version: v) }
        c.noTaggedFields()
    }
}
