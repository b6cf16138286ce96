// Requests and responses: a message is a `WireStruct` that also knows its API key. The
// version range and flexible threshold come from the one table in `SupportedVersions`.

/// A request or response body of one Kafka API.
public protocol KafkaMessage: WireStruct {
    static var apiKey: ApiKey { get }
}

/// A request body; `Response` is the body the broker answers with.
public protocol KafkaRequest: KafkaMessage {
    associatedtype Response: KafkaResponse
}

/// A response body.
public protocol KafkaResponse: KafkaMessage {}

extension KafkaMessage {
    /// The versions we speak (from `SupportedVersions`).
    public static var supportedVersions: ClosedRange<Int16> { SupportedVersions.versions(for: apiKey) ?? 0...(-1) }

    /// Whether `version` uses compact encodings and tagged fields.
    public static func isFlexible(version: Int16) -> Bool { SupportedVersions.isFlexible(apiKey, version: version) }

    /// Appends the body at `version` (no header, no size prefix). Fields that do not exist in
    /// `version` are left out. The version is not checked here; `RequestFrame` checks it.
    public func encode(version: Int16, into w: inout ByteWriter) {
        let saved = w.flexible
        w.flexible = Self.isFlexible(version: version)
        var copy = self
        copy.code(&w, version: version)
        w.flexible = saved
    }

    /// The body at `version` as bytes.
    public func encoded(version: Int16) -> [UInt8] {
        var w = ByteWriter()
        encode(version: version, into: &w)
        return w.bytes
    }

    /// Reads the body at `version`; failures are left in `r` (sticky), fields absent in
    /// `version` keep their defaults.
    public init(from r: inout ByteReader, version: Int16) {
        self.init()
        let saved = r.flexible
        r.flexible = Self.isFlexible(version: version)
        code(&r, version: version)
        r.flexible = saved
    }

    /// Decodes a whole body, which must use every byte.
    public static func decode(_ bytes: [UInt8], version: Int16) throws(ProtocolError) -> Self {
        guard supportedVersions.contains(version) else { throw .unsupportedVersion(api: apiKey, version: version) }
        var r = ByteReader(bytes)
        let value = Self(from: &r, version: version)
        try r.finish(String(describing: Self.self))
        return value
    }
}
