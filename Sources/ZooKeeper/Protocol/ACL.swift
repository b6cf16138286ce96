/// An access control entry (jute `ACL` with its `Id`): who (`scheme`:`id`) may do what
/// (`permissions`) on one znode. A node's ACL is a list of them, fixed when the node is created
/// (`create(_:acl:)`) and changed with `setACL`; a session is let in if any entry matches one
/// of its identities.
///
/// The ready-made lists are kazoo's and the Java client's `ZooDefs.Ids`: `openUnsafe` (today's
/// default: anyone may do anything), `creatorAll` (only the identities the creating session
/// authenticated as, e.g. with `addAuth(.digest(user:password:))`), `readUnsafe`, and
/// `creatorAllWorldRead`. Any other entry is `ACL(permissions:scheme:id:)`, e.g. scheme "ip"
/// with id "10.0.0.0/8", or scheme "digest" with id `user:base64(sha1("user:password"))` as
/// ZooKeeper's `DigestAuthenticationProvider.generateDigest` makes it. `creatorAll` spares the
/// client that hash: the server writes the digest id of the creating session in its place.
public struct ACL: Equatable, Hashable, Sendable {
    /// What an ACL entry allows, as ZooKeeper's `Perms` bits.
    public struct Permissions: OptionSet, Hashable, Sendable {
        /// The bits: 1 read, 2 write, 4 create, 8 delete, 16 admin.
        public let rawValue: Int32
        /// The permissions whose bits are set in `rawValue`.
        public init(rawValue: Int32) { self.rawValue = rawValue }
        /// Read the data and list the children.
        public static let read = Permissions(rawValue: 1)
        /// Set the data.
        public static let write = Permissions(rawValue: 2)
        /// Create children.
        public static let create = Permissions(rawValue: 4)
        /// Delete children.
        public static let delete = Permissions(rawValue: 8)
        /// Set the ACL.
        public static let admin = Permissions(rawValue: 16)
        /// Every permission.
        public static let all: Permissions = [.read, .write, .create, .delete, .admin]
    }

    /// What the identity may do.
    public var permissions: Permissions
    /// How the identity is given: "world", "auth", "digest", "ip", ...
    public var scheme: String
    /// The identity in that scheme ("anyone" for world; "user:base64(sha1)" for digest).
    public var id: String

    /// An entry granting `permissions` to `scheme`:`id`.
    public init(permissions: Permissions, scheme: String, id: String) {
        self.permissions = permissions
        self.scheme = scheme
        self.id = id
    }

    /// An entry granting `permissions` to everyone (`world:anyone`).
    public static func anyone(_ permissions: Permissions) -> ACL {
        ACL(permissions: permissions, scheme: "world", id: "anyone")
    }

    /// An entry granting `permissions` to the identities the creating session authenticated
    /// as (`auth:`, expanded by the server when the node is created). A session without
    /// credentials can't create a node with it: the server answers `.invalidACL`.
    public static func creator(_ permissions: Permissions) -> ACL {
        ACL(permissions: permissions, scheme: "auth", id: "")
    }

    /// Everything for the identities the creating session has authenticated as (`auth:`).
    public static let creatorAll: [ACL] = [creator(.all)]

    /// Everyone may read (`world:anyone`).
    public static let readUnsafe: [ACL] = [anyone(.read)]

    /// Everyone may do everything (`world:anyone`, all permissions): what a node gets when no
    /// ACL is given.
    public static let openUnsafe: [ACL] = [anyone(.all)]

    /// Everything for the creating session's identities, and reading for everyone else: the
    /// data stays visible to standard tools while only the owner can change it.
    public static let creatorAllWorldRead: [ACL] = creatorAll + readUnsafe

    /// Reads an entry; failures stay in `r`.
    public init(from r: inout JuteReader) {
        permissions = Permissions(rawValue: r.readInt32())
        scheme = r.readString() ?? ""
        id = r.readString() ?? ""
    }

    /// Appends the entry's fields in wire order.
    public func encode(into w: inout JuteWriter) {
        w.writeInt32(permissions.rawValue)
        w.writeString(scheme)
        w.writeString(id)
    }
}
