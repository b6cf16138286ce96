import KielIO

/// Owns the socket and the session state machine: connect to one ensemble member after
/// another (shuffled, backing off after a full round fails), the handshake, pings, read-timeout
/// detection, request/reply matching by xid, watch events, SetWatches after a reconnect, and
/// expiry. Knows nothing about the client API above it. The timers derived from the session
/// timeout, with their floors, are in ZooKeeperConnection+Timers.swift.
///
/// Loop-confined: every method runs on the loop thread.
final class ZooKeeperConnection {
    typealias Reply = Result<(header: ReplyHeader, body: JuteReader), ZooKeeperError>

    final class Pending {
        let opCode: OpCode
        let body: [UInt8]
        var xid: Int32 = 0
        var queueTimer: TimeoutHandle?
        let completion: (Reply) -> Void

        init(opCode: OpCode, body: [UInt8], completion: @escaping (Reply) -> Void) {
            self.opCode = opCode
            self.body = body
            self.completion = completion
        }
    }

    let loop: IOLoop
    let hosts: [ConnectString.Host]
    let requestedTimeout: Duration
    let watches = WatchRegistry()
    /// Told about every user-level transition.
    var onStateChange: ((StateChange) -> Void)?
    /// Told about every watch firing after its registered watchers were taken (path is the
    /// server's, i.e. chrooted).
    var onWatchFired: ((WatcherEvent, [Watcher]) -> Void)?

    private(set) var wireState: WireState = .idle
    private(set) var sessionID: Int64 = 0
    private(set) var password = [UInt8](repeating: 0, count: 16)
    private(set) var lastZxid: Int64 = 0
    private(set) var negotiatedTimeout: Duration
    /// The host of the live connection, if any.
    private(set) var currentHost: ConnectString.Host?

    private var stream: FramedStream?
    private var awaitingHandshake = false
    private var generation: UInt64 = 0
    private var hostIndex = 0
    private var failuresThisRound = 0
    /// Paces reconnects (internal, like the other timer state below, for +Timers.swift).
    var backoff = Backoff(initial: .milliseconds(50), maximum: .seconds(2))
    private var nextXid: Int32 = 1
    private var inFlight: [Pending] = []
    private var inFlightHead = 0
    private var queued: [Pending] = []
    private var handshakeTimer: TimeoutHandle?
    var tickTimer: TimeoutHandle?
    private var reconnectTimer: TimeoutHandle?
    private var closeTimer: TimeoutHandle?
    private var closeCompletions: [() -> Void] = []
    var lastSend: Deadline
    var lastReceive: Deadline
    /// When the live connection's handshake completed.
    var establishedAt: Deadline?
    private var reconnectBlockedUntil: Deadline?
    /// Credentials sent again on every new connection; `completion` until first answered.
    private var authInfos: [(request: AuthRequest, completion: ((Result<Void, ZooKeeperError>) -> Void)?)] = []
    /// Who waits for each auth reply on this connection, in order (nil for a re-send).
    private var authWaiters: [((Result<Void, ZooKeeperError>) -> Void)?] = []

    /// The largest reply frame accepted (the Java client's default limit): a bigger length
    /// prefix drops the connection instead of making us set aside that much memory.
    static let maxReplySize = 4 << 20

    init(loop: IOLoop, hosts: [ConnectString.Host], sessionTimeout: Duration) {
        self.loop = loop
        self.hosts = hosts.shuffled()
        self.requestedTimeout = sessionTimeout
        self.negotiatedTimeout = sessionTimeout
        self.lastSend = loop.now
        self.lastReceive = loop.now
    }

    /// The user-level view of `wireState`.
    var userState: ConnectionState {
        switch wireState {
        case .connected: return .connected
        case .connecting: return sessionID != 0 ? .suspended : .lost
        default: return .lost
        }
    }

    // MARK: lifecycle

    func start() {
        loop.assertInLoop()
        guard wireState == .idle else { return }
        wireState = .connecting
        connectNext()
    }

    /// Closes the session (closeSession, then the socket). Calls `completion` on a later turn.
    func close(_ completion: @escaping () -> Void) {
        loop.assertInLoop()
        if wireState == .closed {
            loop.callSoon(completion)
            return
        }
        closeCompletions.append(completion)
        switch wireState {
        case .closing:
            return
        case .connected:
            wireState = .closing
            let request = Pending(opCode: .closeSession, body: []) { [weak self] _ in
                self?.finishClose()
            }
            send(request)
            closeTimer = loop.callLater(connectTimeout) { [weak self] in self?.finishClose() }
        default:
            finishClose()
        }
    }

