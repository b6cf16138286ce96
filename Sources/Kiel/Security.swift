/// How the connections to the brokers are secured: plaintext (the default) or TLS, with the
/// TLS settings, and optionally SASL authentication on top. Set it once in
/// `Cluster.Options.security` (every client's options carry a `cluster`); every connection of
/// that cluster uses it, bootstrap and per-broker alike, reconnects included. librdkafka's
/// `security.protocol` maps onto `transport` and `sasl`: PLAINTEXT, SSL, SASL_PLAINTEXT
/// (`sasl` over plaintext) and SASL_SSL (`sasl` over TLS). A plain value: safe to pass
/// between threads.
///
/// ```swift
/// var options = Producer<JSON>.Options()
/// options.cluster.security = .ssl(TLSConfiguration(caFile: "/etc/kafka/ca.pem"),
///                                 sasl: .scramSHA512(username: "svc", password: secret))
/// ```
public struct Security: Sendable, Equatable {
    /// What carries the Kafka protocol.
    public enum Transport: String, Sendable, Equatable {
        /// Plain TCP.
        case plaintext
        /// TLS over TCP (librdkafka's `ssl`), set up by `tls`.
        case ssl
    }

    /// Plain TCP or TLS.
    public var transport: Transport
    /// Used when `transport` is `.ssl`.
    public var tls: TLSConfiguration
    /// How each connection authenticates after connecting (and re-authenticates before the
    /// session the broker granted runs out); nil for no SASL.
    public var sasl: SaslMechanism?

    /// Settings from their parts (see `.plaintext` and `.ssl(_:)`).
    public init(transport: Transport = .plaintext, tls: TLSConfiguration = TLSConfiguration(),
                sasl: SaslMechanism? = nil) {
        self.transport = transport
        self.tls = tls
        self.sasl = sasl
    }

    /// Plain TCP, no authentication.
    public static let plaintext = Security()

    /// TLS with these settings (by default: the system's trust store, hostname checked,
    /// TLS 1.2 or later).
    public static func ssl(_ tls: TLSConfiguration = TLSConfiguration(), sasl: SaslMechanism? = nil) -> Security {
        Security(transport: .ssl, tls: tls, sasl: sasl)
    }

    /// SASL over plain TCP (librdkafka's SASL_PLAINTEXT): the password or token crosses the
    /// network readable by anyone on the path with PLAIN and OAUTHBEARER.
    public static func saslPlaintext(_ sasl: SaslMechanism) -> Security {
        Security(transport: .plaintext, sasl: sasl)
    }

    /// librdkafka's name for these settings: `PLAINTEXT`, `SSL`, `SASL_PLAINTEXT` or `SASL_SSL`.
    public var protocolName: String {
        (sasl == nil ? "" : "SASL_") + (transport == .ssl ? "SSL" : "PLAINTEXT")
    }

    /// The loaded TLS settings for `.ssl`, nil for plaintext. A configuration that cannot be
    /// loaded (a missing CA file, a wrong key password) is a `.tls` error.
    func loadTLS() -> Result<TLSContext, TLSError>? {
        guard transport == .ssl else { return nil }
        return Result { () throws(TLSError) in try TLSContext(tls) }
    }
}
