// IncrementalAlterConfigs (key 44): changes only the keys named, leaving the rest alone.

/// Sets, deletes, appends to or subtracts from single configuration entries of topics or
/// brokers. Value type; any thread.
public struct IncrementalAlterConfigsRequest: KafkaRequest {
    /// The body the broker answers with.
    public typealias Response = IncrementalAlterConfigsResponse
    /// The API's row in `ApiSpec`.
    public static let api = ApiSpec.incrementalAlterConfigs

    /// What to do with one key.
    public enum Operation: Int8, Sendable {
        /// Give it the value.
        case set = 0
        /// Return it to its default.
        case delete = 1
        /// Add the value to a list-typed entry.
        case append = 2
        /// Remove the value from a list-typed entry.
        case subtract = 3
    }

    /// One change.
    public struct Entry: WireStruct {
        /// The key, e.g. "retention.ms".
        public var name = ""
        /// `Operation`'s raw value.
        public var configOperation: Int8 = 0
        /// The value; nil for a delete.
        public var value: String? = nil
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// `operation` on `name` with `value`.
        public init(name: String, operation: Operation, value: String?) {
            self.name = name
            self.configOperation = operation.rawValue
            self.value = value
        }
        /// Its fields in wire order at `v`, for `c` to write or read.
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.string(&name)
            c.int8(&configOperation)
            c.nullableString(&value)
            c.noTaggedFields()
        }
    }

    /// One resource and its changes.
    public struct Resource: WireStruct {
        /// `ConfigResourceType`'s raw value: 2 topic, 4 broker, 8 broker logger.
        public var resourceType: Int8 = 0
        /// The topic's name, or the broker's node id as text.
        public var resourceName = ""
        /// The changes.
        public var configs: [Entry] = []
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// The resource `type` called `name`, changed by `configs`.
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

/// The outcome per resource. Value type; any thread.
public struct IncrementalAlterConfigsResponse: KafkaResponse {
    /// The API's row in `ApiSpec`.
    public static let api = ApiSpec.incrementalAlterConfigs

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
