import Foundation

/// How a client proves who it is to brokers that require SASL (`security.protocol`
/// `SASL_PLAINTEXT` or `SASL_SSL`): the mechanism and its credentials.
/// A plain value: safe to pass between threads.
public enum SaslMechanism: Sendable, Equatable, CustomStringConvertible {
    /// PLAIN: the name and password in the clear — use it over TLS only.
    case plain(username: String, password: String)
    /// SCRAM-SHA-256 (RFC 7677): the password never crosses the wire, and the broker proves
    /// it knows the password too.
    case scramSHA256(username: String, password: String)
    /// SCRAM-SHA-512, as SCRAM-SHA-256 with a longer hash.
    case scramSHA512(username: String, password: String)
    /// OAUTHBEARER (RFC 7628, KIP-255): a bearer token from `provider`, asked again before each
    /// authentication, so a connection re-authenticating before its session runs out (KIP-368)
    /// sends a fresh token.
    case oauthBearer(OAuthBearerTokenProvider)

    /// The mechanism's name in SaslHandshake (`SCRAM-SHA-512`, …).
    public var name: String {
        switch self {
        case .plain: return "PLAIN"
        case .scramSHA256: return "SCRAM-SHA-256"
        case .scramSHA512: return "SCRAM-SHA-512"
        case .oauthBearer: return "OAUTHBEARER"
        }
    }

    /// The name and the user, never the secret.
    public var description: String {
        switch self {
        case .plain(let user, _), .scramSHA256(let user, _), .scramSHA512(let user, _): return "\(name) as \(user)"
        case .oauthBearer: return name
        }
    }
}

/// A bearer token for OAUTHBEARER, and what goes with it.
public struct OAuthBearerToken: Sendable, Equatable {
    /// The token itself (a JWT, usually), sent as `auth=Bearer <value>`.
    public var value: String
    /// SASL extensions sent beside the token (KIP-342), e.g. a logical cluster id.
    public var extensions: [String: String]

    /// A token with optional extensions.
    public init(_ value: String, extensions: [String: String] = [:]) {
        self.value = value
        self.extensions = extensions
    }
}

/// Where OAUTHBEARER tokens come from. `fetch` is called on the loop thread whenever a
/// connection (re-)authenticates, and must call its completion once, on the loop thread
/// (hop back with `IOLoop.addCallback` when the token comes from elsewhere). An error fails
/// that authentication with it.
/// Two providers are equal when they are copies of one made by the same `init` call.
public struct OAuthBearerTokenProvider: Sendable, Equatable {
    /// The loop-thread fetch.
    public let fetch: @Sendable (_ completion: @escaping (Result<OAuthBearerToken, KielError>) -> Void) -> Void
    private let identity = Identity()

    /// A provider from a closure.
    public init(_ fetch: @escaping @Sendable (_ completion: @escaping (Result<OAuthBearerToken, KielError>) -> Void) -> Void) {
        self.fetch = fetch
    }

    /// Whether both are copies of the same provider.
    public static func == (a: OAuthBearerTokenProvider, b: OAuthBearerTokenProvider) -> Bool {
        a.identity === b.identity
    }

    private final class Identity: Sendable {}

    /// Always the same token: for tests and long-lived static tokens.
    public static func fixed(_ token: OAuthBearerToken) -> OAuthBearerTokenProvider {
        OAuthBearerTokenProvider { completion in completion(.success(token)) }
    }
}
