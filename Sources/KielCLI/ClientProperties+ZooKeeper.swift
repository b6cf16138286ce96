import Kiel

/// Kiel's own properties for the grouped consumer's ZooKeeper session (librdkafka has none):
///
/// - `zookeeper.auth=SCHEME:CREDENTIALS`, what ZooKeeper's shell takes as
///   `addauth SCHEME CREDENTIALS`: `zookeeper.auth=digest:user:password`;
/// - `zookeeper.acl=open|creator|creator-world-read`, the ACL of the group's znodes: open to
///   all (the default), only the identity of `zookeeper.auth`, or that and reading for all.
extension ClientProperties {
    static let zooKeeperACLs: [String: [ACL]] = [
        "open": ACL.openUnsafe,
        "creator": ACL.creatorAll,
        "creator-world-read": ACL.creatorAllWorldRead,
    ]

    /// Throws unless `value` is a valid setting of the ZooKeeper property `name`.
    static func checkZooKeeper(_ name: String, _ value: String) throws(UsageError) {
        if name == "zookeeper.acl" {
            guard zooKeeperACLs[value] != nil else {
                throw UsageError("property \(name) needs \(zooKeeperACLs.keys.sorted().joined(separator: ", ")), not \(value)")
            }
        } else if zooKeeperCredentials(value) == nil {
            throw UsageError("property \(name) needs SCHEME:CREDENTIALS, e.g. digest:user:password")
        }
    }

    /// `SCHEME:CREDENTIALS` split at the first colon; nil if either side is empty.
    static func zooKeeperCredentials(_ value: String) -> ZooKeeperCredentials? {
        guard let colon = value.firstIndex(of: ":"), colon != value.startIndex,
              value.index(after: colon) != value.endIndex else { return nil }
        return ZooKeeperCredentials(scheme: String(value[..<colon]), bytes: Array(value[value.index(after: colon)...].utf8))
    }

    func applyZooKeeper<V>(to o: inout GroupedConsumer<V>.Options) {
        if let credentials = values["zookeeper.auth"].flatMap(Self.zooKeeperCredentials) {
            o.zooKeeperCredentials = [credentials]
        }
        if let acl = values["zookeeper.acl"].flatMap({ Self.zooKeeperACLs[$0] }) { o.zooKeeperACL = acl }
    }
}
