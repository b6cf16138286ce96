/// How the connections to the brokers are secured: plaintext (the default) or TLS, with the
/// TLS settings. Set it once in `Cluster.Options.security` (every client's options carry a
/// `cluster`); every connection of that cluster uses it, bootstrap and per-broker alike,
/// reconnects included. librdkafka's `security.protocol` PLAINTEXT and SSL map onto
/// `transport`. A plain value: safe to pass between threads.
///
/// ```swift
/// var options = Producer<JSON>.Options()
/// options.cluster.security = .ssl(TLSConfiguration(caFile: "/etc/kafka/ca.pem"))
/// ```
public struct Security: Sendable, Equatable {
    /// What carries the Kafka protocol.
    public enum Transport: String, Sendable, Equatable {
        /// Plain TCP.
        case plaintext
        /// TLS over TCP (librdkafka's `ssl`), set up by `tls`.
        case ssl
    }

    public var transport: Transport
    /// Used when `transport` is `.ssl`.
    public var tls: TLSConfiguration

    public init(transport: Transport = .plaintext, tls: TLSConfiguration = TLSConfiguration()) {
        self.transport = transport
        self.tls = tls
    }

    /// Plain TCP, no authentication.
    public static let plaintext = Security()

    /// TLS with these settings (by default: the system's trust store, hostname checked,
    /// TLS 1.2 or later).
    public static func ssl(_ tls: TLSConfiguration = TLSConfiguration()) -> Security {
        Security(transport: .ssl, tls: tls)
    }

    /// The loaded TLS settings for `.ssl`, nil for plaintext. A configuration that cannot be
    /// loaded (a missing CA file, a wrong key password) is a `.tls` error.
    func loadTLS() -> Result<TLSContext, TLSError>? {
        guard transport == .ssl else { return nil }
        return Result { () throws(TLSError) in try TLSContext(tls) }
    }
}
