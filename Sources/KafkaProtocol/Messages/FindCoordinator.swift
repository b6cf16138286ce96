// FindCoordinator (key 10): which broker coordinates a group or transactional id. Up to v3
// one key per request; from v4 a batch of keys.

/// Finds the coordinator of one key (v0–3) or several (v4+). Value type; any thread.
public struct FindCoordinatorRequest: KafkaRequest {
    /// The body the broker answers with.
    public typealias Response = FindCoordinatorResponse
    /// The API's row in `ApiSpec`.
    public static let api = ApiSpec.findCoordinator

    /// Used up to v3.
    public var key = ""
    /// 0: group, 1: transaction (v1+).
    public var keyType: Int8 = 0
    /// Used from v4.
    public var coordinatorKeys: [String] = []

    /// Every field at its default; decoding starts from this.
    public init() {}
    /// Finds the coordinator of `key` (a group id for `keyType` 0), in every version.
    public init(key: String, keyType: Int8 = 0) {
        self.key = key
        self.keyType = keyType
        self.coordinatorKeys = [key]
    }

    /// Its fields in wire order at `v`, for `c` to write or read.
    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        if v <= 3 { c.string(&key) }
        if v >= 1 { c.int8(&keyType) }
        if v >= 4 { c.strings(&coordinatorKeys) }
        c.noTaggedFields()
    }
}

/// The coordinator (v0–3) or one coordinator per key (v4+). Value type; any thread.
public struct FindCoordinatorResponse: KafkaResponse {
    /// The API's row in `ApiSpec`.
    public static let api = ApiSpec.findCoordinator

    /// One key's coordinator (v4+).
    public struct Coordinator: WireStruct {
        /// The group id or transactional id asked about.
        public var key = ""
        /// The coordinator's node id; -1 on error.
        public var nodeId: Int32 = 0
        /// The coordinator's host.
        public var host = ""
        /// The coordinator's port.
        public var port: Int32 = 0
        /// A Kafka error code: 0 for none, else see `KafkaErrorCode`.
        public var errorCode: Int16 = 0
        /// The broker's own words on the error, if it gave any.
        public var errorMessage: String? = nil
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// Its fields in wire order at `v`, for `c` to write or read.
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.string(&key)
            c.int32(&nodeId)
            c.string(&host)
            c.int32(&port)
            c.int16(&errorCode)
            c.nullableString(&errorMessage)
            c.noTaggedFields()
        }
    }

    /// How long the broker held the answer back for a quota, in milliseconds (0: not throttled).
    public var throttleTimeMs: Int32 = 0
    /// A Kafka error code (up to v3).
    public var errorCode: Int16 = 0
    /// The broker's words on the error (v1–3).
    public var errorMessage: String? = nil
    /// The coordinator's node id (up to v3); -1 on error.
    public var nodeId: Int32 = 0
    /// The coordinator's host (up to v3).
    public var host = ""
    /// The coordinator's port (up to v3).
    public var port: Int32 = 0
    /// One coordinator per key asked for (v4+).
    public var coordinators: [Coordinator] = []

    /// Every field at its default; decoding starts from this.
    public init() {}

    /// Its fields in wire order at `v`, for `c` to write or read.
    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        if v >= 1 { c.int32(&throttleTimeMs) }
        if v <= 3 {
            c.int16(&errorCode)
            if v >= 1 { c.nullableString(&errorMessage) }
            c.int32(&nodeId)
            c.string(&host)
            c.int32(&port)
        } else {
            c.structs(&coordinators, version: v)
        }
        c.noTaggedFields()
    }
}
