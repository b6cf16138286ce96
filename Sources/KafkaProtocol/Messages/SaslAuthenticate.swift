// SaslAuthenticate (key 36): one step of the SASL exchange the handshake chose.

/// One client message of the SASL exchange (the mechanism defines its bytes).
/// Value type; any thread.
public struct SaslAuthenticateRequest: KafkaRequest {
    /// The answer type.
    public typealias Response = SaslAuthenticateResponse
    /// SaslAuthenticate's row in the version table.
    public static let api = ApiSpec.saslAuthenticate

    /// The mechanism's message, e.g. SCRAM's client-first-message.
    public var authBytes: [UInt8] = []

    /// An empty request (decoding starts from it).
    public init() {}
    /// A request carrying `authBytes`.
    public init(authBytes: [UInt8]) { self.authBytes = authBytes }

    /// Reads or writes the fields of `version`.
    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        c.bytes(&authBytes)
        c.noTaggedFields()
    }
}

/// The broker's side of one step, and, once authenticated, how long the session lasts
/// (KIP-368). Value type; any thread.
public struct SaslAuthenticateResponse: KafkaResponse {
    /// SaslAuthenticate's row in the version table.
    public static let api = ApiSpec.saslAuthenticate

    /// 0, or SASL_AUTHENTICATION_FAILED (58) and friends.
    public var errorCode: Int16 = 0
    /// The broker's explanation of a failure.
    public var errorMessage: String?
    /// The mechanism's message, e.g. SCRAM's server-first-message.
    public var authBytes: [UInt8] = []
    /// v1+: milliseconds until the session must be re-authenticated; 0 for no limit.
    public var sessionLifetimeMs: Int64 = 0

    /// An empty response (decoding starts from it).
    public init() {}

    /// Reads or writes the fields of `version`.
    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        c.int16(&errorCode)
        c.nullableString(&errorMessage)
        c.bytes(&authBytes)
        if v >= 1 { c.int64(&sessionLifetimeMs) }
        c.noTaggedFields()
    }
}
