// SyncGroup (key 14): the leader hands out assignments; every member receives its own.

/// Sends the leader's assignments (empty for followers). Value type; any thread.
public struct SyncGroupRequest: KafkaRequest {
    public typealias Response = SyncGroupResponse
    public static let api = ApiSpec.syncGroup

    public struct Assignment: WireStruct {
        public var memberId = ""
        public var assignment: [UInt8] = []
        public init() {}
        public init(memberId: String, assignment: [UInt8]) {
            self.memberId = memberId
            self.assignment = assignment
        }
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.string(&memberId)
            c.bytes(&assignment)
            c.noTaggedFields()
        }
    }

    public var groupId = ""
    public var generationId: Int32 = 0
    public var memberId = ""
    public var groupInstanceId: String? = nil
    public var protocolType: String? = nil
    public var protocolName: String? = nil
    public var assignments: [Assignment] = []

    public init() {}

    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        c.string(&groupId)
        c.int32(&generationId)
        c.string(&memberId)
        if v >= 3 { c.nullableString(&groupInstanceId) }
        if v >= 5 {
            c.nullableString(&protocolType)
            c.nullableString(&protocolName)
        }
        c.structs(&assignments, version: v)
        c.noTaggedFields()
    }
}

/// This member's assignment. Value type; any thread.
public struct SyncGroupResponse: KafkaResponse {
    public static let api = ApiSpec.syncGroup

    public var throttleTimeMs: Int32 = 0
    public var errorCode: Int16 = 0
    public var protocolType: String? = nil
    public var protocolName: String? = nil
    public var assignment: [UInt8] = []

    public init() {}

    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        if v >= 1 { c.int32(&throttleTimeMs) }
        c.int16(&errorCode)
        if v >= 5 {
            c.nullableString(&protocolType)
            c.nullableString(&protocolName)
        }
        c.bytes(&assignment)
        c.noTaggedFields()
    }
}
