/// How to set up TLS to a server: whom to trust, who we are (mutual TLS), how strictly to
/// check, and the lowest protocol version accepted. A plain value: safe to share between
/// threads.
///
/// By default the server's certificate must chain to the system's trust store and name the
/// host we dialled (a DNS name checked against the certificate's DNS names, with SNI; an IP
/// address checked against its IP addresses), and TLS 1.2 is the lowest version.
public struct TLSConfiguration: Sendable, Equatable {
    /// PEM file of the certificate authorities to trust. With neither this nor `caDirectory`,
    /// the system's default trust store is used.
    public var caFile: String?
    /// Directory of CA certificates in OpenSSL's hashed layout (`openssl rehash`).
    public var caDirectory: String?
    /// PEM file with our certificate (and its chain), for servers that require client
    /// certificates. Needs `privateKeyFile`.
    public var certificateFile: String?
    /// PEM file with the private key of `certificateFile`.
    public var privateKeyFile: String?
    /// Password of an encrypted `privateKeyFile`.
    public var privateKeyPassword: String?
    /// The lowest TLS version to negotiate.
    public var minimumVersion: TLSVersion = .v1_2
    /// Accept a certificate that does not name the host dialled (still checked against the
    /// trusted CAs and dates). For tests; it lets anyone with a certificate from the same
    /// CA pose as the broker.
    public var insecureSkipHostnameVerification = false
    /// Accept any certificate at all: no CA, date or name check. For tests only; the
    /// connection is encrypted but the server is not authenticated.
    public var insecureSkipVerification = false

    /// Settings from their parts; the defaults are the system trust store, no client certificate, TLS 1.2 or later, every check on.
    public init(caFile: String? = nil, caDirectory: String? = nil, certificateFile: String? = nil,
                privateKeyFile: String? = nil, privateKeyPassword: String? = nil,
                minimumVersion: TLSVersion = .v1_2) {
        self.caFile = caFile
        self.caDirectory = caDirectory
        self.certificateFile = certificateFile
        self.privateKeyFile = privateKeyFile
        self.privateKeyPassword = privateKeyPassword
        self.minimumVersion = minimumVersion
    }
}

/// A TLS protocol version.
public enum TLSVersion: Sendable, Equatable, Comparable, CustomStringConvertible {
    case v1_2, v1_3

    /// What OpenSSL calls the version (`TLSv1.2`).
    public var description: String {
        switch self {
        case .v1_2: return "TLSv1.2"
        case .v1_3: return "TLSv1.3"
        }
    }
}
