// DeleteTopics (key 20). Up to v5 topics are named; from v6 by name or topic id.

/// Deletes topics. Value type; any thread.
public struct DeleteTopicsRequest: KafkaRequest {
    public typealias Response = DeleteTopicsResponse
    public static let api = ApiSpec.deleteTopics

    public struct Topic: WireStruct {
        public var name: String? = nil
        public var topicId = KafkaUUID.zero
        public init() {}
        public init(name: String?, topicId: KafkaUUID = .zero) {
            self.name = name
            self.topicId = topicId
        }
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.nullableString(&name)
            c.uuid(&topicId)
            c.noTaggedFields()
        }
    }

    /// Used from v6.
    public var topics: [Topic] = []
    /// Used up to v5.
    public var topicNames: [String] = []
    public var timeoutMs: Int32 = 30_000

    public init() {}
    public init(names: [String], timeoutMs: Int32) {
        self.topicNames = names
        self.topics = names.map { Topic(name: $0) }
        self.timeoutMs = timeoutMs
    }

    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        if v >= 6 { c.structs(&topics, version: v) } else { c.strings(&topicNames) }
        c.int32(&timeoutMs)
        c.noTaggedFields()
    }
}

/// The outcome per topic. Value type; any thread.
public struct DeleteTopicsResponse: KafkaResponse {
    public static let api = ApiSpec.deleteTopics

    public struct Result: WireStruct {
        public var name: String? = ""
        public var topicId = KafkaUUID.zero
        public var errorCode: Int16 = 0
        public var errorMessage: String? = nil
        public init() {}
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.string(&name, nullable: v >= 6)
            if v >= 6 { c.uuid(&topicId) }
            c.int16(&errorCode)
            if v >= 5 { c.nullableString(&errorMessage) }
            c.noTaggedFields()
        }
    }

    public var throttleTimeMs: Int32 = 0
    public var responses: [Result] = []

    public init() {}

    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        if v >= 1 { c.int32(&throttleTimeMs) }
        c.structs(&responses, version: v)
        c.noTaggedFields()
    }
}
