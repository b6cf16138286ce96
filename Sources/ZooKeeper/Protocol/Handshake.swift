/// The first frame a client sends on a new connection (no request header).
/// `sessionID` 0 with an all-zero password asks for a new session; otherwise it resumes one.
public struct ConnectRequest: Equatable, Sendable {
    public var protocolVersion: Int32
    public var lastZxidSeen: Int64
    /// Requested session timeout in milliseconds.
    public var timeout: Int32
    public var sessionID: Int64
    public var password: [UInt8]
    public var readOnly: Bool

    public init(protocolVersion: Int32 = 0, lastZxidSeen: Int64, timeout: Int32, sessionID: Int64,
                password: [UInt8], readOnly: Bool = false) {
        self.protocolVersion = protocolVersion; self.lastZxidSeen = lastZxidSeen
        self.timeout = timeout; self.sessionID = sessionID; self.password = password
        self.readOnly = readOnly
    }

    public func encode(into w: inout JuteWriter) {
        w.writeInt32(protocolVersion)
        w.writeInt64(lastZxidSeen)
        w.writeInt32(timeout)
        w.writeInt64(sessionID)
        w.writeBuffer(password)
        w.writeBool(readOnly)
    }

    public var encoded: [UInt8] {
        var w = JuteWriter()
        encode(into: &w)
        return w.bytes
    }
}

/// The server's answer to `ConnectRequest`. A `timeout` of 0 or less means the session we
/// asked to resume has expired.
public struct ConnectResponse: Equatable, Sendable {
    public var protocolVersion: Int32
    /// Negotiated session timeout in milliseconds.
    public var timeout: Int32
    public var sessionID: Int64
    public var password: [UInt8]
    /// Older servers omit the trailing read-only flag.
    public var readOnly: Bool

    public init(protocolVersion: Int32, timeout: Int32, sessionID: Int64, password: [UInt8],
                readOnly: Bool = false) {
        self.protocolVersion = protocolVersion; self.timeout = timeout
        self.sessionID = sessionID; self.password = password; self.readOnly = readOnly
    }

    public init(from r: inout JuteReader) {
        protocolVersion = r.readInt32()
        timeout = r.readInt32()
        sessionID = r.readInt64()
        password = r.readBuffer() ?? []
        readOnly = r.readOptionalBool() ?? false
    }

    public func encode(into w: inout JuteWriter) {
        w.writeInt32(protocolVersion)
        w.writeInt32(timeout)
        w.writeInt64(sessionID)
        w.writeBuffer(password)
        w.writeBool(readOnly)
    }

    public static func decode(_ frame: [UInt8]) -> Result<ConnectResponse, ZooKeeperError> {
        var r = JuteReader(frame)
        let response = ConnectResponse(from: &r)
        if let error = r.error { return .failure(.protocol("connect response: \(error)")) }
        return .success(response)
    }
}

/// A watch notification body (sent with xid -1).
public struct WatcherEvent: Equatable, Sendable {
    public var type: Int32
    public var state: Int32
    public var path: String

    public init(type: Int32, state: Int32, path: String) {
        self.type = type; self.state = state; self.path = path
    }

    public init(from r: inout JuteReader) {
        type = r.readInt32()
        state = r.readInt32()
        path = r.readString() ?? ""
    }

    public func encode(into w: inout JuteWriter) {
        w.writeInt32(type)
        w.writeInt32(state)
        w.writeString(path)
    }
}
