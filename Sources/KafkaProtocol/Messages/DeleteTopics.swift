// DeleteTopics (key 20). Up to v5 topics are named; from v6 by name or topic id.

/// Deletes topics. Value type; any thread.
public struct DeleteTopicsRequest: KafkaRequest {
    /// The body the broker answers with.
    public typealias Response = DeleteTopicsResponse
    /// The API's row in `ApiSpec`.
    public static let api = ApiSpec.deleteTopics

    /// A topic to delete, by name or by id (v6+).
    public struct Topic: WireStruct {
        /// The name; nil when `topicId` names it.
        public var name: String? = nil
        /// The topic's UUID; zero where the name is used instead.
        public var topicId = KafkaUUID.zero
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// The topic `name`, or the one with `topicId`.
        public init(name: String?, topicId: KafkaUUID = .zero) {
            self.name = name
            self.topicId = topicId
        }
        /// Its fields in wire order at `v`, for `c` to write or read.
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
    /// How long the broker waits for the deletion, in milliseconds.
    public var timeoutMs: Int32 = 30_000

    /// Every field at its default; decoding starts from this.
    public init() {}
    /// Deletes the topics `names` (sent as names in every version).
    public init(names: [String], timeoutMs: Int32) {
        self.topicNames = names
        self.topics = names.map { Topic(name: $0) }
        self.timeoutMs = timeoutMs
    }

    /// Its fields in wire order at `v`, for `c` to write or read.
    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        if v >= 6 { c.structs(&topics, version: v) } else { c.strings(&topicNames) }
        c.int32(&timeoutMs)
        c.noTaggedFields()
    }
}

/// The outcome per topic. Value type; any thread.
public struct DeleteTopicsResponse: KafkaResponse {
    /// The API's row in `ApiSpec`.
    public static let api = ApiSpec.deleteTopics

    /// The outcome for one topic.
    public struct Result: WireStruct {
        /// The topic's name; nil (v6+) when it was asked for by id and is unknown.
        public var name: String? = ""
        /// The topic's UUID; zero where the name is used instead.
        public var topicId = KafkaUUID.zero
        /// A Kafka error code: 0 if deleted.
        public var errorCode: Int16 = 0
        /// The broker's own words on the error, if it gave any.
        public var errorMessage: String? = nil
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// Its fields in wire order at `v`, for `c` to write or read.
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.string(&name, nullable: v >= 6)
            if v >= 6 { c.uuid(&topicId) }
            c.int16(&errorCode)
            if v >= 5 { c.nullableString(&errorMessage) }
            c.noTaggedFields()
        }
    }

    /// How long the broker held the answer back for a quota, in milliseconds (0: not throttled).
    public var throttleTimeMs: Int32 = 0
    /// One outcome per topic asked for.
    public var responses: [Result] = []

    /// Every field at its default; decoding starts from this.
    public init() {}

    /// Its fields in wire order at `v`, for `c` to write or read.
    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        if v >= 1 { c.int32(&throttleTimeMs) }
        c.structs(&responses, version: v)
        c.noTaggedFields()
    }
}
