// CreateTopics (key 19).

/// Creates topics. Value type; any thread.
public struct CreateTopicsRequest: KafkaRequest {
    public typealias Response = CreateTopicsResponse
    public static let api = ApiSpec.createTopics

    public struct Assignment: WireStruct {
        public var partitionIndex: Int32 = 0
        public var brokerIds: [Int32] = []
        public init() {}
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.int32(&partitionIndex)
            c.int32s(&brokerIds)
            c.noTaggedFields()
        }
    }

    public struct Config: WireStruct {
        public var name = ""
        public var value: String? = nil
        public init() {}
        public init(name: String, value: String?) {
            self.name = name
            self.value = value
        }
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.string(&name)
            c.nullableString(&value)
            c.noTaggedFields()
        }
    }

    public struct Topic: WireStruct {
        public var name = ""
        /// -1: the broker's default.
        public var numPartitions: Int32 = -1
        /// -1: the broker's default.
        public var replicationFactor: Int16 = -1
        public var assignments: [Assignment] = []
        public var configs: [Config] = []
        public init() {}
        public init(name: String, numPartitions: Int32, replicationFactor: Int16, configs: [Config] = []) {
            self.name = name
            self.numPartitions = numPartitions
            self.replicationFactor = replicationFactor
            self.configs = configs
        }
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.string(&name)
            c.int32(&numPartitions)
            c.int16(&replicationFactor)
            c.structs(&assignments, version: v)
            c.structs(&configs, version: v)
            c.noTaggedFields()
        }
    }

    public var topics: [Topic] = []
    public var timeoutMs: Int32 = 60_000
    public var validateOnly = false

    public init() {}

    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        c.structs(&topics, version: v)
        c.int32(&timeoutMs)
        if v >= 1 { c.bool(&validateOnly) }
        c.noTaggedFields()
    }
}

/// The outcome per topic. Value type; any thread.
public struct CreateTopicsResponse: KafkaResponse {
    public static let api = ApiSpec.createTopics

    public struct Config: WireStruct {
        public var name = ""
        public var value: String? = nil
        public var readOnly = false
        public var configSource: Int8 = -1
        public var isSensitive = false
        public init() {}
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.string(&name)
            c.nullableString(&value)
            c.bool(&readOnly)
            c.int8(&configSource)
            c.bool(&isSensitive)
            c.noTaggedFields()
        }
    }

    public struct Topic: WireStruct {
        public var name = ""
        public var topicId = KafkaUUID.zero
        public var errorCode: Int16 = 0
        public var errorMessage: String? = nil
        public var topicConfigErrorCode: Int16 = 0
        public var numPartitions: Int32 = -1
        public var replicationFactor: Int16 = -1
        public var configs: [Config]? = nil
        public init() {}
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

    public var throttleTimeMs: Int32 = 0
    public var topics: [Topic] = []

    public init() {}

    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        if v >= 2 { c.int32(&throttleTimeMs) }
        c.structs(&topics, version: v)
        c.noTaggedFields()
    }
}
