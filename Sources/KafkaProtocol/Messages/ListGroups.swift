// ListGroups (key 16).

/// Lists the groups a broker coordinates, optionally filtered by state (v4+) and type (v5+).
/// Value type; any thread.
public struct ListGroupsRequest: KafkaRequest {
    /// The body the broker answers with.
    public typealias Response = ListGroupsResponse
    /// The API's row in `ApiSpec`.
    public static let api = ApiSpec.listGroups

    /// Only groups in these states (v4+); empty for all.
    public var statesFilter: [String] = []
    /// Only groups of these types, "classic" or "consumer" (v5+); empty for all.
    public var typesFilter: [String] = []

    /// Every field at its default; decoding starts from this.
    public init() {}

    /// Its fields in wire order at `v`, for `c` to write or read.
    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        if v >= 4 { c.strings(&statesFilter) }
        if v >= 5 { c.strings(&typesFilter) }
        c.noTaggedFields()
    }
}

/// The groups. Value type; any thread.
public struct ListGroupsResponse: KafkaResponse {
    /// The API's row in `ApiSpec`.
    public static let api = ApiSpec.listGroups

    /// One group.
    public struct Group: WireStruct {
        /// The consumer group.
        public var groupId = ""
        /// The protocol type, "consumer" for consumer groups ("" for simple ones).
        public var protocolType = ""
        /// The state (v4+).
        public var groupState = ""
        /// The type, "classic" or "consumer" (v5+).
        public var groupType = ""
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// Its fields in wire order at `v`, for `c` to write or read.
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.string(&groupId)
            c.string(&protocolType)
            if v >= 4 { c.string(&groupState) }
            if v >= 5 { c.string(&groupType) }
            c.noTaggedFields()
        }
    }

    /// How long the broker held the answer back for a quota, in milliseconds (0: not throttled).
    public var throttleTimeMs: Int32 = 0
    /// A Kafka error code: 0 for none, else see `KafkaErrorCode`.
    public var errorCode: Int16 = 0
    /// The groups this broker coordinates.
    public var groups: [Group] = []

    /// Every field at its default; decoding starts from this.
    public init() {}

    /// Its fields in wire order at `v`, for `c` to write or read.
    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        if v >= 1 { c.int32(&throttleTimeMs) }
        c.int16(&errorCode)
        c.structs(&groups, version: v)
        c.noTaggedFields()
    }
}
