// SyncGroup (key 14): the leader hands out assignments; every member receives its own.

/// Sends the leader's assignments (empty for followers). Value type; any thread.
public struct SyncGroupRequest: KafkaRequest {
    /// The body the broker answers with.
    public typealias Response = SyncGroupResponse
    /// The API's row in `ApiSpec`.
    public static let api = ApiSpec.syncGroup

    /// One member's assignment, sent by the leader.
    public struct Assignment: WireStruct {
        /// The member's id.
        public var memberId = ""
        /// Its assignment, in the group protocol's encoding.
        public var assignment: [UInt8] = []
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// `memberId`'s `assignment`.
        public init(memberId: String, assignment: [UInt8]) {
            self.memberId = memberId
            self.assignment = assignment
        }
        /// Its fields in wire order at `v`, for `c` to write or read.
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.string(&memberId)
            c.bytes(&assignment)
            c.noTaggedFields()
        }
    }

    /// The consumer group.
    public var groupId = ""
    /// The group generation the member belongs to.
    public var generationId: Int32 = 0
    /// This member's id.
    public var memberId = ""
    /// A static member's instance id (KIP-345); nil for a dynamic member.
    public var groupInstanceId: String? = nil
    /// The protocol type (v5+), checked by the coordinator.
    public var protocolType: String? = nil
    /// The protocol chosen (v5+), checked by the coordinator.
    public var protocolName: String? = nil
    /// Every member's assignment from the leader; empty from the others.
    public var assignments: [Assignment] = []

    /// Every field at its default; decoding starts from this.
    public init() {}

    /// Its fields in wire order at `v`, for `c` to write or read.
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
    /// The API's row in `ApiSpec`.
    public static let api = ApiSpec.syncGroup

    /// How long the broker held the answer back for a quota, in milliseconds (0: not throttled).
    public var throttleTimeMs: Int32 = 0
    /// A Kafka error code: 0 for none, else see `KafkaErrorCode`.
    public var errorCode: Int16 = 0
    /// The protocol type (v5+).
    public var protocolType: String? = nil
    /// The protocol chosen (v5+).
    public var protocolName: String? = nil
    /// This member's assignment, in the group protocol's encoding.
    public var assignment: [UInt8] = []

    /// Every field at its default; decoding starts from this.
    public init() {}

    /// Its fields in wire order at `v`, for `c` to write or read.
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
