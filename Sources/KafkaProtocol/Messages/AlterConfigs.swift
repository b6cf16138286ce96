// AlterConfigs (key 33): replaces a resource's whole dynamic configuration, so keys left out
// go back to their defaults. IncrementalAlterConfigs (key 44) is the one to prefer.

/// Sets topics' or brokers' configuration, all of it at once. Value type; any thread.
public struct AlterConfigsRequest: KafkaRequest {
    /// The body the broker answers with.
    public typealias Response = AlterConfigsResponse
    /// The API's row in `ApiSpec`.
    public static let api = ApiSpec.alterConfigs

    /// One entry of the new configuration.
    public struct Entry: WireStruct {
        /// The key, e.g. "retention.ms".
        public var name = ""
        /// The value; nil for the default.
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

    /// One resource and its complete new configuration.
    public struct Resource: WireStruct {
        /// `ConfigResourceType`'s raw value: 2 topic, 4 broker, 8 broker logger.
        public var resourceType: Int8 = 0
        /// The topic's name, or the broker's node id as text.
        public var resourceName = ""
        /// Every dynamic entry it should have.
        public var configs: [Entry] = []
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// The resource `type` called `name` with exactly `configs`.
        public init(type: ConfigResourceType, name: String, configs: [Entry]) {
            self.resourceType = type.rawValue
            self.resourceName = name
            self.configs = configs
        }
        /// Its fields in wire order at `v`, for `c` to write or read.
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.int8(&resourceType)
            c.string(&resourceName)
            c.structs(&configs, version: v)
            c.noTaggedFields()
        }
    }

    /// What to change.
    public var resources: [Resource] = []
    /// Only check the request; change nothing.
    public var validateOnly = false

    /// Every field at its default; decoding starts from this.
    public init() {}

    /// Its fields in wire order at `v`, for `c` to write or read.
    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        c.structs(&resources, version: v)
        c.bool(&validateOnly)
        c.noTaggedFields()
    }
}

/// The outcome of changing one resource's configuration (AlterConfigs and
/// IncrementalAlterConfigs answer alike). Value type; any thread.
public struct AlterConfigsResourceResult: WireStruct {
    /// A Kafka error code: 0 if changed.
    public var errorCode: Int16 = 0
    /// The broker's own words on the error, if it gave any.
    public var errorMessage: String? = nil
    /// `ConfigResourceType`'s raw value.
    public var resourceType: Int8 = 0
    /// The topic's name, or the broker's node id as text.
    public var resourceName = ""
    /// Every field at its default; decoding starts from this.
    public init() {}
    /// Its fields in wire order at `v`, for `c` to write or read.
    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        c.int16(&errorCode)
        c.nullableString(&errorMessage)
        c.int8(&resourceType)
        c.string(&resourceName)
        c.noTaggedFields()
    }
}

/// The outcome per resource. Value type; any thread.
public struct AlterConfigsResponse: KafkaResponse {
    /// The API's row in `ApiSpec`.
    public static let api = ApiSpec.alterConfigs

    /// How long the broker held the answer back for a quota, in milliseconds (0: not throttled).
    public var throttleTimeMs: Int32 = 0
    /// One outcome per resource asked for.
    public var responses: [AlterConfigsResourceResult] = []

    /// Every field at its default; decoding starts from this.
    public init() {}

    /// Its fields in wire order at `v`, for `c` to write or read.
    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        c.int32(&throttleTimeMs)
        c.structs(&responses, version: v)
        c.noTaggedFields()
    }
}