    private func finishClose() {
        guard wireState != .closed else { return }
        let hadSession = sessionID != 0
        generation &+= 1
        cancelTimers()
        if let closeTimer { loop.removeTimeout(closeTimer) }
        stream?.close()
        stream = nil
        currentHost = nil
        wireState = .closed
        let failing = takeAll(includingQueued: true)
        _ = watches.takeAll()
        sessionID = 0
        // Credentials still waiting for an answer (sent, or not yet sent) are owed one too.
        let authFailing = authWaiters.compactMap { $0 } + authInfos.compactMap { $0.completion }
        authWaiters = []
        for index in authInfos.indices { authInfos[index].completion = nil }
        let completions = closeCompletions
        closeCompletions = []
        // On a later turn: close() may be the caller, and completions never run inside it.
        loop.callSoon { [weak self] in
            for waiter in authFailing { waiter(.failure(.closed)) }
            for pending in failing { pending.completion(.failure(.closed)) }
            if hadSession { self?.onStateChange?(.lost(.closed)) }
            for completion in completions { completion() }
        }
    }

    // MARK: requests

    /// Sends `body` as `opCode` now if connected, else queues it until a session is up (failing
    /// it with `.timeout` if none comes within the session timeout).
    func submit(_ opCode: OpCode, body: [UInt8], _ completion: @escaping (Reply) -> Void) {
        loop.assertInLoop()
        let pending = Pending(opCode: opCode, body: body, completion: completion)
        if let refusal {
            loop.callSoon { completion(.failure(refusal)) }
        } else if wireState == .connected {
            send(pending)
        } else {
            pending.queueTimer = loop.callLater(requestedTimeout) { [weak self, weak pending] in
                guard let self, let pending,
                      let index = self.queued.firstIndex(where: { $0 === pending }) else { return }
                self.queued.remove(at: index)
                pending.completion(.failure(.timeout))
            }
            queued.append(pending)
        }
    }

    /// Why nothing more is accepted (closed, or the credentials were refused); nil while
    /// requests are sent now or queued for the next session.
    private var refusal: ZooKeeperError? {
        switch wireState {
        case .closed, .closing: .closed
        case .authFailed: .authFailed
        case .idle, .connecting, .connected, .expired: nil
        }
    }

    private func send(_ pending: Pending) {
        guard let stream else { return }
        if let timer = pending.queueTimer {
            loop.removeTimeout(timer)
            pending.queueTimer = nil
        }
        pending.xid = nextXid
        nextXid = nextXid == Int32.max ? 1 : nextXid + 1
        var w = JuteWriter(capacity: pending.body.count + 8)
        w.writeInt32(pending.xid)
        w.writeInt32(pending.opCode.rawValue)
        w.writeRaw(pending.body)
        inFlight.append(pending)
        stream.send(w.bytes)
        lastSend = loop.now
    }

    func sendSpecial<R: ZooKeeperRequest>(_ request: R, xid: Int32) {
        guard let stream else { return }
        stream.send(request.encodedFrame(xid: xid))
        lastSend = loop.now
    }

    /// Fails everything sent and not answered (and, if asked, everything queued), each once.
    private func failAll(_ error: ZooKeeperError, includingQueued: Bool) {
        for pending in takeAll(includingQueued: includingQueued) {
            pending.completion(.failure(error))
        }
    }

    /// Removes and returns the requests in flight (and, if asked, the queued ones).
    private func takeAll(includingQueued: Bool) -> [Pending] {
        var taken = Array(inFlight[inFlightHead...])
        inFlight = []
        inFlightHead = 0
        if includingQueued {
            for pending in queued {
                if let timer = pending.queueTimer { loop.removeTimeout(timer) }
            }
            taken += queued
            queued = []
        }
        return taken
    }

    // MARK: authentication

    /// Adds credentials now (if connected) and on every later connection.
    func addAuth(_ request: AuthRequest, _ completion: @escaping (Result<Void, ZooKeeperError>) -> Void) {
        loop.assertInLoop()
        if let refusal {
            loop.callSoon { completion(.failure(refusal)) }
        } else if wireState == .connected {
            authInfos.append((request, nil))
            authWaiters.append(completion)
            sendSpecial(request, xid: SpecialXid.auth)
        } else {
            authInfos.append((request, completion))
        }
    }

    private func sendAuthInfos() {
        for index in authInfos.indices {
            authWaiters.append(authInfos[index].completion)
            authInfos[index].completion = nil
            sendSpecial(authInfos[index].request, xid: SpecialXid.auth)
        }
    }

