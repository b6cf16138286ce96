/// Why a TLS connection could not be made or went on no longer. `kind` is for switching on;
/// `message` says it in words, with OpenSSL's reason where it gave one.
/// These are configuration problems, not passing ones: trying again will not help until a
/// certificate, a trust store or a setting changes. A plain value: safe between threads.
public struct TLSError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, for switching on.
    public enum Kind: Sendable, Equatable {
        /// The server's certificate does not chain to a trusted CA (unknown or self-signed).
        case untrustedCertificate
        /// The server's certificate (or one in its chain) has expired.
        case certificateExpired
        /// The server's certificate (or one in its chain) is not valid yet.
        case certificateNotYetValid
        /// The server's certificate is for another host name or address.
        case hostnameMismatch
        /// The server's certificate was refused for another reason (bad signature, wrong
        /// purpose, revoked, …).
        case certificateRejected
        /// The server ended the handshake with an alert: it wants a client certificate we
        /// did not give or does not accept ours, or shares no version or cipher with us.
        case handshakeRefused
        /// The server does not speak TLS: it answered in plaintext (a PLAINTEXT listener).
        case plaintextPeer
        /// Our own settings are unusable: a missing or unreadable CA, certificate or key
        /// file, a wrong key password, a key that does not match the certificate.
        case configuration
        /// The TLS session broke in another way (a malformed record, a failed decryption).
        case protocolError
    }

    /// What went wrong.
    public let kind: Kind
    /// The same in words, with OpenSSL's reason where it gave one.
    public let message: String

    /// An error of `kind`, explained by `message`.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// `TLS: ` and the message.
    public var description: String { "TLS: \(message)" }
}
