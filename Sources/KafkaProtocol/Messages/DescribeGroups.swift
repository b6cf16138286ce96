// DescribeGroups (key 15).

/// Describes groups. Value type; any thread.
public struct DescribeGroupsRequest: KafkaRequest {
    public typealias Response = DescribeGroupsResponse
    public static let api = ApiSpec.describeGroups

    public var groups: [String] = []
    public var includeAuthorizedOperations = false

    public init() {}
    public init(groups: [String]) { self.groups = groups }

    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        c.strings(&groups)
        if v >= 3 { c.bool(&includeAuthorizedOperations) }
        c.noTaggedFields()
    }
}

/// State and members per group. Value type; any thread.
public struct DescribeGroupsResponse: KafkaResponse {
    public static let api = ApiSpec.describeGroups

    public struct Member: WireStruct {
        public var memberId = ""
        public var groupInstanceId: String? = nil
        public var clientId = ""
        public var clientHost = ""
        public var memberMetadata: [UInt8] = []
        public var memberAssignment: [UInt8] = []
        public init() {}
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.string(&memberId)
            if v >= 4 { c.nullableString(&groupInstanceId) }
            c.string(&clientId)
            c.string(&clientHost)
            c.bytes(&memberMetadata)
            c.bytes(&memberAssignment)
            c.noTaggedFields()
        }
    }

    public struct Group: WireStruct {
        public var errorCode: Int16 = 0
        public var groupId = ""
        public var groupState = ""
        public var protocolType = ""
        public var protocolData = ""
        public var members: [Member] = []
        public var authorizedOperations: Int32 = Int32.min
        public init() {}
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.int16(&errorCode)
            c.string(&groupId)
            c.string(&groupState)
            c.string(&protocolType)
            c.string(&protocolData)
            c.structs(&members, version: v)
            if v >= 3 { c.int32(&authorizedOperations) }
            c.noTaggedFields()
        }
    }

    public var throttleTimeMs: Int32 = 0
    public var groups: [Group] = []

    public init() {}

    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        if v >= 1 { c.int32(&throttleTimeMs) }
        c.structs(&groups, version: v)
        c.noTaggedFields()
    }
}
