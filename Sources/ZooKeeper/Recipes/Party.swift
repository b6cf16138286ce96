import KielIO

/// Group membership: each member is an ephemeral child `<path>/<memberName>`, so a member
/// whose session ends leaves the party on its own (kiel's Party).
///
/// Algorithm: `start` ensures `path` and keeps a child watch on it, calling `onChange` with
/// the sorted member list whenever it differs from the last one reported. `join` creates our
/// ephemeral node; if a node with our name exists but belongs to another (older) session,
/// it is deleted and re-created in one transaction so it is ours. A join or leave whose
/// answer is lost with the connection (`connectionLoss`: it may or may not have been applied)
/// is tried again, from the exists check, once the session is back, so it is answered only
/// when it is known to be done. After the session expires the client opens a new one and the
/// party re-joins and re-watches by itself.
/// A join or leave in flight keeps the party alive until it is answered.
///
/// Loop-confined: create and use it on the client's loop thread.
public final class Party {
    /// The session the membership lives in.
    public let client: ZooKeeperClient
    /// The party's znode; members are its children.
    public let path: String
    /// Our child's name under `path`.
    public let memberName: String
    /// Called with the sorted member names when they change.
    public var onChange: ([String]) -> Void
    /// The ACL of the nodes the party creates: its own node (and missing ancestors) and
    /// every member node.
    public let acl: [ACL]

    private var started = false
    private var joined = false
    private var watchArmed = false
    private var lastMembers: [String]?
    private var listenerToken: Int?
    /// Joins and leaves whose answer was lost with the connection, tried again (or failed)
    /// once the session is back (or gone for good).
    private var waitingForSession: [(Result<Void, ZooKeeperError>) -> Void] = []

    /// A party at `path` that we are not in yet; call `start` to watch it and `join` to enter.
    /// The nodes it creates get `acl` (open to all by default).
    public init(client: ZooKeeperClient, path: String, memberName: String, acl: [ACL] = ACL.openUnsafe,
                onChange: @escaping ([String]) -> Void = { _ in }) {
        self.client = client
        self.path = path
        self.memberName = memberName
        self.acl = acl
        self.onChange = onChange
        listenerToken = client.addStateListener { [weak self] change in self?.stateChanged(change) }
    }

    deinit {
        if let listenerToken { client.removeStateListener(listenerToken) }
    }

    /// Our member node: `path`/`memberName`.
    public var memberPath: String { PathRules.join(path, memberName) }

    /// The members last reported to `onChange`.
    public var members: [String] { lastMembers ?? [] }

    /// Ensures the party node and starts watching membership.
    public func start(_ completion: @escaping (Result<Void, ZooKeeperError>) -> Void = { _ in }) {
        started = true
        client.ensurePath(path, acl: acl) { [weak self] result in
            if case .success = result { self?.watchMembers() }
            completion(result)
        }
    }

    /// Becomes a member (see the type's doc for a stale node left by an older session).
    public func join(_ completion: @escaping (Result<Void, ZooKeeperError>) -> Void = { _ in }) {
        joined = true
        attemptJoin(completion)
    }

    private func attemptJoin(_ completion: @escaping (Result<Void, ZooKeeperError>) -> Void) {
        guard joined else { return completion(.failure(.closed)) }  // left meanwhile
        let node = memberPath
        // Holds self until answered, so the completion runs even if the caller let go of us.
        client.exists(node) { result in
            switch result {
            case .failure(let error):
                self.failed(error, retry: { self.attemptJoin(completion) }, completion)
            case .success(nil):
                self.client.create(node, mode: .ephemeral, acl: self.acl, makeParents: true) { result in
                    switch result {
                    case .success:
                        completion(.success(()))
                    case .failure(.nodeExists):
                        self.attemptJoin(completion)  // someone raced us; look again
                    case .failure(let error):
                        // A lost create may have been applied: the exists check tells.
                        self.failed(error, retry: { self.attemptJoin(completion) }, completion)
                    }
                }
            case .success(let stat?) where stat.ephemeralOwner == self.client.sessionID:
                completion(.success(()))
            case .success(let stat?):
                self.client.multi([.delete(path: node, version: stat.version),
                                   .create(path: node, acl: self.acl, mode: .ephemeral)]) { result in
                    switch result {
                    case .success: completion(.success(()))
                    case .failure(let error):
                        self.failed(error, retry: { self.attemptJoin(completion) }, completion)
                    }
                }
            }
        }
    }

    /// Stops being a member; a no-op if our node is already gone.
    public func leave(_ completion: @escaping (Result<Void, ZooKeeperError>) -> Void = { _ in }) {
        joined = false
        attemptLeave(completion)
    }

    private func attemptLeave(_ completion: @escaping (Result<Void, ZooKeeperError>) -> Void) {
        guard !joined else { return completion(.success(())) }  // joined again meanwhile
        client.delete(memberPath) { result in
            switch result {
            case .success, .failure(.noNode): completion(.success(()))
            case .failure(let error):
                self.failed(error, retry: { self.attemptLeave(completion) }, completion)
            }
        }
    }

    /// Connection trouble waits for the session to come back and tries again; anything else
    /// is the answer.
    private func failed(_ error: ZooKeeperError, retry: @escaping () -> Void,
                        _ completion: @escaping (Result<Void, ZooKeeperError>) -> Void) {
        guard error == .connectionLoss || error == .timeout else { return completion(.failure(error)) }
        if client.state == .connected { return retry() }
        waitingForSession.append { result in
            if case .failure(let error) = result { completion(.failure(error)) } else { retry() }
        }
    }

    private func watchMembers() {
        guard started, !watchArmed else { return }
        watchArmed = true
        client.getChildren(path, watch: { [weak self] event in
            guard let self else { return }
            self.watchArmed = false
            // After expiry the new session re-watches from the state listener.
            if event.kind != .sessionExpired { self.watchMembers() }
        }) { [weak self] result in
            guard let self else { return }
            switch result {
            case .success(let children):
                let sorted = children.sorted()
                if sorted != self.lastMembers {
                    self.lastMembers = sorted
                    self.onChange(sorted)
                }
            case .failure:
                // Not armed: try again when the connection is back.
                self.watchArmed = false
            }
        }
    }

    private func stateChanged(_ change: StateChange) {
        switch change {
        case .connected:
            // A new session (after expiry): our ephemeral is gone and so are the watches.
            watchArmed = false
            if started { watchMembers() }
            if joined { join { _ in } }
            for retry in takeWaiting() { retry(.success(())) }
        case .reconnected:
            if started && !watchArmed { watchMembers() }
            for retry in takeWaiting() { retry(.success(())) }
        case .lost(let reason) where reason != .expired:
            // Closed or refused: no session is coming back for the waiting joins and leaves.
            let error: ZooKeeperError = reason == .authFailed ? .authFailed : .closed
            for waiter in takeWaiting() { waiter(.failure(error)) }
        case .suspended, .lost:
            break
        }
    }

    private func takeWaiting() -> [(Result<Void, ZooKeeperError>) -> Void] {
        defer { waitingForSession = [] }
        return waitingForSession
    }
}
