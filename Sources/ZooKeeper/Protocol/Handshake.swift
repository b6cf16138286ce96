/// The first frame a client sends on a new connection (no request header).
/// `sessionID` 0 with an all-zero password asks for a new session; otherwise it resumes one.
public struct ConnectRequest: Equatable, Sendable {
    /// The protocol version; 0 for every released server.
    public var protocolVersion: Int32
    /// The highest zxid this client has seen; a server that is further behind refuses us.
    public var lastZxidSeen: Int64
    /// Requested session timeout in milliseconds.
    public var timeout: Int32
    /// The session to resume, or 0 for a new one.
    public var sessionID: Int64
    /// The session's password (16 bytes from the server), all zeros for a new session.
    public var password: [UInt8]
    /// Whether a read-only server may take us (this client asks for false).
    public var readOnly: Bool

    /// A handshake; `timeout` in milliseconds.
    public init(protocolVersion: Int32 = 0, lastZxidSeen: Int64, timeout: Int32, sessionID: Int64,
                password: [UInt8], readOnly: Bool = false) {
        self.protocolVersion = protocolVersion; self.lastZxidSeen = lastZxidSeen
        self.timeout = timeout; self.sessionID = sessionID; self.password = password
        self.readOnly = readOnly
    }

    /// Appends the request's fields in wire order.
    public func encode(into w: inout JuteWriter) {
        w.writeInt32(protocolVersion)
        w.writeInt64(lastZxidSeen)
        w.writeInt32(timeout)
        w.writeInt64(sessionID)
        w.writeBuffer(password)
        w.writeBool(readOnly)
    }

    /// The request as one frame body.
    public var encoded: [UInt8] {
        var w = JuteWriter()
        encode(into: &w)
        return w.bytes
    }
}

/// The server's answer to `ConnectRequest`. A `timeout` of 0 or less means the session we
/// asked to resume has expired.
public struct ConnectResponse: Equatable, Sendable {
    /// The server's protocol version.
    public var protocolVersion: Int32
    /// Negotiated session timeout in milliseconds.
    public var timeout: Int32
    /// The session granted (or resumed); 0 when it has expired.
    public var sessionID: Int64
    /// The session's password, to send when reconnecting.
    public var password: [UInt8]
    /// Older servers omit the trailing read-only flag.
    public var readOnly: Bool

    /// An answer with these fields (for tests and scripted servers).
    public init(protocolVersion: Int32, timeout: Int32, sessionID: Int64, password: [UInt8],
                readOnly: Bool = false) {
        self.protocolVersion = protocolVersion; self.timeout = timeout
        self.sessionID = sessionID; self.password = password; self.readOnly = readOnly
    }

    /// Reads the answer; failures stay in `r`.
    public init(from r: inout JuteReader) {
        protocolVersion = r.readInt32()
        timeout = r.readInt32()
        sessionID = r.readInt64()
        password = r.readBuffer() ?? []
        readOnly = r.readOptionalBool() ?? false
    }

    /// Appends the answer's fields in wire order (for scripted servers).
    public func encode(into w: inout JuteWriter) {
        w.writeInt32(protocolVersion)
        w.writeInt32(timeout)
        w.writeInt64(sessionID)
        w.writeBuffer(password)
        w.writeBool(readOnly)
    }

    /// The answer in `frame`, or `.protocol` if it is cut short.
    public static func decode(_ frame: [UInt8]) -> Result<ConnectResponse, ZooKeeperError> {
        var r = JuteReader(frame)
        let response = ConnectResponse(from: &r)
        if let error = r.error { return .failure(.protocol("connect response: \(error)")) }
        return .success(response)
    }
}

/// A watch notification body (sent with xid -1).
public struct WatcherEvent: Equatable, Sendable {
    /// ZooKeeper's `EventType` number (1 created, 2 deleted, 3 data changed, 4 children changed;
    /// -1 for a session event).
    public var type: Int32
    /// ZooKeeper's `KeeperState` number (3 connected, -112 expired, ...).
    public var state: Int32
    /// The node's server-side path (with the chroot).
    public var path: String

    /// A notification with these fields.
    public init(type: Int32, state: Int32, path: String) {
        self.type = type; self.state = state; self.path = path
    }

    /// Reads the notification; failures stay in `r`.
    public init(from r: inout JuteReader) {
        type = r.readInt32()
        state = r.readInt32()
        path = r.readString() ?? ""
    }

    /// Appends the notification's fields in wire order (for scripted servers).
    public func encode(into w: inout JuteWriter) {
        w.writeInt32(type)
        w.writeInt32(state)
        w.writeString(path)
    }
}
