// SaslHandshake (key 17): picks the SASL mechanism before any other request but ApiVersions.

/// Asks to authenticate with `mechanism` (`PLAIN`, `SCRAM-SHA-256`, …). Version 1 and later
/// carry the mechanism's exchange in SaslAuthenticate requests rather than as raw bytes on
/// the socket; this library speaks only those. Value type; any thread.
public struct SaslHandshakeRequest: KafkaRequest {
    /// The answer type.
    public typealias Response = SaslHandshakeResponse
    /// SaslHandshake's row in the version table.
    public static let api = ApiSpec.saslHandshake

    /// The SASL mechanism's name, as the broker lists it.
    public var mechanism = ""

    /// An empty request (decoding starts from it).
    public init() {}
    /// A request for `mechanism`.
    public init(mechanism: String) { self.mechanism = mechanism }

    /// Reads or writes the fields of `version` (never flexible).
    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        c.string(&mechanism)
    }
}

/// Whether the broker takes the mechanism, and which it offers. Value type; any thread.
public struct SaslHandshakeResponse: KafkaResponse {
    /// SaslHandshake's row in the version table.
    public static let api = ApiSpec.saslHandshake

    /// 0, or UNSUPPORTED_SASL_MECHANISM (33) / ILLEGAL_SASL_STATE (34).
    public var errorCode: Int16 = 0
    /// The mechanisms the broker has enabled.
    public var mechanisms: [String] = []

    /// An empty response (decoding starts from it).
    public init() {}

    /// Reads or writes the fields of `version` (never flexible).
    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        c.int16(&errorCode)
        c.strings(&mechanisms)
    }
}
