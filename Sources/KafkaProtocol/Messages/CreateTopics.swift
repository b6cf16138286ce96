// CreateTopics (key 19).

/// Creates topics. Value type; any thread.
public struct CreateTopicsRequest: KafkaRequest {
    /// The body the broker answers with.
    public typealias Response = CreateTopicsResponse
    /// The API's row in `ApiSpec`.
    public static let api = ApiSpec.createTopics

    /// One partition's replicas, chosen by hand.
    public struct Assignment: WireStruct {
        /// The partition number.
        public var partitionIndex: Int32 = 0
        /// The brokers holding its replicas, the preferred leader first.
        public var brokerIds: [Int32] = []
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// Its fields in wire order at `v`, for `c` to write or read.
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.int32(&partitionIndex)
            c.int32s(&brokerIds)
            c.noTaggedFields()
        }
    }

    /// A topic configuration entry, e.g. "retention.ms".
    public struct Config: WireStruct {
        /// The configuration key.
        public var name = ""
        /// The value; nil for the broker's default.
        public var value: String? = nil
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// The entry `name` = `value`.
        public init(name: String, value: String?) {
            self.name = name
            self.value = value
        }
        /// Its fields in wire order at `v`, for `c` to write or read.
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.string(&name)
            c.nullableString(&value)
            c.noTaggedFields()
        }
    }

    /// One topic to create.
    public struct Topic: WireStruct {
        /// The topic's name.
        public var name = ""
        /// -1: the broker's default.
        public var numPartitions: Int32 = -1
        /// -1: the broker's default.
        public var replicationFactor: Int16 = -1
        /// Replicas by hand; empty to let the broker place them (then `numPartitions` and `replicationFactor` count).
        public var assignments: [Assignment] = []
        /// Configuration that differs from the broker's defaults.
        public var configs: [Config] = []
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// A topic with `numPartitions` partitions of `replicationFactor` replicas each (-1: the broker's default).
        public init(name: String, numPartitions: Int32, replicationFactor: Int16, configs: [Config] = []) {
            self.name = name
            self.numPartitions = numPartitions
            self.replicationFactor = replicationFactor
            self.configs = configs
        }
        /// Its fields in wire order at `v`, for `c` to write or read.
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.string(&name)
            c.int32(&numPartitions)
            c.int16(&replicationFactor)
            c.structs(&assignments, version: v)
            c.structs(&configs, version: v)
            c.noTaggedFields()
        }
    }

    /// The topics to create.
    public var topics: [Topic] = []
    /// How long the broker waits for the topics to be created, in milliseconds.
    public var timeoutMs: Int32 = 60_000
    /// Only check the request; create nothing.
    public var validateOnly = false

    /// Every field at its default; decoding starts from this.
    public init() {}

    /// Its fields in wire order at `v`, for `c` to write or read.
    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        c.structs(&topics, version: v)
        c.int32(&timeoutMs)
        if v >= 1 { c.bool(&validateOnly) }
        c.noTaggedFields()
    }
}

/// The outcome per topic. Value type; any thread.
public struct CreateTopicsResponse: KafkaResponse {
    /// The API's row in `ApiSpec`.
    public static let api = ApiSpec.createTopics

    /// A configuration entry of the created topic (v5+).
    public struct Config: WireStruct {
        /// The configuration key.
        public var name = ""
        /// The value; nil if sensitive.
        public var value: String? = nil
        /// Whether it cannot be changed.
        public var readOnly = false
        /// Where the value comes from (Kafka's `ConfigSource`: 1 topic, 4 static broker, 5 default, ...); -1 unknown.
        public var configSource: Int8 = -1
        /// Whether the value is a secret (then it is not sent).
        public var isSensitive = false
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// Its fields in wire order at `v`, for `c` to write or read.
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.string(&name)
            c.nullableString(&value)
            c.bool(&readOnly)
            c.int8(&configSource)
            c.bool(&isSensitive)
            c.noTaggedFields()
        }
    }

    /// The outcome for one topic.
    public struct Topic: WireStruct {
        /// The topic's name.
        public var name = ""
        /// The topic's UUID; zero where the name is used instead.
        public var topicId = KafkaUUID.zero
        /// A Kafka error code: 0 if created, e.g. TOPIC_ALREADY_EXISTS otherwise.
        public var errorCode: Int16 = 0
        /// The broker's own words on the error, if it gave any.
        public var errorMessage: String? = nil
        /// Why the configs could not be returned (tagged, v5+); 0 if they were.
        public var topicConfigErrorCode: Int16 = 0
        /// The partitions it got (v5+); -1 if unknown.
        public var numPartitions: Int32 = -1
        /// The replicas per partition it got (v5+); -1 if unknown.
        public var replicationFactor: Int16 = -1
        /// Its configuration (v5+); nil if not sent.
        public var configs: [Config]? = nil
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// Its fields in wire order at `v`, for `c` to write or read.
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.string(&name)
            if v >= 7 { c.uuid(&topicId) }
            c.int16(&errorCode)
            if v >= 1 { c.nullableString(&errorMessage) }
            if v >= 5 {
                c.int32(&numPartitions)
                c.int16(&replicationFactor)
                c.nullableStructs(&configs, version: v)
            }
            c.taggedFields { t in
                t.field(0, present: topicConfigErrorCode != 0) { c in c.int16(&topicConfigErrorCode) }
            }
        }
    }

    /// How long the broker held the answer back for a quota, in milliseconds (0: not throttled).
    public var throttleTimeMs: Int32 = 0
    /// One outcome per topic asked for.
    public var topics: [Topic] = []

    /// Every field at its default; decoding starts from this.
    public init() {}

    /// Its fields in wire order at `v`, for `c` to write or read.
    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        if v >= 2 { c.int32(&throttleTimeMs) }
        c.structs(&topics, version: v)
        c.noTaggedFields()
    }
}
