// FindCoordinator (key 10): which broker coordinates a group or transactional id. Up to v3
// one key per request; from v4 a batch of keys.

/// Finds the coordinator of one key (v0–3) or several (v4+). Value type; any thread.
public struct FindCoordinatorRequest: KafkaRequest {
    public typealias Response = FindCoordinatorResponse
    public static let api = ApiSpec.findCoordinator

    /// Used up to v3.
    public var key = ""
    /// 0: group, 1: transaction (v1+).
    public var keyType: Int8 = 0
    /// Used from v4.
    public var coordinatorKeys: [String] = []

    public init() {}
    public init(key: String, keyType: Int8 = 0) {
        self.key = key
        self.keyType = keyType
        self.coordinatorKeys = [key]
    }

    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        if v <= 3 { c.string(&key) }
        if v >= 1 { c.int8(&keyType) }
        if v >= 4 { c.strings(&coordinatorKeys) }
        c.noTaggedFields()
    }
}

/// The coordinator (v0–3) or one coordinator per key (v4+). Value type; any thread.
public struct FindCoordinatorResponse: KafkaResponse {
    public static let api = ApiSpec.findCoordinator

    public struct Coordinator: WireStruct {
        public var key = ""
        public var nodeId: Int32 = 0
        public var host = ""
        public var port: Int32 = 0
        public var errorCode: Int16 = 0
        public var errorMessage: String? = nil
        public init() {}
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

    public var throttleTimeMs: Int32 = 0
    public var errorCode: Int16 = 0
    public var errorMessage: String? = nil
    public var nodeId: Int32 = 0
    public var host = ""
    public var port: Int32 = 0
    public var coordinators: [Coordinator] = []

    public init() {}

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
