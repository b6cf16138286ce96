// CreatePartitions (key 37). Only ever adds partitions; a topic cannot shrink.

/// Raises topics' partition counts. Value type; any thread.
public struct CreatePartitionsRequest: KafkaRequest {
    /// The body the broker answers with.
    public typealias Response = CreatePartitionsResponse
    /// The API's row in `ApiSpec`.
    public static let api = ApiSpec.createPartitions

    /// The replicas of one new partition, chosen by hand.
    public struct Assignment: WireStruct {
        /// The brokers holding its replicas, the preferred leader first.
        public var brokerIds: [Int32] = []
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// Its fields in wire order at `v`, for `c` to write or read.
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.int32s(&brokerIds)
            c.noTaggedFields()
        }
    }

    /// One topic and the partition count it should have.
    public struct Topic: WireStruct {
        /// The topic's name.
        public var name = ""
        /// The new total number of partitions (not the number added).
        public var count: Int32 = 0
        /// One entry per new partition, or nil to let the broker place them.
        public var assignments: [Assignment]? = nil
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// `name` grown to `count` partitions, placed by the broker.
        public init(name: String, count: Int32) {
            self.name = name
            self.count = count
        }
        /// Its fields in wire order at `v`, for `c` to write or read.
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.string(&name)
            c.int32(&count)
            c.nullableStructs(&assignments, version: v)
            c.noTaggedFields()
        }
    }

    /// The topics to grow.
    public var topics: [Topic] = []
    /// How long the broker waits for the partitions to be created, in milliseconds.
    public var timeoutMs: Int32 = 30_000
    /// Only check the request; change nothing.
    public var validateOnly = false

    /// Every field at its default; decoding starts from this.
    public init() {}

    /// Its fields in wire order at `v`, for `c` to write or read.
    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        c.structs(&topics, version: v)
        c.int32(&timeoutMs)
        c.bool(&validateOnly)
        c.noTaggedFields()
    }
}

/// The outcome per topic. Value type; any thread.
public struct CreatePartitionsResponse: KafkaResponse {
    /// The API's row in `ApiSpec`.
    public static let api = ApiSpec.createPartitions

    /// The outcome for one topic.
    public struct Result: WireStruct {
        /// The topic's name.
        public var name = ""
        /// A Kafka error code: 0 if the partitions were created.
        public var errorCode: Int16 = 0
        /// The broker's own words on the error, if it gave any.
        public var errorMessage: String? = nil
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// Its fields in wire order at `v`, for `c` to write or read.
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.string(&name)
            c.int16(&errorCode)
            c.nullableString(&errorMessage)
            c.noTaggedFields()
        }
    }

    /// How long the broker held the answer back for a quota, in milliseconds (0: not throttled).
    public var throttleTimeMs: Int32 = 0
    /// One outcome per topic asked for.
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