    private func authAnswered(_ header: ReplyHeader) {
        let waiter = authWaiters.isEmpty ? nil : authWaiters.removeFirst()
        guard header.err != 0 else {
            waiter?(.success(()))
            return
        }
        KielLog.warning("zookeeper: authentication failed (\(header.err))")
        generation &+= 1
        cancelTimers()
        stream?.close()
        stream = nil
        currentHost = nil
        wireState = .authFailed
        sessionID = 0
        var waiters = authWaiters.compactMap { $0 }
        authWaiters = []
        if let waiter { waiters.insert(waiter, at: 0) }
        for waiter in waiters { waiter(.failure(.authFailed)) }
        failAll(.authFailed, includingQueued: true)
        _ = watches.takeAll()
        onStateChange?(.lost(.authFailed))
    }

    // MARK: connecting

    private func connectNext() {
        guard wireState == .connecting || wireState == .expired else { return }
        if let until = reconnectBlockedUntil, loop.now < until {
            reconnectTimer = loop.addTimeout(until) { [weak self] in
                self?.reconnectTimer = nil
                self?.connectNext()
            }
            return
        }
        reconnectBlockedUntil = nil
        generation &+= 1
        let gen = generation
        let host = hosts[hostIndex % hosts.count]
        hostIndex += 1
        KielLog.debug("zookeeper: connecting to \(host.host):\(host.port)")
        FramedStream.connect(loop: loop, host: host.host, port: host.port, timeout: connectTimeout,
                             maxFrameSize: ZooKeeperConnection.maxReplySize) {
            [weak self] result in
            guard let self, gen == self.generation else {
                if case .success(let stream) = result { stream.close() }
                return
            }
            switch result {
            case .success(let stream): self.handshake(on: stream, host: host, generation: gen)
            case .failure(let error): self.attemptFailed("\(error)")
            }
        }
    }

    private func handshake(on stream: FramedStream, host: ConnectString.Host, generation gen: UInt64) {
        self.stream = stream
        currentHost = host
        awaitingHandshake = true
        stream.onFrame = { [weak self] frame in
            guard let self, gen == self.generation else { return }
            self.received(frame)
        }
        stream.onClose = { [weak self] error in
            guard let self, gen == self.generation else { return }
            self.connectionLost("closed: \(error.map { "\($0)" } ?? "by us")")
        }
        let request = ConnectRequest(lastZxidSeen: lastZxid,
                                     timeout: Int32(clamping: requestedTimeout.milliseconds),
                                     sessionID: sessionID, password: password)
        stream.send(request.encoded)
        lastSend = loop.now
        handshakeTimer = loop.callLater(connectTimeout) { [weak self] in
            guard let self, gen == self.generation else { return }
            self.handshakeTimer = nil
            self.connectionLost("no connect response from \(host.host):\(host.port)")
        }
    }

    private func attemptFailed(_ reason: String) {
        KielLog.debug("zookeeper: connection attempt failed: \(reason)")
        stream = nil
        currentHost = nil
        failuresThisRound += 1
        var delay = Duration.zero
        if failuresThisRound >= hosts.count {
            failuresThisRound = 0
            delay = backoff.next()
        }
        reconnectTimer = loop.callLater(delay) { [weak self] in
            self?.reconnectTimer = nil
            self?.connectNext()
        }
    }

    private func established(_ response: ConnectResponse) {
        if let handshakeTimer { loop.removeTimeout(handshakeTimer) }
        handshakeTimer = nil
        awaitingHandshake = false
        let resumed = sessionID != 0 && response.sessionID == sessionID
        if sessionID != 0 && !resumed {
            // A different session than the one we asked for: treat the old one as gone.
            sessionID = 0
            expireSession()
            return
        }
        sessionID = response.sessionID
        password = response.password
        negotiatedTimeout = .milliseconds(Int64(response.timeout))
        wireState = .connected
        // The backoff is not reset here but once a connection has lasted (see
        // reconnectDelayAfterLoss): a server that grants sessions only to drop them at once
        // must not be reconnected to in a tight loop.
        failuresThisRound = 0
        establishedAt = loop.now
        lastReceive = loop.now
        scheduleTick()
        sendAuthInfos()
        if resumed {
            for request in watches.setWatchesRequests(relativeZxid: lastZxid) {
                sendSpecial(request, xid: SpecialXid.setWatches)
            }
        }
        let waiting = queued
        queued = []
        for pending in waiting { send(pending) }
        KielLog.info("zookeeper: session 0x\(String(UInt64(bitPattern: sessionID), radix: 16)) "
            + "\(resumed ? "resumed" : "established") on \(currentHost.map { "\($0.host):\($0.port)" } ?? "?"), "
            + "timeout \(response.timeout) ms")
        onStateChange?(resumed ? .reconnected : .connected(sessionID: sessionID))
    }

