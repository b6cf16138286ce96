// Requests and responses: a message is a `WireStruct` that also knows its API, whose version
// range and flexible threshold come from the one table in `ApiSpec`.

/// A request or response body of one Kafka API.
///
/// Each message implements the two entry points below with one line each, calling
/// `decodeBody` / `encodeBody`: that concrete call is what lets the compiler specialize the
/// generic `code(_:version:)` declaration for `ByteReader` and `ByteWriter` (a generic
/// default would run unspecialized, several times slower).
public protocol KafkaMessage: WireStruct {
    /// The API's row in the `ApiSpec` table (a request and its response share it).
    static var api: ApiSpec { get }

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
    public static var apiKey: ApiKey { api.key }

    /// The implementation of `encode(version:into:)`.
    @inline(__always)
    public func encodeBody(version: Int16, into w: inout ByteWriter) {
        let saved = w.flexible
        w.flexible = Self.api.isFlexible(version)
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
        r.flexible = api.isFlexible(version)
        value.code(&r, version: version)
        r.flexible = saved
        return value
    }

    /// Decodes a whole body, which must use every byte.
    public static func decode(_ bytes: [UInt8], version: Int16) throws(ProtocolError) -> Self {
        guard api.versions.contains(version) else { throw .unsupportedVersion(api: apiKey, version: version) }
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
