// DeleteGroups (key 42). Only an empty group (no members) can be deleted.

/// Deletes consumer groups and their committed offsets. Value type; any thread.
public struct DeleteGroupsRequest: KafkaRequest {
    /// The body the broker answers with.
    public typealias Response = DeleteGroupsResponse
    /// The API's row in `ApiSpec`.
    public static let api = ApiSpec.deleteGroups

    /// The groups to delete (all coordinated by the broker asked).
    public var groupsNames: [String] = []

    /// Every field at its default; decoding starts from this.
    public init() {}
    /// Deletes `groups`.
    public init(groups: [String]) { self.groupsNames = groups }

    /// Its fields in wire order at `v`, for `c` to write or read.
    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        c.strings(&groupsNames)
        c.noTaggedFields()
    }
}

/// The outcome per group. Value type; any thread.
public struct DeleteGroupsResponse: KafkaResponse {
    /// The API's row in `ApiSpec`.
    public static let api = ApiSpec.deleteGroups

    /// The outcome for one group.
    public struct Result: WireStruct {
        /// The group.
        public var groupId = ""
        /// A Kafka error code: 0 if deleted, e.g. NON_EMPTY_GROUP or GROUP_ID_NOT_FOUND.
        public var errorCode: Int16 = 0
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// Its fields in wire order at `v`, for `c` to write or read.
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.string(&groupId)
            c.int16(&errorCode)
            c.noTaggedFields()
        }
    }

    /// How long the broker held the answer back for a quota, in milliseconds (0: not throttled).
    public var throttleTimeMs: Int32 = 0
    /// One outcome per group asked for.
    public var results: [Result] = []

    /// Every field at its default; decoding starts from this.
    public init() {}

    /// Its fields in wire order at `v`, for `c` to write or read.
    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        c.int32(&throttleTimeMs)
        c.structs(&results, version: v)
        c.noTaggedFields()
    }
}
