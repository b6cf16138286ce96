/// ZooKeeper request types as they appear in a request header's `type` field.
public enum OpCode: Int32, Sendable {
    case notification = 0
    case create = 1
    case delete = 2
    case exists = 3
    case getData = 4
    case setData = 5
    case getACL = 6
    case setACL = 7
    case getChildren = 8
    case sync = 9
    case ping = 11
    case getChildren2 = 12
    case check = 13
    case multi = 14
    case create2 = 15
    case auth = 100
    case setWatches = 101
    case createSession = -10
    case closeSession = -11
    /// Marks an error entry (or the end marker) in a multi response.
    case error = -1
}

/// Reserved transaction ids: replies with these xids are not answers to numbered requests.
public enum SpecialXid {
    /// A watch notification pushed by the server.
    public static let watch: Int32 = -1
    /// A ping and its reply.
    public static let ping: Int32 = -2
    /// An auth packet and its reply.
    public static let auth: Int32 = -4
    /// The SetWatches sent after reconnecting with the same session.
    public static let setWatches: Int32 = -8
}

/// Flags of a create request.
public enum CreateMode: Int32, Sendable, CaseIterable {
    case persistent = 0
    case ephemeral = 1
    case persistentSequential = 2
    case ephemeralSequential = 3

    /// Whether the node goes away with the session that created it.
    public var isEphemeral: Bool { self == .ephemeral || self == .ephemeralSequential }
    /// Whether the server appends a 10-digit sequence number to the name.
    public var isSequential: Bool { self == .persistentSequential || self == .ephemeralSequential }

    /// The mode with both properties as given.
    public init(ephemeral: Bool, sequential: Bool) {
        switch (ephemeral, sequential) {
        case (false, false): self = .persistent
        case (true, false): self = .ephemeral
        case (false, true): self = .persistentSequential
        case (true, true): self = .ephemeralSequential
        }
    }
}

/// The request header that precedes every request body after the handshake.
public struct RequestHeader: Equatable, Sendable {
    /// The request's id, echoed in the reply's header; negative ids are `SpecialXid`s.
    public var xid: Int32
    /// The `OpCode`'s raw value.
    public var type: Int32

    /// The header for a request of `type` with id `xid`.
    public init(xid: Int32, type: OpCode) {
        self.xid = xid
        self.type = type.rawValue
    }

    /// Appends the header's fields in wire order.
    public func encode(into w: inout JuteWriter) {
        w.writeInt32(xid)
        w.writeInt32(type)
    }
}

/// The header of every reply after the handshake.
public struct ReplyHeader: Equatable, Sendable {
    /// The id of the request answered (or a `SpecialXid`).
    public var xid: Int32
    /// The server's last transaction id when it answered.
    public var zxid: Int64
    /// 0 for success, else a ZooKeeper error code (see `ZooKeeperError(code:)`).
    public var err: Int32

    /// A header with these fields (for tests and scripted servers).
    public init(xid: Int32, zxid: Int64, err: Int32) {
        self.xid = xid
        self.zxid = zxid
        self.err = err
    }

    /// Reads the header; failures stay in `r`.
    public init(from r: inout JuteReader) {
        xid = r.readInt32()
        zxid = r.readInt64()
        err = r.readInt32()
    }

    /// Appends the header's fields in wire order (for scripted servers).
    public func encode(into w: inout JuteWriter) {
        w.writeInt32(xid)
        w.writeInt64(zxid)
        w.writeInt32(err)
    }
}
