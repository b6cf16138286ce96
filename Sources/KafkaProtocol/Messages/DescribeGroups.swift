// DescribeGroups (key 15).

/// Describes groups. Value type; any thread.
public struct DescribeGroupsRequest: KafkaRequest {
    /// The body the broker answers with.
    public typealias Response = DescribeGroupsResponse
    /// The API's row in `ApiSpec`.
    public static let api = ApiSpec.describeGroups

    /// The groups to describe.
    public var groups: [String] = []
    /// Whether to return what this client may do with each group (v3+).
    public var includeAuthorizedOperations = false

    /// Every field at its default; decoding starts from this.
    public init() {}
    /// Describes `groups`.
    public init(groups: [String]) { self.groups = groups }

    /// Its fields in wire order at `v`, for `c` to write or read.
    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        c.strings(&groups)
        if v >= 3 { c.bool(&includeAuthorizedOperations) }
        c.noTaggedFields()
    }
}

/// State and members per group. Value type; any thread.
public struct DescribeGroupsResponse: KafkaResponse {
    /// The API's row in `ApiSpec`.
    public static let api = ApiSpec.describeGroups

    /// One member of a group.
    public struct Member: WireStruct {
        /// The id the coordinator gave the member.
        public var memberId = ""
        /// A static member's instance id (KIP-345); nil for a dynamic member.
        public var groupInstanceId: String? = nil
        /// The client id the member connects with.
        public var clientId = ""
        /// The host the member connects from.
        public var clientHost = ""
        /// The member's subscription, in the group protocol's encoding.
        public var memberMetadata: [UInt8] = []
        /// The member's assignment, in the group protocol's encoding.
        public var memberAssignment: [UInt8] = []
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// Its fields in wire order at `v`, for `c` to write or read.
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

    /// One group and its members.
    public struct Group: WireStruct {
        /// A Kafka error code: 0 for none, else see `KafkaErrorCode`.
        public var errorCode: Int16 = 0
        /// The consumer group.
        public var groupId = ""
        /// The state, e.g. "Stable", "PreparingRebalance", "Empty", "Dead".
        public var groupState = ""
        /// The protocol type, "consumer" for consumer groups.
        public var protocolType = ""
        /// The chosen protocol (for consumers, the assignor, e.g. "range").
        public var protocolData = ""
        /// The members.
        public var members: [Member] = []
        /// A bit set of the ACL operations this client may do on the group (v3+); `Int32.min` if not asked.
        public var authorizedOperations: Int32 = Int32.min
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// Its fields in wire order at `v`, for `c` to write or read.
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

    /// How long the broker held the answer back for a quota, in milliseconds (0: not throttled).
    public var throttleTimeMs: Int32 = 0
    /// One entry per group asked for.
    public var groups: [Group] = []

    /// Every field at its default; decoding starts from this.
    public init() {}

    /// Its fields in wire order at `v`, for `c` to write or read.
    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        if v >= 1 { c.int32(&throttleTimeMs) }
        c.structs(&groups, version: v)
        c.noTaggedFields()
    }
}
