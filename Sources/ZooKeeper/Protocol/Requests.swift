/// One ZooKeeper operation: its op code, how its body is written, and how its reply body is
/// read. Pure values; any thread.
public protocol ZooKeeperRequest: Sendable {
    /// What the reply body decodes to (`Void` when it has none).
    associatedtype Response
    /// The operation, sent in the request header.
    static var opCode: OpCode { get }
    /// Appends the request body (after the header) in wire order.
    func encode(into w: inout JuteWriter)
    /// Reads the reply body; failures stay in `r`.
    static func decodeResponse(from r: inout JuteReader) -> Response
}

/// A read of one path that may leave a watch: the body is the path and the watch flag.
public protocol PathWatchRequest: ZooKeeperRequest {
    /// The node, as the server sees it (chroot applied).
    var path: String { get }
    /// Whether to leave a watch on the node.
    var watch: Bool { get }
}

extension PathWatchRequest {
    /// The path, then the watch flag.
    public func encode(into w: inout JuteWriter) {
        w.writeString(path)
        w.writeBool(watch)
    }
}

/// A change to one path that only goes ahead at the node's expected version (-1: any): the
/// body is the path and the version.
public protocol PathVersionRequest: EmptyResponseRequest {
    /// The node, as the server sees it (chroot applied).
    var path: String { get }
    /// The data version the node must have (`Stat.version`), or -1 for any.
    var version: Int32 { get }
}

extension PathVersionRequest {
    /// The path, then the version.
    public func encode(into w: inout JuteWriter) {
        w.writeString(path)
        w.writeInt32(version)
    }
}

extension ZooKeeperRequest {
    /// The request header and body, ready to be framed.
    public func encodedFrame(xid: Int32) -> [UInt8] {
        var w = JuteWriter()
        RequestHeader(xid: xid, type: Self.opCode).encode(into: &w)
        encode(into: &w)
        return w.bytes
    }
}

/// Requests whose reply has no body.
public protocol EmptyResponseRequest: ZooKeeperRequest where Response == Void {}
extension EmptyResponseRequest {
    /// Reads nothing: the reply has no body.
    public static func decodeResponse(from r: inout JuteReader) {}
}

/// Creates a node (op 1); the reply is the created path.
public struct CreateRequest: ZooKeeperRequest, Equatable {
    /// The operation, sent in the request header.
    public static let opCode = OpCode.create
    /// The node, as the server sees it (chroot applied).
    public var path: String
    /// The node's data (at most 1 MiB by default on the server).
    public var data: [UInt8]
    /// Who may do what with the node.
    public var acl: [ACL]
    /// Persistent or ephemeral, with or without a sequence suffix.
    public var mode: CreateMode

    /// A request with these fields.
    public init(path: String, data: [UInt8], acl: [ACL], mode: CreateMode) {
        self.path = path; self.data = data; self.acl = acl; self.mode = mode
    }

    /// Appends the fields in wire order.
    public func encode(into w: inout JuteWriter) {
        w.writeString(path)
        w.writeBuffer(data)
        w.writeInt32(Int32(acl.count))
        for entry in acl { entry.encode(into: &w) }
        w.writeInt32(mode.rawValue)
    }

    /// The created path (with the sequence suffix for sequential nodes).
    public static func decodeResponse(from r: inout JuteReader) -> String { r.readString() ?? "" }
}

/// Deletes a node if its version matches (-1: any) (op 2).
public struct DeleteRequest: PathVersionRequest, Equatable {
    /// The operation, sent in the request header.
    public static let opCode = OpCode.delete
    /// The node, as the server sees it (chroot applied).
    public var path: String
    /// The data version the node must have (`Stat.version`), or -1 for any.
    public var version: Int32

    /// The operation on `path` at data version `version` (-1: any).
    public init(path: String, version: Int32) { self.path = path; self.version = version }
}

/// A node's stat, optionally leaving a watch (op 3); a missing node is the error noNode.
public struct ExistsRequest: PathWatchRequest, Equatable {
    /// The operation, sent in the request header.
    public static let opCode = OpCode.exists
    /// The node, as the server sees it (chroot applied).
    public var path: String
    /// Whether to leave a watch on the node.
    public var watch: Bool

    /// A read of `path`, leaving a watch if `watch`.
    public init(path: String, watch: Bool) { self.path = path; self.watch = watch }

