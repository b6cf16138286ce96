// ListGroups (key 16).

/// Lists the groups a broker coordinates, optionally filtered by state (v4+) and type (v5+).
/// Value type; any thread.
public struct ListGroupsRequest: KafkaRequest {
    public typealias Response = ListGroupsResponse
    public static let api = ApiSpec.listGroups

    public var statesFilter: [String] = []
    public var typesFilter: [String] = []

    public init() {}

    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        if v >= 4 { c.strings(&statesFilter) }
        if v >= 5 { c.strings(&typesFilter) }
        c.noTaggedFields()
    }
}

/// The groups. Value type; any thread.
public struct ListGroupsResponse: KafkaResponse {
    public static let api = ApiSpec.listGroups

    public struct Group: WireStruct {
        public var groupId = ""
        public var protocolType = ""
        public var groupState = ""
        public var groupType = ""
        public init() {}
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.string(&groupId)
            c.string(&protocolType)
            if v >= 4 { c.string(&groupState) }
            if v >= 5 { c.string(&groupType) }
            c.noTaggedFields()
        }
    }

    public var throttleTimeMs: Int32 = 0
    public var errorCode: Int16 = 0
    public var groups: [Group] = []

    public init() {}

    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        if v >= 1 { c.int32(&throttleTimeMs) }
        c.int16(&errorCode)
        c.structs(&groups, version: v)
        c.noTaggedFields()
    }
}
