// LeaveGroup (key 13). Up to v2 one member; from v3 a batch of members.

/// Leaves a group. Value type; any thread.
public struct LeaveGroupRequest: KafkaRequest {
    /// The body the broker answers with.
    public typealias Response = LeaveGroupResponse
    /// The API's row in `ApiSpec`.
    public static let api = ApiSpec.leaveGroup

    /// A member that leaves (v3+).
    public struct Member: WireStruct {
        /// The member's id.
        public var memberId = ""
        /// A static member's instance id (KIP-345); nil for a dynamic member.
        public var groupInstanceId: String? = nil
        /// Why it leaves, for the broker's log (v5+).
        public var reason: String? = nil
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// The member `memberId` leaving.
        public init(memberId: String, groupInstanceId: String? = nil, reason: String? = nil) {
            self.memberId = memberId
            self.groupInstanceId = groupInstanceId
            self.reason = reason
        }
        /// Its fields in wire order at `v`, for `c` to write or read.
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.string(&memberId)
            c.nullableString(&groupInstanceId)
            if v >= 5 { c.nullableString(&reason) }
            c.noTaggedFields()
        }
    }

    /// The consumer group.
    public var groupId = ""
    /// Used up to v2.
    public var memberId = ""
    /// Used from v3.
    public var members: [Member] = []

    /// Every field at its default; decoding starts from this.
    public init() {}
    /// `memberId` leaves `groupId` (as the single member up to v2, as the one entry of `members` later).
    public init(groupId: String, memberId: String) {
        self.groupId = groupId
        self.memberId = memberId
        self.members = [Member(memberId: memberId)]
    }

    /// Its fields in wire order at `v`, for `c` to write or read.
    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        c.string(&groupId)
        if v <= 2 { c.string(&memberId) } else { c.structs(&members, version: v) }
        c.noTaggedFields()
    }
}

/// The outcome (per member from v3). Value type; any thread.
public struct LeaveGroupResponse: KafkaResponse {
    /// The API's row in `ApiSpec`.
    public static let api = ApiSpec.leaveGroup

    /// The outcome for one member (v3+).
    public struct Member: WireStruct {
        /// The member's id.
        public var memberId = ""
        /// A static member's instance id (KIP-345); nil for a dynamic member.
        public var groupInstanceId: String? = nil
        /// A Kafka error code: 0 if it left.
        public var errorCode: Int16 = 0
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// Its fields in wire order at `v`, for `c` to write or read.
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.string(&memberId)
            c.nullableString(&groupInstanceId)
            c.int16(&errorCode)
            c.noTaggedFields()
        }
    }

    /// How long the broker held the answer back for a quota, in milliseconds (0: not throttled).
    public var throttleTimeMs: Int32 = 0
    /// A Kafka error code for the request as a whole.
    public var errorCode: Int16 = 0
    /// One outcome per member (v3+).
    public var members: [Member] = []

    /// Every field at its default; decoding starts from this.
    public init() {}

    /// Its fields in wire order at `v`, for `c` to write or read.
    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        if v >= 1 { c.int32(&throttleTimeMs) }
        c.int16(&errorCode)
        if v >= 3 { c.structs(&members, version: v) }
        c.noTaggedFields()
    }
}
