// DescribeConfigs (key 32). Kafka 4 removed v0 (the one with `IsDefault` in place of a source).

/// What kind of thing a configuration belongs to, as DescribeConfigs, AlterConfigs and
/// IncrementalAlterConfigs number it. Value type; any thread.
public enum ConfigResourceType: Int8, Sendable, CaseIterable {
    /// A topic, named by its name.
    case topic = 2
    /// A broker, named by its node id as text ("" for the cluster-wide default).
    case broker = 4
    /// A broker's loggers, named by the broker's node id.
    case brokerLogger = 8
}

/// Asks for the configuration of topics or brokers. Value type; any thread.
public struct DescribeConfigsRequest: KafkaRequest {
    /// The body the broker answers with.
    public typealias Response = DescribeConfigsResponse
    /// The API's row in `ApiSpec`.
    public static let api = ApiSpec.describeConfigs

    /// One topic or broker to describe.
    public struct Resource: WireStruct {
        /// `ConfigResourceType`'s raw value: 2 topic, 4 broker, 8 broker logger.
        public var resourceType: Int8 = 0
        /// The topic's name, or the broker's node id as text.
        public var resourceName = ""
        /// Only these keys; nil for all of them.
        public var configurationKeys: [String]? = nil
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// The resource `type` called `name`, all keys or only `keys`.
        public init(type: ConfigResourceType, name: String, keys: [String]? = nil) {
            self.resourceType = type.rawValue
            self.resourceName = name
            self.configurationKeys = keys
        }
        /// Its fields in wire order at `v`, for `c` to write or read.
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.int8(&resourceType)
            c.string(&resourceName)
            c.nullableArray(&configurationKeys, minElementSize: 1, make: { "" }) { c, e in c.string(&e) }
            c.noTaggedFields()
        }
    }

    /// What to describe.
    public var resources: [Resource] = []
    /// Whether to list, per entry, every source that sets it (v1+).
    public var includeSynonyms = false
    /// Whether to include each entry's documentation (v3+).
    public var includeDocumentation = false

    /// Every field at its default; decoding starts from this.
    public init() {}

    /// Its fields in wire order at `v`, for `c` to write or read.
    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        c.structs(&resources, version: v)
        if v >= 1 { c.bool(&includeSynonyms) }
        if v >= 3 { c.bool(&includeDocumentation) }
        c.noTaggedFields()
    }
}

/// The configuration per resource. Value type; any thread.
public struct DescribeConfigsResponse: KafkaResponse {
    /// The API's row in `ApiSpec`.
    public static let api = ApiSpec.describeConfigs

    /// Another source setting the same key, in precedence order (v1+).
    public struct Synonym: WireStruct {
        /// The key as that source names it.
        public var name = ""
        /// The value there; nil if sensitive.
        public var value: String? = nil
        /// Where it comes from (as `Entry.configSource`).
        public var source: Int8 = 0
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// Its fields in wire order at `v`, for `c` to write or read.
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.string(&name)
            c.nullableString(&value)
            c.int8(&source)
            c.noTaggedFields()
        }
    }

    /// One configuration entry.
    public struct Entry: WireStruct {
        /// The key, e.g. "retention.ms".
        public var name = ""
        /// The value; nil if sensitive or unset.
        public var value: String? = nil
        /// Whether it cannot be changed.
        public var readOnly = false
        /// Where the value comes from (Kafka's `ConfigSource`: 1 dynamic topic, 2 dynamic
        /// broker, 3 dynamic default broker, 4 static broker, 5 default, 6 dynamic broker
        /// logger, 7 client metrics, 8 group); -1 unknown.
        public var configSource: Int8 = -1
        /// Whether the value is a secret (then it is not sent).
        public var isSensitive = false
        /// The other sources that set it (v1+, when asked for).
        public var synonyms: [Synonym] = []
        /// Its type (v3+): 1 boolean, 2 string, 3 int, 4 short, 5 long, 6 double, 7 list,
        /// 8 class, 9 password; 0 unknown.
        public var configType: Int8 = 0
        /// What it means (v3+, when asked for).
        public var documentation: String? = nil
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// Its fields in wire order at `v`, for `c` to write or read.
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.string(&name)
            c.nullableString(&value)
            c.bool(&readOnly)
            if v >= 1 { c.int8(&configSource) }
            c.bool(&isSensitive)
            if v >= 1 { c.structs(&synonyms, version: v) }
            if v >= 3 {
                c.int8(&configType)
                c.nullableString(&documentation)
            }
            c.noTaggedFields()
        }
    }

    /// The outcome for one resource.
    public struct Result: WireStruct {
        /// A Kafka error code: 0 if described.
        public var errorCode: Int16 = 0
        /// The broker's own words on the error, if it gave any.
        public var errorMessage: String? = nil
        /// `ConfigResourceType`'s raw value.
        public var resourceType: Int8 = 0
        /// The topic's name, or the broker's node id as text.
        public var resourceName = ""
        /// Its entries.
        public var configs: [Entry] = []
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// Its fields in wire order at `v`, for `c` to write or read.
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.int16(&errorCode)
            c.nullableString(&errorMessage)
            c.int8(&resourceType)
            c.string(&resourceName)
            c.structs(&configs, version: v)
            c.noTaggedFields()
        }
    }

    /// How long the broker held the answer back for a quota, in milliseconds (0: not throttled).
    public var throttleTimeMs: Int32 = 0
    /// One outcome per resource asked for.
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
