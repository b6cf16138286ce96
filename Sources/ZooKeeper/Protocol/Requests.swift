/// One ZooKeeper operation: its op code, how its body is written, and how its reply body is
/// read. Pure values; any thread.
public protocol ZooKeeperRequest: Sendable {
    associatedtype Response
    static var opCode: OpCode { get }
    func encode(into w: inout JuteWriter)
    static func decodeResponse(from r: inout JuteReader) -> Response
}

/// A read of one path that may leave a watch: the body is the path and the watch flag.
public protocol PathWatchRequest: ZooKeeperRequest {
    var path: String { get }
    var watch: Bool { get }
}

extension PathWatchRequest {
    public func encode(into w: inout JuteWriter) {
        w.writeString(path)
        w.writeBool(watch)
    }
}

/// A change to one path that only goes ahead at the node's expected version (-1: any): the
/// body is the path and the version.
public protocol PathVersionRequest: EmptyResponseRequest {
    var path: String { get }
    var version: Int32 { get }
}

extension PathVersionRequest {
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
    public static func decodeResponse(from r: inout JuteReader) {}
}

/// Creates a node (op 1); the reply is the created path.
public struct CreateRequest: ZooKeeperRequest, Equatable {
    public static let opCode = OpCode.create
    public var path: String
    public var data: [UInt8]
    public var acl: [ACL]
    public var mode: CreateMode

    public init(path: String, data: [UInt8], acl: [ACL], mode: CreateMode) {
        self.path = path; self.data = data; self.acl = acl; self.mode = mode
    }

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
    public static let opCode = OpCode.delete
    public var path: String
    public var version: Int32

    public init(path: String, version: Int32) { self.path = path; self.version = version }
}

/// A node's stat, optionally leaving a watch (op 3); a missing node is the error noNode.
public struct ExistsRequest: PathWatchRequest, Equatable {
    public static let opCode = OpCode.exists
    public var path: String
    public var watch: Bool

    public init(path: String, watch: Bool) { self.path = path; self.watch = watch }

    public static func decodeResponse(from r: inout JuteReader) -> Stat { Stat(from: &r) }
}

/// A node's data and stat, optionally leaving a data watch (op 4).
public struct GetDataRequest: PathWatchRequest, Equatable {
    public static let opCode = OpCode.getData
    public var path: String
    public var watch: Bool

    public init(path: String, watch: Bool) { self.path = path; self.watch = watch }

    public static func decodeResponse(from r: inout JuteReader) -> (data: [UInt8], stat: Stat) {
        let data = r.readBuffer() ?? []
        return (data, Stat(from: &r))
    }
}

/// Replaces a node's data if its version matches (op 5); the reply is the new stat.
public struct SetDataRequest: ZooKeeperRequest, Equatable {
    public static let opCode = OpCode.setData
    public var path: String
    public var data: [UInt8]
    public var version: Int32

    public init(path: String, data: [UInt8], version: Int32) {
        self.path = path; self.data = data; self.version = version
    }

    public func encode(into w: inout JuteWriter) {
        w.writeString(path)
        w.writeBuffer(data)
        w.writeInt32(version)
    }

    public static func decodeResponse(from r: inout JuteReader) -> Stat { Stat(from: &r) }
}

/// A node's child names, optionally leaving a child watch (op 8).
public struct GetChildrenRequest: PathWatchRequest, Equatable {
    public static let opCode = OpCode.getChildren
    public var path: String
    public var watch: Bool

    public init(path: String, watch: Bool) { self.path = path; self.watch = watch }

    public static func decodeResponse(from r: inout JuteReader) -> [String] { r.readStringVector() }
}

/// A node's child names and its stat (op 12).
public struct GetChildren2Request: PathWatchRequest, Equatable {
    public static let opCode = OpCode.getChildren2
    public var path: String
    public var watch: Bool

    public init(path: String, watch: Bool) { self.path = path; self.watch = watch }

    public static func decodeResponse(from r: inout JuteReader) -> (children: [String], stat: Stat) {
        let children = r.readStringVector()
        return (children, Stat(from: &r))
    }
}

