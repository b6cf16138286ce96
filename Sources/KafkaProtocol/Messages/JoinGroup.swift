// JoinGroup (key 11): the first step of the classic group protocol.

/// Joins a consumer group. Value type; any thread.
public struct JoinGroupRequest: KafkaRequest {
    /// The body the broker answers with.
    public typealias Response = JoinGroupResponse
    /// The API's row in `ApiSpec`.
    public static let api = ApiSpec.joinGroup

    /// One protocol the member can use, with its subscription in it.
    public struct GroupProtocol: WireStruct {
        /// The protocol (for consumers, the assignor, e.g. "range").
        public var name = ""
        /// The member's subscription, in that protocol's encoding.
        public var metadata: [UInt8] = []
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// The protocol `name` with `metadata`.
        public init(name: String, metadata: [UInt8]) {
            self.name = name
            self.metadata = metadata
        }
        /// Its fields in wire order at `v`, for `c` to write or read.
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.string(&name)
            c.bytes(&metadata)
            c.noTaggedFields()
        }
    }

    /// The consumer group.
    public var groupId = ""
    /// How long without a heartbeat before the coordinator drops the member, in milliseconds.
    public var sessionTimeoutMs: Int32 = 0
    /// How long the coordinator waits for every member to rejoin during a rebalance (v1+), in milliseconds; -1: the session timeout.
    public var rebalanceTimeoutMs: Int32 = -1
    /// "" on the first join; the id the coordinator gave after that (v4+ answers MEMBER_ID_REQUIRED with one).
    public var memberId = ""
    /// A static member's instance id (KIP-345); nil for a dynamic member.
    public var groupInstanceId: String? = nil
    /// The protocol type, "consumer" for consumers.
    public var protocolType = ""
    /// The protocols the member can use, most preferred first.
    public var protocols: [GroupProtocol] = []
    /// Why the member joins, for the broker's log (v8+).
    public var reason: String? = nil

    /// Every field at its default; decoding starts from this.
    public init() {}

    /// Its fields in wire order at `v`, for `c` to write or read.
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
    /// The API's row in `ApiSpec`.
    public static let api = ApiSpec.joinGroup

    /// A member, as told to the leader.
    public struct Member: WireStruct {
        /// The member's id.
        public var memberId = ""
        /// A static member's instance id (KIP-345); nil for a dynamic member.
        public var groupInstanceId: String? = nil
        /// Its subscription, in the chosen protocol's encoding.
        public var metadata: [UInt8] = []
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// Its fields in wire order at `v`, for `c` to write or read.
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.string(&memberId)
            if v >= 5 { c.nullableString(&groupInstanceId) }
            c.bytes(&metadata)
            c.noTaggedFields()
        }
    }

    /// How long the broker held the answer back for a quota, in milliseconds (0: not throttled).
    public var throttleTimeMs: Int32 = 0
    /// A Kafka error code: 0 for none, else see `KafkaErrorCode`.
    public var errorCode: Int16 = 0
    /// The new generation; -1 on error.
    public var generationId: Int32 = -1
    /// The protocol type (v7+).
    public var protocolType: String? = nil
    /// The protocol chosen for the generation; nil (v7+) if none.
    public var protocolName: String? = ""
    /// The leader's member id.
    public var leader = ""
    /// Whether the leader should skip the assignment (v9+; static members, KIP-814).
    public var skipAssignment = false
    /// This member's id, to use from now on.
    public var memberId = ""
    /// Every member with its subscription: for the leader only; empty for the others.
    public var members: [Member] = []

    /// Every field at its default; decoding starts from this.
    public init() {}

    /// Its fields in wire order at `v`, for `c` to write or read.
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
