// Requests and responses: a message is a `WireStruct` that also knows its API key. The
// version range and flexible threshold come from the one table in `SupportedVersions`.

/// A request or response body of one Kafka API.
///
/// Each message implements the two entry points below with one line each, calling
/// `decodeBody` / `encodeBody`: that concrete call is what lets the compiler specialize the
/// generic `code(_:version:)` declaration for `ByteReader` and `ByteWriter` (a generic
/// default would run unspecialized, several times slower).
public protocol KafkaMessage: WireStruct {
    static var apiKey: ApiKey { get }

    /// Reads the body at `version`; failures are left in `r` (sticky), fields absent in
    /// `version` keep their defaults.
    init(from r: inout ByteReader, version: Int16)

    /// Appends the body at `version` (no header, no size prefix). Fields that do not exist in
    /// `version` are left out. The version is not checked here; `KafkaFrame` checks it.
    /// Failures (a string too long for its version's encoding) are left in `w` (sticky).
    func encode(version: Int16, into w: inout ByteWriter)
}

/// A request body; `Response` is the body the broker answers with.
public protocol KafkaRequest: KafkaMessage {
    associatedtype Response: KafkaResponse
}

/// A response body.
public protocol KafkaResponse: KafkaMessage {}

extension KafkaMessage {
    /// The versions we speak (from `SupportedVersions`; every message type has a row there,
    /// the fallback is a range no real version falls in).
    public static var supportedVersions: ClosedRange<Int16> {
        SupportedVersions.versions(for: apiKey) ?? Int16.min...Int16.min
    }

    /// Whether `version` uses compact encodings and tagged fields.
    public static func isFlexible(version: Int16) -> Bool { SupportedVersions.isFlexible(apiKey, version: version) }

    /// The implementation of `encode(version:into:)`.
    @inline(__always)
    public func encodeBody(version: Int16, into w: inout ByteWriter) {
        let saved = w.flexible
        w.flexible = Self.isFlexible(version: version)
        var copy = self
        copy.code(&w, version: version)
        w.flexible = saved
    }

    /// The body at `version` as bytes; throws what encoding left in the writer.
    public func encoded(version: Int16) throws(ProtocolError) -> [UInt8] {
        var w = ByteWriter()
        encode(version: version, into: &w)
        try w.check()
        return w.bytes
    }

    /// The implementation of `init(from:version:)`.
    @inline(__always)
    public static func decodeBody(from r: inout ByteReader, version: Int16) -> Self {
        var value = Self()
        let saved = r.flexible
        r.flexible = isFlexible(version: version)
        value.code(&r, version: version)
        r.flexible = saved
        return value
    }

    /// Decodes a whole body, which must use every byte.
    public static func decode(_ bytes: [UInt8], version: Int16) throws(ProtocolError) -> Self {
        guard supportedVersions.contains(version) else { throw .unsupportedVersion(api: apiKey, version: version) }
        var r = ByteReader(bytes)
        let value = Self(from: &r, version: version)
        do {
            try r.finish("\(Self.self) v\(version)")
        } catch {
            throw error.inContext("\(Self.self) v\(version)")
        }
        return value
    }
}
