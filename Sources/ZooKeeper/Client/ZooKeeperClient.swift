import KielIO

/// A ZooKeeper session over KielIO: connects to any member of the ensemble named by the
/// connect string, keeps the session across reconnects (re-arming watches), and reports
/// connection state changes. Operations are in `ZooKeeperClient+Operations.swift`.
///
/// Every completion receives a `Result<T, ZooKeeperError>` exactly once, on the loop thread,
/// and never before the call that started it has returned. Operations issued before the first
/// session (or while reconnecting) wait for a connection up to the session timeout.
///
/// Loop-confined: create it and call it on the loop's thread only.
public final class ZooKeeperClient {
    /// The loop every callback runs on.
    public let loop: IOLoop
    /// The ensemble and chroot this client connects to.
    public let connectString: ConnectString
    let connection: ZooKeeperConnection
    private var listeners: [(id: Int, listener: (StateChange) -> Void)] = []
    private var nextListenerID = 0

    /// - Parameters:
    ///   - connectString: `"h1:2181,h2:2181/chroot"`; see `ConnectString`.
    ///   - sessionTimeout: requested; the servers clamp it to 2–20 ticks.
    public convenience init(loop: IOLoop, connectString: String,
                            sessionTimeout: Duration = .seconds(10)) throws(ZooKeeperError) {
        self.init(loop: loop, connectString: try ConnectString(parsing: connectString),
                  sessionTimeout: sessionTimeout)
    }

    /// A client for an already parsed connect string; nothing happens until `start()`.
    public init(loop: IOLoop, connectString: ConnectString, sessionTimeout: Duration = .seconds(10)) {
        self.loop = loop
        self.connectString = connectString
        self.connection = ZooKeeperConnection(loop: loop, hosts: connectString.hosts,
                                              sessionTimeout: sessionTimeout)
        connection.onStateChange = { [weak self] change in self?.notify(change) }
        connection.onWatchFired = { [weak self] event, watchers in
            guard let self else { return }
            let kind: WatchEvent.Kind = event.state == -112 ? .sessionExpired
                : WatchEvent.Kind(wireType: event.type)
            let watchEvent = WatchEvent(kind: kind, path: self.unchroot(event.path))
            for watcher in watchers { watcher(watchEvent) }
        }
    }

    /// Starts connecting. State changes go to the listeners.
    public func start() {
        connection.start()
    }

    /// Ends the session: its ephemeral nodes go away at once. Pending operations fail with
    /// `.closed`; listeners hear `.lost(.closed)` if a session existed.
    public func close(_ completion: @escaping () -> Void = {}) {
        connection.close(completion)
    }

    /// The user-level state (kazoo's CONNECTED / SUSPENDED / LOST).
    public var state: ConnectionState { connection.userState }
    /// What the state machine is doing on the wire.
    public var wireState: WireState { connection.wireState }
    /// The current session id, 0 when there is none.
    public var sessionID: Int64 { connection.sessionID }
    /// The session timeout the server granted (the requested one before the first session).
    public var negotiatedSessionTimeout: Duration { connection.negotiatedTimeout }
    /// The highest zxid seen in a reply.
    public var lastZxid: Int64 { connection.lastZxid }
    /// The ensemble member of the live connection, if any.
    public var connectedHost: ConnectString.Host? { connection.currentHost }

    /// Adds a listener for state changes; returns a token for `removeStateListener`.
    @discardableResult
    public func addStateListener(_ listener: @escaping (StateChange) -> Void) -> Int {
        nextListenerID += 1
        listeners.append((nextListenerID, listener))
        return nextListenerID
    }

    /// Removes the listener `addStateListener` returned `token` for; an unknown token does nothing.
    public func removeStateListener(_ token: Int) {
        listeners.removeAll { $0.id == token }
    }

    private func notify(_ change: StateChange) {
        for entry in listeners { entry.listener(change) }
    }

    // MARK: chroot

    func chroot(_ path: String) -> String {
        guard let root = connectString.chroot else { return path }
        return path == "/" ? root : root + path
    }

    func unchroot(_ path: String) -> String {
        guard let root = connectString.chroot, path.hasPrefix(root) else { return path }
        let rest = String(path.dropFirst(root.count))
        if rest.isEmpty { return "/" }
        return rest.hasPrefix("/") ? rest : path
    }

    // MARK: test hooks

    /// Drops the connection as a network failure would and blocks reconnecting for
    /// `duration` (to let the servers expire the session).
    func dropConnectionForTesting(blockReconnectFor duration: Duration) {
        connection.dropConnectionForTesting(blockReconnectFor: duration)
    }
}
