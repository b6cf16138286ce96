// Requests and responses: a message is a `WireStruct` that also knows its API, whose version
// range and flexible threshold come from the one table in `ApiSpec`.

/// A request or response body of one Kafka API.
///
/// A message declares `api` and `code(_:version:)`; the two entry points below come from
/// the extension. They stay protocol requirements on purpose: each message then gets its own
/// witness for them, which the optimizer specializes for its concrete type, so the witness
/// calls `code` specialized for `ByteReader` and `ByteWriter` (a release build's symbols show
/// it) even when the caller is generic or in another module.
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
    /// The body the broker answers with.
    associatedtype Response: KafkaResponse
}

/// A response body.
public protocol KafkaResponse: KafkaMessage {}

extension KafkaMessage {
    /// The API this message belongs to.
    public static var apiKey: ApiKey { api.key }

    /// Starts from `init()` and runs `code` with a reader set to the version's compactness.
    public init(from r: inout ByteReader, version: Int16) {
        self.init()
        let saved = r.flexible
        r.flexible = Self.api.isFlexible(version)
        code(&r, version: version)
        r.flexible = saved
    }

    /// Runs `code` on a copy with the writer set to the version's compactness.
    public func encode(version: Int16, into w: inout ByteWriter) {
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