    /// The node's stat (a missing node is the error `.noNode`).
    public static func decodeResponse(from r: inout JuteReader) -> Stat { Stat(from: &r) }
}

/// A node's data and stat, optionally leaving a data watch (op 4).
public struct GetDataRequest: PathWatchRequest, Equatable {
    /// The operation, sent in the request header.
    public static let opCode = OpCode.getData
    /// The node, as the server sees it (chroot applied).
    public var path: String
    /// Whether to leave a watch on the node.
    public var watch: Bool

    /// A read of `path`, leaving a watch if `watch`.
    public init(path: String, watch: Bool) { self.path = path; self.watch = watch }

    /// The node's data (empty for none) and stat.
    public static func decodeResponse(from r: inout JuteReader) -> (data: [UInt8], stat: Stat) {
        let data = r.readBuffer() ?? []
        return (data, Stat(from: &r))
    }
}

/// Replaces a node's data if its version matches (op 5); the reply is the new stat.
public struct SetDataRequest: ZooKeeperRequest, Equatable {
    /// The operation, sent in the request header.
    public static let opCode = OpCode.setData
    /// The node, as the server sees it (chroot applied).
    public var path: String
    /// The node's data (at most 1 MiB by default on the server).
    public var data: [UInt8]
    /// The data version the node must have (`Stat.version`), or -1 for any.
    public var version: Int32

    /// A request with these fields.
    public init(path: String, data: [UInt8], version: Int32) {
        self.path = path; self.data = data; self.version = version
    }

    /// Appends the fields in wire order.
    public func encode(into w: inout JuteWriter) {
        w.writeString(path)
        w.writeBuffer(data)
        w.writeInt32(version)
    }

    /// The node's stat after the change.
    public static func decodeResponse(from r: inout JuteReader) -> Stat { Stat(from: &r) }
}

/// A node's child names, optionally leaving a child watch (op 8).
public struct GetChildrenRequest: PathWatchRequest, Equatable {
    /// The operation, sent in the request header.
    public static let opCode = OpCode.getChildren
    /// The node, as the server sees it (chroot applied).
    public var path: String
    /// Whether to leave a watch on the node.
    public var watch: Bool

    /// A read of `path`, leaving a watch if `watch`.
    public init(path: String, watch: Bool) { self.path = path; self.watch = watch }

    /// The children's names, unordered.
    public static func decodeResponse(from r: inout JuteReader) -> [String] { r.readStringVector() }
}

/// A node's child names and its stat (op 12).
public struct GetChildren2Request: PathWatchRequest, Equatable {
    /// The operation, sent in the request header.
    public static let opCode = OpCode.getChildren2
    /// The node, as the server sees it (chroot applied).
    public var path: String
    /// Whether to leave a watch on the node.
    public var watch: Bool

    /// A read of `path`, leaving a watch if `watch`.
    public init(path: String, watch: Bool) { self.path = path; self.watch = watch }

    /// The children's names, unordered, and the node's stat.
    public static func decodeResponse(from r: inout JuteReader) -> (children: [String], stat: Stat) {
        let children = r.readStringVector()
        return (children, Stat(from: &r))
    }
}

/// Makes the connected server catch up with the leader for a path (op 9).
public struct SyncRequest: ZooKeeperRequest, Equatable {
    /// The operation, sent in the request header.
    public static let opCode = OpCode.sync
    /// The node, as the server sees it (chroot applied).
    public var path: String

    /// The operation on `path`.
    public init(path: String) { self.path = path }

    /// Appends the fields in wire order.
    public func encode(into w: inout JuteWriter) { w.writeString(path) }

    /// The path synced.
    public static func decodeResponse(from r: inout JuteReader) -> String { r.readString() ?? "" }
}

/// Only valid inside a multi; the stand-alone op code exists but is not used by this client.
public struct CheckVersionRequest: PathVersionRequest, Equatable {
    /// The operation, sent in the request header.
    public static let opCode = OpCode.check
    /// The node, as the server sees it (chroot applied).
    public var path: String
    /// The data version the node must have (`Stat.version`), or -1 for any.
    public var version: Int32

    /// The operation on `path` at data version `version` (-1: any).
    public init(path: String, version: Int32) { self.path = path; self.version = version }
}

