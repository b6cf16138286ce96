// The ZooKeeper side of a grouped consumer, on the ZooKeeper client.

import KielIO
import ZooKeeper

/// A group member's ZooKeeper business: the `Party` under `members`, the `SharedSet` of
/// `topic:partition` strings in `partitions` (kiel's layout and JSON, written under the lock at
/// `partitions/lock`), and one ephemeral claim per partition under `owners`, holding the
/// owner's member name, so that a partition changes hands only after its previous owner let go
/// (or its session ended).
///
/// After a session expiry the client opens a new session by itself and the recipes rejoin and
/// re-watch; this reports `.joined` again with the members as they stand.
///
/// With credentials, they are added to the client before it first connects (the client sends
/// them again on every reconnect). The group's znodes (`/kiel/groups/<group>` and everything
/// under it) are created with `acl`; the ancestors every group shares, `/kiel/groups`, are
/// created open when missing, so that groups owned by different identities can live side by
/// side. A refused credential ends the session for good: `start` fails with
/// `.zookeeper(.authFailed)`, or, once started, the member hears `.expired` and drops its share.
///
/// Loop-confined: call it on the loop thread only; events and completions run there.
final class ZooKeeperGroupCoordination: GroupCoordination {
    let client: ZooKeeperClient
    let layout: GroupLayout
    let member: String
    let party: Party
    let sharedSet: SharedSet
    let credentials: [ZooKeeperCredentials]
    let acl: [ACL]
    var onEvent: ((GroupCoordinationEvent) -> Void)?

    private var listener: Int?
    private var startCompletion: ((Result<Void, KielError>) -> Void)?
    private var setUpSession: Int64 = 0
    private var stopped = false
    private var startTimer: TimeoutHandle?
    private let startTimeout: Duration

    init(client: ZooKeeperClient, layout: GroupLayout, member: String, credentials: [ZooKeeperCredentials] = [],
         acl: [ACL] = ACL.openUnsafe, startTimeout: Duration = .seconds(30)) {
        self.client = client
        self.layout = layout
        self.member = member
        self.credentials = credentials
        self.acl = acl
        self.startTimeout = startTimeout
        party = Party(client: client, path: layout.members, memberName: member, acl: acl)
        sharedSet = SharedSet(client: client, path: layout.partitions, acl: acl)
        party.onChange = { [weak self] members in
            guard let self, !self.stopped else { return }
            self.onEvent?(.members(members))
        }
        sharedSet.onChange = { [weak self] items in
            guard let self, !self.stopped else { return }
            self.onEvent?(.partitions(Array(items)))
        }
    }

    private var loop: IOLoop { client.loop }

    var sessionTimeout: Duration? { setUpSession != 0 ? client.negotiatedSessionTimeout : nil }

    func start(_ completion: @escaping (Result<Void, KielError>) -> Void) {
        startCompletion = completion
        // The client keeps trying to connect; the caller hears after a while that it hasn't.
        startTimer = loop.callLater(startTimeout) { [weak self] in
            guard let self, let completion = self.startCompletion else { return }
            self.startCompletion = nil
            completion(.failure(.zookeeper(.timeout)))
        }
        listener = client.addStateListener { [weak self] change in self?.stateChanged(change) }
        // Before connecting, so they go out first on the first connection (and every later one).
        for credential in credentials { client.addAuth(credential) }
        if client.state == .connected && client.sessionID != 0 {
            setUp()
        } else if client.wireState == .idle {
            client.start()
        }
    }

    private func stateChanged(_ change: StateChange) {
        guard !stopped else { return }
        switch change {
        case .connected:
            // A new session: the first one, or a fresh one after an expiry.
            setUp()
        case .suspended:
            onEvent?(.suspended)
        case .reconnected:
            onEvent?(.reconnected)
        case .lost(.expired):
            onEvent?(.expired)
        case .lost(.authFailed):
            // No session is coming back. The set-up's own answers are dropped (their session is
            // gone by the time they fail), so `start` hears it here; once started, what we held
            // is gone as after an expiry.
            if startCompletion != nil {
                failStart(.authFailed)
            } else if setUpSession != 0 {
                setUpSession = 0
                onEvent?(.expired)
            }
        case .lost(.closed):
            break
        }
    }

    /// Creates the group's znodes, joins the party and arms the watches, for the current session.
    private func setUp() {
        let session = client.sessionID
        guard session != 0, session != setUpSession else { return }
        let first = setUpSession == 0
        setUpSession = session
        ensureGroupNode { [weak self] result in
            guard let self, !self.stopped, self.client.sessionID == session else { return }
            if case .failure(let error) = result { return self.failStart(error) }
            // After an expiry the recipes re-watch by themselves; the first time they start here.
            let startRecipes: (@escaping (Result<Void, ZooKeeperError>) -> Void) -> Void = { done in
                guard first else { return done(.success(())) }
                self.party.start { result in
                    if case .failure = result { return done(result) }
                    self.sharedSet.start(done)
                }
            }
            startRecipes { result in
                if case .failure(let error) = result { return self.failStart(error) }
                self.party.join { result in
                    guard !self.stopped, self.client.sessionID == session else { return }
                    if case .failure(let error) = result { return self.failStart(error) }
                    self.onEvent?(.joined)
                    // The party reports changes only; after a rejoin the list may be unchanged.
                    self.onEvent?(.members(self.party.members))
                    if let completion = self.startCompletion {
                        self.startCompletion = nil
                        if let timer = self.startTimer { self.loop.removeTimeout(timer) }
                        completion(.success(()))
                    }
                }
            }
        }
    }

