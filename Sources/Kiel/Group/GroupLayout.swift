// Where a kiel consumer group lives in ZooKeeper, and what its members are called.

#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The znodes of one consumer group, laid out as kiel lays them out so a group can be inspected
/// (or joined by a kiel member) with standard ZooKeeper tools:
///
/// - `/kiel/groups/<group>/members/<member>`: one ephemeral child per live member (a party);
/// - `/kiel/groups/<group>/partitions`: the JSON list of `topic:partition` strings to divide;
/// - `/kiel/groups/<group>/partitions/lock`: the lock (kazoo's recipe) guarding changes to it;
/// - `/kiel/groups/<group>/owners/<topic:partition>`: beyond kiel, an ephemeral claim per
///   partition holding its consumer's member name, so a partition changes hands only once the
///   previous consumer let go of it.
///
/// A plain value: safe to use from any thread.
struct GroupLayout: Hashable, Sendable {
    static let groupsRoot = "/kiel/groups"

    let group: String

    /// nil if `group` can't be one znode name (empty, `.`, `..`, or containing `/` or NUL).
    init?(group: String) {
        guard GroupLayout.isValidGroupName(group) else { return nil }
        self.group = group
    }

    static func isValidGroupName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && !name.contains("/") && !name.utf8.contains(0)
    }

    var root: String { "\(GroupLayout.groupsRoot)/\(group)" }
    var members: String { "\(root)/members" }
    var partitions: String { "\(root)/partitions" }
    var partitionsLock: String { "\(partitions)/lock" }

    var owners: String { "\(root)/owners" }

    func member(_ name: String) -> String { "\(members)/\(name)" }
    func owner(of key: TopicPartition) -> String { "\(owners)/\(key.shareEntry)" }
}

/// Names a group member `hostname:unique-id`, kiel's scheme, so the party's children say which
/// host each member runs on. Safe to call from any thread.
enum GroupMemberName {
    /// `hostname:uniqueID`.
    static func make(hostname: String, uniqueID: String) -> String {
        "\(hostname):\(uniqueID)"
    }

    /// This host's name and a fresh random id: unique per consumer, also within one process.
    static func generate() -> String {
        make(hostname: localHostname(), uniqueID: UUID().uuidString.lowercased())
    }

    /// The kernel's host name (no DNS lookup), `localhost` if it has none; a `/` (impossible in a
    /// znode name) becomes `_`.
    static func localHostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "localhost" : name.replacingOccurrences(of: "/", with: "_")
    }

    /// The host part of a member name (everything before the last colon).
    static func hostname(of member: String) -> String {
        guard let colon = member.lastIndex(of: ":") else { return member }
        return String(member[..<colon])
    }
}