/// Re-arms watches on a new connection of the same session. `relativeZxid` is the last zxid
/// the client saw: the server fires at once any watch whose node changed after it.
public struct SetWatchesRequest: EmptyResponseRequest, Equatable {
    /// The operation, sent in the request header.
    public static let opCode = OpCode.setWatches
    /// The last zxid this client saw.
    public var relativeZxid: Int64
    /// Paths with data watches (from getData or exists on an existing node).
    public var dataWatches: [String]
    /// Paths with exist watches (from exists on a missing node).
    public var existWatches: [String]
    /// Paths with child watches (from getChildren).
    public var childWatches: [String]

    /// A request with these fields.
    public init(relativeZxid: Int64, dataWatches: [String], existWatches: [String],
                childWatches: [String]) {
        self.relativeZxid = relativeZxid; self.dataWatches = dataWatches
        self.existWatches = existWatches; self.childWatches = childWatches
    }

    /// Appends the fields in wire order.
    public func encode(into w: inout JuteWriter) {
        w.writeInt64(relativeZxid)
        w.writeStringVector(dataWatches)
        w.writeStringVector(existWatches)
        w.writeStringVector(childWatches)
    }
}

/// Keeps an idle session alive (op 11, sent with xid -2).
public struct PingRequest: EmptyResponseRequest, Equatable {
    /// The operation, sent in the request header.
    public static let opCode = OpCode.ping
    /// The request; it has no fields.
    public init() {}
    /// Appends nothing: the request has no body.
    public func encode(into w: inout JuteWriter) {}
}

/// Ends the session; its ephemeral nodes are deleted at once (op -11).
public struct CloseSessionRequest: EmptyResponseRequest, Equatable {
    /// The operation, sent in the request header.
    public static let opCode = OpCode.closeSession
    /// The request; it has no fields.
    public init() {}
    /// Appends nothing: the request has no body.
    public func encode(into w: inout JuteWriter) {}
}

/// Adds credentials to the session (op 100, sent with xid -4), e.g. scheme "digest" with
/// "user:password". The server answers with an empty reply, or authFailed and closes.
public struct AuthRequest: EmptyResponseRequest, Equatable {
    /// The operation, sent in the request header.
    public static let opCode = OpCode.auth
    /// Unused by servers; 0.
    public var type: Int32
    /// The authentication scheme, e.g. "digest".
    public var scheme: String
    /// The credentials in that scheme (for digest, "user:password" in UTF-8).
    public var auth: [UInt8]

    /// A request with these fields.
    public init(type: Int32 = 0, scheme: String, auth: [UInt8]) {
        self.type = type; self.scheme = scheme; self.auth = auth
    }

    /// Appends the fields in wire order.
    public func encode(into w: inout JuteWriter) {
        w.writeInt32(type)
        w.writeString(scheme)
        w.writeBuffer(auth)
    }
}

/// A node's ACL and stat (op 6).
public struct GetACLRequest: ZooKeeperRequest, Equatable {
    /// The operation, sent in the request header.
    public static let opCode = OpCode.getACL
    /// The node, as the server sees it (chroot applied).
    public var path: String

    /// The operation on `path`.
    public init(path: String) { self.path = path }

    /// Appends the fields in wire order.
    public func encode(into w: inout JuteWriter) { w.writeString(path) }

    /// The node's ACL and stat.
    public static func decodeResponse(from r: inout JuteReader) -> (acl: [ACL], stat: Stat) {
        let acl = r.readVector(minimumElementSize: 12) { ACL(from: &$0) }
        return (acl, Stat(from: &r))
    }
}

/// Replaces a node's ACL if its ACL version matches (op 7); the reply is the new stat.
public struct SetACLRequest: ZooKeeperRequest, Equatable {
    /// The operation, sent in the request header.
    public static let opCode = OpCode.setACL
    /// The node, as the server sees it (chroot applied).
    public var path: String
    /// The new ACL.
    public var acl: [ACL]
    /// The ACL version the node must have (`Stat.aversion`), or -1 for any.
    public var version: Int32

    /// A request with these fields.
    public init(path: String, acl: [ACL], version: Int32) {
        self.path = path; self.acl = acl; self.version = version
    }

    /// Appends the fields in wire order.
    public func encode(into w: inout JuteWriter) {
        w.writeString(path)
        w.writeInt32(Int32(acl.count))
        for entry in acl { entry.encode(into: &w) }
        w.writeInt32(version)
    }

    /// The node's stat after the change.
    public static func decodeResponse(from r: inout JuteReader) -> Stat { Stat(from: &r) }
}