    /// The shared ancestors open, then the group's own node and `owners` with `acl`.
    private func ensureGroupNode(_ completion: @escaping (Result<Void, ZooKeeperError>) -> Void) {
        client.ensurePath(GroupLayout.groupsRoot) { [weak self] result in
            guard let self else { return }
            if case .failure = result { return completion(result) }
            self.client.ensurePath(self.layout.owners, acl: self.acl, completion)
        }
    }

    private func failStart(_ error: ZooKeeperError) {
        KielLog.warning("group \(layout.group): ZooKeeper set-up failed: \(error)")
        setUpSession = 0
        if let completion = startCompletion {
            startCompletion = nil
            completion(.failure(.zookeeper(error)))
        } else {
            // Try again shortly (the session may be reconnecting).
            loop.callLater(.milliseconds(500)) { [weak self] in self?.setUp() }
        }
    }

    func addPartitions(_ partitions: Set<String>, _ completion: @escaping (Result<Void, KielError>) -> Void) {
        sharedSet.add(partitions) { result in completion(result.mapError(KielError.zookeeper)) }
    }

    func claim(_ key: TopicPartition, _ completion: @escaping (Result<ClaimOutcome, KielError>) -> Void) {
        let path = layout.owner(of: key)
        client.create(path, data: Array(member.utf8), mode: .ephemeral, acl: acl) { [weak self] result in
            guard let self else { return }
            switch result {
            case .success: completion(.success(.acquired))
            case .failure(.nodeExists): self.checkClaim(key, completion)
            case .failure(let error): completion(.failure(.zookeeper(error)))
            }
        }
    }

    /// The claim exists: ours (from this session) or another member's, watched for deletion.
    private func checkClaim(_ key: TopicPartition, _ completion: @escaping (Result<ClaimOutcome, KielError>) -> Void) {
        let path = layout.owner(of: key)
        let session = client.sessionID
        client.getData(path, watch: { [weak self] event in
            guard let self, !self.stopped, event.kind == .nodeDeleted else { return }
            self.onEvent?(.claimFreed(key))
        }) { [weak self] result in
            guard let self else { return }
            switch result {
            case .success(let (data, stat)):
                if stat.ephemeralOwner == session {
                    completion(.success(.acquired))
                } else {
                    completion(.success(.heldByOther(String(decoding: data, as: UTF8.self))))
                }
            case .failure(.noNode):
                // Let go between our create and our read: try again.
                self.claim(key, completion)
            case .failure(let error):
                completion(.failure(.zookeeper(error)))
            }
        }
    }

    func release(_ key: TopicPartition, _ completion: @escaping (Result<Void, KielError>) -> Void) {
        let path = layout.owner(of: key)
        let session = client.sessionID
        client.getData(path) { [weak self] result in
            guard let self else { return }
            switch result {
            case .failure(.noNode): completion(.success(()))
            case .failure(let error): completion(.failure(.zookeeper(error)))
            case .success(let (_, stat)):
                // Only ever delete our own claim: a new owner may have taken it already.
                guard stat.ephemeralOwner == session else { return completion(.success(())) }
                self.client.delete(path, version: stat.version) { result in
                    switch result {
                    case .success, .failure(.noNode): completion(.success(()))
                    case .failure(let error): completion(.failure(.zookeeper(error)))
                    }
                }
            }
        }
    }

    func stop(_ completion: @escaping () -> Void) {
        guard !stopped else { return loop.callSoon(completion) }
        stopped = true
        if let listener { client.removeStateListener(listener) }
        startCompletion = nil
        if let timer = startTimer { loop.removeTimeout(timer) }
        // Without a live connection a delete would only wait; closing the session (or its
        // expiry) removes the party node and the claims anyway.
        guard client.state == .connected, setUpSession != 0 else { return client.close(completion) }
        // Leave first so the others rebalance at once; closing the session drops our claims.
        // A leave cut off waits for the session to come back: give it a session timeout, then
        // close anyway (which removes our node as surely, only later for the others).
        var closing = false
        let close: () -> Void = { [client] in
            guard !closing else { return }
            closing = true
            client.close(completion)
        }
        let timer = loop.callLater(client.negotiatedSessionTimeout, close)
        party.leave { [loop] _ in
            loop.removeTimeout(timer)
            close()
        }
    }
}