/// Makes the connected server catch up with the leader for a path (op 9).
public struct SyncRequest: ZooKeeperRequest, Equatable {
    public static let opCode = OpCode.sync
    public var path: String

    public init(path: String) { self.path = path }

    public func encode(into w: inout JuteWriter) { w.writeString(path) }

    public static func decodeResponse(from r: inout JuteReader) -> String { r.readString() ?? "" }
}

/// Only valid inside a multi; the stand-alone op code exists but is not used by this client.
public struct CheckVersionRequest: PathVersionRequest, Equatable {
    public static let opCode = OpCode.check
    public var path: String
    public var version: Int32

    public init(path: String, version: Int32) { self.path = path; self.version = version }
}

/// Re-arms watches on a new connection of the same session. `relativeZxid` is the last zxid
/// the client saw: the server fires at once any watch whose node changed after it.
public struct SetWatchesRequest: EmptyResponseRequest, Equatable {
    public static let opCode = OpCode.setWatches
    public var relativeZxid: Int64
    public var dataWatches: [String]
    public var existWatches: [String]
    public var childWatches: [String]

    public init(relativeZxid: Int64, dataWatches: [String], existWatches: [String],
                childWatches: [String]) {
        self.relativeZxid = relativeZxid; self.dataWatches = dataWatches
        self.existWatches = existWatches; self.childWatches = childWatches
    }

    public func encode(into w: inout JuteWriter) {
        w.writeInt64(relativeZxid)
        w.writeStringVector(dataWatches)
        w.writeStringVector(existWatches)
        w.writeStringVector(childWatches)
    }
}

/// Keeps an idle session alive (op 11, sent with xid -2).
public struct PingRequest: EmptyResponseRequest, Equatable {
    public static let opCode = OpCode.ping
    public init() {}
    public func encode(into w: inout JuteWriter) {}
}

/// Ends the session; its ephemeral nodes are deleted at once (op -11).
public struct CloseSessionRequest: EmptyResponseRequest, Equatable {
    public static let opCode = OpCode.closeSession
    public init() {}
    public func encode(into w: inout JuteWriter) {}
}

/// Adds credentials to the session (op 100, sent with xid -4), e.g. scheme "digest" with
/// "user:password". The server answers with an empty reply, or authFailed and closes.
public struct AuthRequest: EmptyResponseRequest, Equatable {
    public static let opCode = OpCode.auth
    public var type: Int32
    public var scheme: String
    public var auth: [UInt8]

    public init(type: Int32 = 0, scheme: String, auth: [UInt8]) {
        self.type = type; self.scheme = scheme; self.auth = auth
    }

    public func encode(into w: inout JuteWriter) {
        w.writeInt32(type)
        w.writeString(scheme)
        w.writeBuffer(auth)
    }
}

/// A node's ACL and stat (op 6).
public struct GetACLRequest: ZooKeeperRequest, Equatable {
    public static let opCode = OpCode.getACL
    public var path: String

    public init(path: String) { self.path = path }

    public func encode(into w: inout JuteWriter) { w.writeString(path) }

    public static func decodeResponse(from r: inout JuteReader) -> (acl: [ACL], stat: Stat) {
        let acl = r.readVector(minimumElementSize: 12) { ACL(from: &$0) }
        return (acl, Stat(from: &r))
    }
}

/// Replaces a node's ACL if its ACL version matches (op 7); the reply is the new stat.
public struct SetACLRequest: ZooKeeperRequest, Equatable {
    public static let opCode = OpCode.setACL
    public var path: String
    public var acl: [ACL]
    public var version: Int32

    public init(path: String, acl: [ACL], version: Int32) {
        self.path = path; self.acl = acl; self.version = version
    }

    public func encode(into w: inout JuteWriter) {
        w.writeString(path)
        w.writeInt32(Int32(acl.count))
        for entry in acl { entry.encode(into: &w) }
        w.writeInt32(version)
    }

    public static func decodeResponse(from r: inout JuteReader) -> Stat { Stat(from: &r) }
}
