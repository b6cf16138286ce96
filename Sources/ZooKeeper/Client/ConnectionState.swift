/// The user-level connection state (kazoo's KazooState). Read `ZooKeeperClient.state` or
/// listen with `addStateListener`.
public enum ConnectionState: Equatable, Sendable {
    /// A session is established and the connection is up: ephemeral nodes we created exist,
    /// watches are armed, a lock we hold is ours.
    case connected
    /// The connection dropped; the session may still be alive on the servers, so our ephemeral
    /// nodes and locks are probably still there — but another client can't be told apart from
    /// us until we reconnect. A lock holder should stop doing work that needs the lock until
    /// `reconnected`, and must not assume it lost the lock.
    case suspended
    /// The session is gone (expired, closed, or authentication failed): its ephemeral nodes
    /// are deleted, its watches are dropped, and any lock it held is released. After an
    /// expiry the client opens a new session on its own and reports `.connected` again.
    case lost
}

/// What a state listener is told. One transition per call.
public enum StateChange: Equatable, Sendable {
    /// A new session was established (the first one, or a fresh one after `.lost`).
    case connected(sessionID: Int64)
    /// The connection dropped; the client is reconnecting with the same session.
    case suspended
    /// The same session is back: ephemerals, watches (re-armed with SetWatches) and locks held.
    case reconnected
    /// The session ended; see `LossReason`.
    case lost(LossReason)
}

/// Why a session ended.
public enum LossReason: Equatable, Sendable {
    /// The servers expired it (we were cut off for longer than the session timeout).
    case expired
    /// `close()` was called.
    case closed
    /// The server refused our credentials.
    case authFailed
}

/// The wire-level state of the connection (what the session state machine is doing).
public enum WireState: Equatable, Sendable {
    /// Not started yet.
    case idle
    /// Opening a TCP connection or waiting for the connect response.
    case connecting
    /// Session established on a live connection.
    case connected
    /// The servers said our session expired; a new one is being opened.
    case expired
    case authFailed
    /// Sending closeSession and waiting for its answer.
    case closing
    case closed
}
