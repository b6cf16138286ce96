/// Credentials a ZooKeeper session presents (`addauth` in ZooKeeper's shell): a scheme and
/// its bytes. Usually `.digest(user:password:)`; the server keeps them for the connection
/// they were sent on, so the client sends them again after every reconnect.
///
/// Digest credentials are always accepted: the server only records the identity
/// `user:base64(sha1("user:password"))`, and a wrong password shows later as `.noAuth` on the
/// nodes whose ACL names another identity. A scheme the server has no provider for is
/// refused: the session ends with `.authFailed` (see `ZooKeeperClient.addAuth`).
public struct ZooKeeperCredentials: Equatable, Hashable, Sendable {
    /// The authentication scheme, e.g. "digest".
    public var scheme: String
    /// The credentials in that scheme.
    public var bytes: [UInt8]

    /// Credentials in any scheme the servers have a provider for.
    public init(scheme: String, bytes: [UInt8]) {
        self.scheme = scheme
        self.bytes = bytes
    }

    /// ZooKeeper's built-in digest scheme: `user:password` in UTF-8.
    public static func digest(user: String, password: String) -> ZooKeeperCredentials {
        ZooKeeperCredentials(scheme: "digest", bytes: Array("\(user):\(password)".utf8))
    }
}

extension ZooKeeperCredentials: CustomStringConvertible {
    /// The scheme and, for digest, the user name; never the secret.
    public var description: String {
        guard scheme == "digest" else { return "\(scheme):<\(bytes.count) bytes>" }
        let user = bytes.split(separator: UInt8(ascii: ":"), maxSplits: 1,
                               omittingEmptySubsequences: false).first ?? []
        return "digest:\(String(decoding: user, as: UTF8.self)):<password>"
    }
}

extension ZooKeeperClient {
    /// Adds `credentials` to the session, now and after every reconnect; see
    /// `addAuth(scheme:credentials:_:)`. Given before `start()`, they go out with the first
    /// connection, ahead of any operation.
    public func addAuth(_ credentials: ZooKeeperCredentials,
                        _ completion: @escaping (Result<Void, ZooKeeperError>) -> Void = { _ in }) {
        addAuth(scheme: credentials.scheme, credentials: credentials.bytes, completion)
    }
}