    /// The servers told us our session is gone: report it, then open a fresh session.
    private func expireSession() {
        generation &+= 1
        cancelTimers()
        stream?.close()
        stream = nil
        currentHost = nil
        sessionID = 0
        password = [UInt8](repeating: 0, count: 16)
        wireState = .expired
        failAll(.sessionExpired, includingQueued: true)
        let orphaned = watches.takeAll()
        KielLog.warning("zookeeper: session expired")
        onStateChange?(.lost(.expired))
        for (path, watcher) in orphaned {
            onWatchFired?(WatcherEvent(type: -1, state: -112, path: path), [watcher])
        }
        guard wireState == .expired else { return }  // the listener may have closed us
        wireState = .connecting
        loop.callSoon { [weak self] in self?.connectNext() }
    }

    /// The connection dropped (or timed out): fail what was sent, then try the next host.
    func connectionLost(_ reason: String) {
        guard wireState == .connecting || wireState == .connected else {
            if wireState == .closing { finishClose() }
            return
        }
        KielLog.info("zookeeper: connection lost: \(reason)")
        let wasConnected = wireState == .connected
        generation &+= 1
        cancelTimers()
        stream?.close()
        stream = nil
        currentHost = nil
        awaitingHandshake = false
        wireState = .connecting
        let authLost = authWaiters.compactMap { $0 }
        authWaiters = []
        for waiter in authLost { waiter(.failure(.connectionLoss)) }
        failAll(.connectionLoss, includingQueued: false)
        if wasConnected {
            onStateChange?(.suspended)
            guard wireState == .connecting else { return }
            reconnectTimer = loop.callLater(reconnectDelayAfterLoss()) { [weak self] in
                self?.reconnectTimer = nil
                self?.connectNext()
            }
        } else {
            attemptFailed(reason)
        }
    }

    private func cancelTimers() {
        for timer in [handshakeTimer, tickTimer, reconnectTimer].compactMap({ $0 }) {
            loop.removeTimeout(timer)
        }
        handshakeTimer = nil
        tickTimer = nil
        reconnectTimer = nil
    }

    // MARK: frames

    private func received(_ frame: [UInt8]) {
        lastReceive = loop.now
        if awaitingHandshake {
            switch ConnectResponse.decode(frame) {
            case .failure(let error):
                connectionLost("bad connect response: \(error)")
            case .success(let response) where response.timeout <= 0 && sessionID != 0:
                expireSession()
            case .success(let response) where response.timeout <= 0:
                // No session of ours to expire: a server that can't give us one is a failed attempt.
                connectionLost("no session granted")
            case .success(let response):
                established(response)
            }
            return
        }
        var reader = JuteReader(frame)
        let header = ReplyHeader(from: &reader)
        if reader.error != nil {
            connectionLost("short reply header")
            return
        }
        switch header.xid {
        case SpecialXid.watch:
            let event = WatcherEvent(from: &reader)
            guard reader.error == nil else {
                connectionLost("bad watch event")
                return
            }
            onWatchFired?(event, watches.take(type: event.type, path: event.path))
        case SpecialXid.ping:
            break
        case SpecialXid.auth:
            authAnswered(header)
        case SpecialXid.setWatches:
            if header.err != 0 { KielLog.warning("zookeeper: SetWatches failed with \(header.err)") }
        default:
            guard inFlightHead < inFlight.count, inFlight[inFlightHead].xid == header.xid else {
                connectionLost("reply xid \(header.xid) answers no request in flight")
                return
            }
            let pending = inFlight[inFlightHead]
            inFlightHead += 1
            if inFlightHead == inFlight.count {
                inFlight.removeAll(keepingCapacity: true)
                inFlightHead = 0
            } else if inFlightHead >= 32 && inFlightHead * 2 >= inFlight.count {
                // Requests kept overlapping: the queue never empties, so drop the answered ones
                // (and the completions they hold) here instead.
                inFlight.removeFirst(inFlightHead)
                inFlightHead = 0
            }
            if header.zxid > 0 { lastZxid = max(lastZxid, header.zxid) }
            pending.completion(.success((header, reader)))
        }
    }

    // MARK: test hooks

    /// Drops the socket as a network failure would and keeps the client from reconnecting
    /// for `duration`, so a test can let the session expire on the servers.
    func dropConnectionForTesting(blockReconnectFor duration: Duration) {
        reconnectBlockedUntil = loop.now + duration
        connectionLost("dropped by a test")
    }
}
