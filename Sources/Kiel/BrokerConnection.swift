/// One TCP connection to one broker, speaking Kafka's request/response protocol over a
/// `FramedStream`: it connects on demand, negotiates API versions with `ApiVersions` before
/// anything else, numbers requests with correlation ids, keeps up to `maxInFlight` of them on
/// the wire (pipelining), times each one out on its own deadline, and reconnects after a
/// failure with jittered exponential backoff. A request on the wire that outlives its deadline
/// means the connection is dead even if the socket looks open: it is closed, and requests not
/// yet sent go out on a new one.
///
/// Every request gets exactly one completion: its answer, its timeout, or — when the
/// connection dies — the connection error (every request in flight and waiting is failed).
/// Completions never run inside `send`.
///
/// With `Options.security` set to TLS, every connection (reconnects included) shakes hands
/// before ApiVersions. A TLS failure (`KielError.tls`) is not passing: the connection fails
/// what it carries with it and gives up. It does not reconnect, and later requests fail at
/// once with the same error.
///
/// Loop-confined: create it and call it on the loop thread only; completions run there.
public final class BrokerConnection {
    /// Tunables for a connection.
    public struct Options: Sendable {
        /// The client id sent in every request header (brokers log and quote it).
        public var clientID: String = "kiel-swift"
        /// How long opening the socket may take before the attempt fails.
        public var connectTimeout: Duration = .seconds(10)
        /// How long a request may wait for its answer; a request on the wire past it closes the connection.
        public var requestTimeout: Duration = .seconds(30)
        /// Requests on the wire at once, before answers come back.
        public var maxInFlight: Int = 5
        /// Largest response frame accepted; larger ones close the connection.
        public var maxFrameSize: Int = 100 << 20
        /// The first pause before reconnecting after a failure; doubles (with jitter) on each failure.
        public var reconnectBackoffInitial: Duration = .milliseconds(50)
        /// The longest pause between reconnect attempts.
        public var reconnectBackoffMax: Duration = .seconds(5)
        /// Plaintext (the default) or TLS, and the TLS settings.
        public var security = Security.plaintext
        /// The defaults above.
        public init() {}
    }

    /// Where the connection is: idle (connects on the next request), opening the socket,
    /// negotiating versions, usable, or closed for good.
    public enum State: Equatable, Sendable {
        /// No socket; the next request connects (after the reconnect backoff, if one runs).
        case disconnected
        /// Opening the socket.
        case connecting
        /// Asking the broker which API versions it speaks.
        case handshaking
        /// Sending requests.
        case ready
        /// Closed for good by `close()`.
        case closed
    }

    /// The loop the connection runs on.
    public let loop: IOLoop
    /// The broker this connection talks to.
    public let address: BrokerAddress
    /// The broker's node id from metadata, or nil for a bootstrap connection.
    public let nodeID: Int32?
    /// The settings it was made with.
    public let options: Options
    /// Where the connection is now.
    public private(set) var state: State = .disconnected
    /// The versions both sides speak, from the handshake; nil until it is done.
    public private(set) var versions: NegotiatedVersions?
    /// Called on each state change (for the cluster's bookkeeping and tests).
    public var onStateChange: ((State) -> Void)?

    /// The loaded TLS settings (nil for plaintext), shared with the cluster's other connections.
    let tls: Result<TLSContext, TLSError>?
    /// Set when a TLS failure made the connection give up; requests fail with it from then on.
    public internal(set) var permanentFailure: KielError?
    /// Finding out whether a server that never answered the TLS handshake speaks plaintext.
    var probe: PlaintextProbe?

    private(set) var stream: FramedStream?
    /// SASL on this connection's stream, when `options.security.sasl` is set.
    var sasl: SaslSession?
    private var queue: RequestQueue<PendingRequest>
    /// Traffic, round trips and connects, for `statistics`.
    var counters = ConnectionCounters()
    private var backoff: Backoff
    private var notBefore: Deadline?
    private var reconnectTimer: TimeoutHandle?
    var handshakeTimer: TimeoutHandle?
    /// Wakes at the earliest deadline of the requests queued or in flight.
    private lazy var deadlineTimer = EarliestDeadlineTimer(loop: loop) { [weak self] in self?.deadlinesDue() }
    private var handshakeVersion = ApiSpec.apiVersions.versions.upperBound
    private static let handshakeCorrelationID: Int32 = -1

    /// A connection that opens on its first request; `nodeID` is the broker's id when metadata gave one.
    public convenience init(loop: IOLoop, address: BrokerAddress, nodeID: Int32? = nil, options: Options = Options()) {
        self.init(loop: loop, address: address, nodeID: nodeID, options: options, tls: options.security.loadTLS())
    }

    init(loop: IOLoop, address: BrokerAddress, nodeID: Int32?, options: Options, tls: Result<TLSContext, TLSError>?) {
        self.loop = loop
        self.tls = tls
        if case .failure(let error) = tls { permanentFailure = .tls(error) }
        self.address = address
        self.nodeID = nodeID
        self.options = options
        self.queue = RequestQueue(maxInFlight: options.maxInFlight)
        self.backoff = Backoff(initial: options.reconnectBackoffInitial, maximum: options.reconnectBackoffMax)
    }

    /// Whether the connection has requests waiting or in flight.
    public var isBusy: Bool { !queue.isIdle }

    /// Sends `request` and calls `completion` with the decoded answer and the version used.
    /// The version is the highest both sides support (`NegotiatedVersions`); `versionRange`
    /// narrows it (e.g. to versions a caller's fields need).
    /// `expectsResponse: false` is for Produce with acks=0, which the broker never answers:
    /// the completion then follows the write with an empty response.
    public func send<R: KafkaRequest>(_ request: R, timeout: Duration? = nil,
                                      versionRange: ClosedRange<Int16>? = nil, expectsResponse: Bool = true,
                                      _ completion: @escaping (Result<(response: R.Response, version: Int16), KielError>) -> Void) {
        loop.assertInLoop()
        let pending = PendingRequest(
            apiKey: R.apiKey,
            encode: { [unowned self] correlationID in
                guard let version = try? self.versions?.version(for: R.apiKey, within: versionRange) else {
                    throw KielError.broker(BrokerError(.unsupportedVersion))
                }
                return (try KafkaFrame.encodeRequest(request, version: version, correlationId: correlationID,
                                                     clientId: self.options.clientID), version)
            },
            complete: { result in
                completion(result.flatMap { frame, version in
                    if !expectsResponse { return .success((R.Response(), version)) }
                    do {
                        let decoded = try KafkaFrame.decodeResponse(R.Response.self, frame: frame, version: version)
                        return .success((decoded.body, version))
                    } catch {
                        return .failure(.protocolViolation("\(R.apiKey) v\(version) response: \(error)"))
                    }
                })
            })
        pending.expectsResponse = expectsResponse
        enqueue(pending, timeout: timeout)
    }

    /// Writes the requests queued on the socket now rather than at the end of the turn.
    func flushNow() {
        stream?.flushNow()
    }

    private func enqueue(_ pending: PendingRequest, timeout: Duration?) {
        if state == .closed {
            loop.callSoon { pending.complete(.failure(.closed)) }
            return
        }
        if let permanentFailure {
            loop.callSoon { pending.complete(.failure(permanentFailure)) }
            return
        }
        let deadline = loop.now + (timeout ?? options.requestTimeout)
        queue.enqueue(deadline: deadline.uptimeNanoseconds, handler: pending)
        armDeadlineTimer()
        switch state {
        case .disconnected: connectWhenAllowed()
        case .ready: pump()
        default: break
        }
    }

    /// Closes the connection for good: every request still owed an answer fails with `.closed`.
    public func close() {
        loop.assertInLoop()
        guard state != .closed else { return }
        setState(.closed)
        loop.cancelTimeout(&reconnectTimer)
        probe?.cancel()
        probe = nil
        loop.cancelTimeout(&handshakeTimer)
        deadlineTimer.disarm()
        detachStream()?.close()
        // The owed completions run on a later turn, never inside the caller's close().
        let owed = queue.failAll()
        if !owed.isEmpty { loop.callSoon { for entry in owed { entry.handler?.complete(.failure(.closed)) } } }
    }

    // MARK: connecting

    func setState(_ new: State) {
        guard state != new else { return }
        state = new
        onStateChange?(new)
    }

    private func connectWhenAllowed() {
        guard state == .disconnected, reconnectTimer == nil else { return }
        if let notBefore, loop.now < notBefore {
            reconnectTimer = loop.addTimeout(notBefore) { [weak self] in
                guard let self else { return }
                self.reconnectTimer = nil
                if !self.queue.isIdle { self.connect() }
            }
            return
        }
        connect()
    }

    private func connect() {
        guard state == .disconnected else { return }
        setState(.connecting)
        KielLog.debug("connecting to \(address)")
        let layer: TLSLayer?
        switch makeTLSLayer() {
        case .success(let made): layer = made
        case .failure(let error):
            return loop.callSoon { [weak self] in self?.giveUp(.tls(error)) }
        }
        FramedStream.connect(loop: loop, host: address.host, port: address.port, timeout: options.connectTimeout,
                             maxFrameSize: options.maxFrameSize, layer: layer) { [weak self] result in
            guard let self else {
                if case .success(let s) = result { s.close() }
                return
            }
            guard self.state == .connecting else {
                if case .success(let s) = result { s.close() }
                return
            }
            switch result {
            case .success(let stream): self.startHandshake(on: stream)
            case .failure(let error): self.connectFailed(error, layer: layer)
            }
        }
    }

    private func startHandshake(on stream: FramedStream) {
        self.stream = stream
        stream.onFrame = { [weak self] frame in self?.received(frame) }
        stream.onClose = { [weak self] error in
            guard let self, self.stream === stream else { return }
            self.connectionLost(error ?? .closed)
        }
        setState(.handshaking)
        // A broker that accepts the connection but never answers ApiVersions would otherwise
        // hold the connection in .handshaking for good: every request would time out on it.
        handshakeTimer = loop.callLater(options.connectTimeout) { [weak self] in
            guard let self else { return }
            self.handshakeTimer = nil
            guard self.state == .handshaking, self.stream === stream else { return }
            self.fail(stream: .connection(host: self.address.host, port: self.address.port,
                                          underlying: IOError.connectTimedOut(host: self.address.host,
                                                                              port: self.address.port)))
        }
        sendHandshake(version: ApiSpec.apiVersions.versions.upperBound)
    }

    private func sendHandshake(version: Int16) {
        handshakeVersion = version
        var request = ApiVersionsRequest()
        if version >= 3 {
            request = ApiVersionsRequest(clientSoftwareName: "kiel-swift", clientSoftwareVersion: "1.0.0")
        }
        do {
            let frame = try KafkaFrame.encodeRequest(request, version: version,
                                                     correlationId: Self.handshakeCorrelationID,
                                                     clientId: options.clientID)
            stream?.sendRaw(frame)
        } catch {
            fail(stream: .protocolViolation("cannot encode ApiVersions: \(error)"))
        }
    }

    private func handshakeAnswered(_ frame: [UInt8]) {
        let response: ApiVersionsResponse
        do {
            // A broker that does not know our version answers in v0 layout with
            // UNSUPPORTED_VERSION; decodeFrame reads it that way.
            response = try ApiVersionsResponse.decodeFrame(frame, requestedVersion: handshakeVersion).body
        } catch {
            return fail(stream: .protocolViolation("ApiVersions response: \(error)"))
        }
        if let lower = response.retryVersion(after: handshakeVersion) {
            return sendHandshake(version: lower)
        }
        guard response.errorCode == 0 else {
            return fail(stream: .broker(BrokerError(wireCode: response.errorCode)))
        }
        versions = NegotiatedVersions(broker: response)
        versionsAgreed()
    }

    /// Versions agreed (and, with SASL, authenticated): requests may go.
    func becomeReady() {
        loop.cancelTimeout(&handshakeTimer)
        backoff.reset()
        notBefore = nil
        counters.connects += 1
        setState(.ready)
        KielLog.debug("connected to \(address), \(versions?.brokerRanges.count ?? 0) APIs")
        pump()
    }

    /// Requests held back while the connection re-authenticated go now.
    func resumeAfterReauthentication() { pump() }

    /// Whether requests are on the wire awaiting answers.
    var hasRequestsInFlight: Bool { !queue.inFlight.isEmpty }
    var requestsInFlightCount: Int { queue.inFlight.count { $0.handler != nil } }
    var requestsWaitingCount: Int { queue.waiting.count }

    // MARK: requests and answers

    private func pump() {
        guard state == .ready, let stream, sasl?.holdsRequests != true else { return }
        for entry in queue.takeSendable() {
            guard let pending = entry.handler else { continue }
            do {
                let (frame, version) = try pending.encode(entry.correlationID)
                pending.version = version
                stream.sendRaw(frame)
                counters.requestsSent += 1
                counters.bytesSent += frame.count
                pending.sentAt = loop.now.uptimeNanoseconds
                if !pending.expectsResponse {
                    _ = queue.forget(correlationID: entry.correlationID)
                    loop.callSoon { pending.complete(.success(([], version))) }
                }
            } catch {
                _ = queue.forget(correlationID: entry.correlationID)
                let failure = (error as? KielError) ?? .protocolViolation("\(pending.apiKey) request: \(error)")
                loop.callSoon { pending.complete(.failure(failure)) }
            }
        }
        armDeadlineTimer()
    }

    private func received(_ frame: [UInt8]) {
        guard let id = KafkaFrame.correlationId(ofResponse: frame) else {
            return fail(stream: .protocolViolation("response frame of \(frame.count) bytes has no header"))
        }
        if id == Self.saslCorrelationID, state == .handshaking || state == .ready { return saslAnswered(frame) }
        if state == .handshaking {
            guard id == Self.handshakeCorrelationID else {
                return fail(stream: .protocolViolation("unexpected correlation id \(id) during handshake"))
            }
            return handshakeAnswered(frame)
        }
        switch queue.answer(correlationID: id) {
        case .deliver(let entry):
            counters.responsesReceived += 1
            counters.bytesReceived += frame.count + 4
            if let sentAt = entry.handler?.sentAt {
                counters.roundTrip.record(nanoseconds: loop.now.uptimeNanoseconds &- sentAt)
            }
            entry.handler?.complete(.success((frame, entry.handler?.version ?? 0)))
        case .discard:
            break
        case .unexpected(let expected):
            return fail(stream: .protocolViolation(
                "correlation id \(id) does not match the oldest request in flight (\(expected.map(String.init) ?? "none"))"))
        }
        reauthenticateWhenQuiet()
        pump()
    }

    /// The stream is unusable (bad data): drop it, failing what it carried.
    /// A re-authentication the broker did not finish within the request timeout: the stream
    /// is presumed dead (requests wait behind it), so it is dropped and a new one opened.
    func reauthenticationTimedOut() {
        fail(stream: .timeout("re-authentication with \(address)"))
    }

    private func fail(stream error: KielError) {
        KielLog.warning("connection to \(address): \(error)")
        detachStream()?.close()
        lost(error)
    }

    /// A request on the wire got no answer within its deadline: the connection is presumed
    /// dead (a broker host gone, a dropped NAT entry, a stalled peer) even if the socket looks
    /// open, as the Java client and librdkafka presume. Close it and fail what it carried
    /// (retriable, so callers retry); waiting requests go out on a fresh connection after the
    /// backoff, within their own deadlines.
    private func abandonSilentStream(now: UInt64) {
        KielLog.warning("connection to \(address): no answer within the request timeout; reconnecting")
        detachStream()?.close()
        loop.cancelTimeout(&handshakeTimer)
        counters.disconnects += 1
        let owed = queue.failAll(keepWaiting: true)
        versions = nil
        notBefore = loop.now + backoff.next()
        setState(.disconnected)
        for entry in owed {
            if entry.deadline <= now { counters.timeouts += 1 }
            let what = "\(entry.handler?.apiKey.description ?? "request") to \(address)"
            entry.handler?.complete(.failure(.timeout(entry.deadline <= now
                ? what : "\(what): connection closed after another request timed out")))
        }
        if !queue.isIdle { connectWhenAllowed() }
    }

    /// Lets go of the stream and silences its callbacks; the caller decides whether to close it.
    func detachStream() -> FramedStream? {
        let s = stream
        stream = nil
        sasl?.cancel(on: loop)
        sasl = nil
        s?.onClose = nil
        s?.onFrame = nil
        return s
    }

    func connectionLost(_ error: IOError) {
        if let s = detachStream(), s.isOpen { s.close() }
        if let failure = Self.tlsFailure(error) { return giveUp(.tls(failure)) }
        lost(.connection(host: address.host, port: address.port, underlying: error))
    }

    private func lost(_ error: KielError) {
        guard state != .closed else { return }
        loop.cancelTimeout(&handshakeTimer)
        if state == .ready || state == .handshaking { counters.disconnects += 1 }
        notBefore = loop.now + backoff.next()
        versions = nil
        setState(.disconnected)
        failAll(error)
    }

    func failAll(_ error: KielError) {
        let owed = queue.failAll()
        deadlineTimer.disarm()
        for entry in owed { entry.handler?.complete(.failure(error)) }
    }

    private func armDeadlineTimer() {
        guard let next = queue.nextDeadline else { return deadlineTimer.disarm() }
        deadlineTimer.arm(at: next)
    }

    private func deadlinesDue() {
        let now = loop.now.uptimeNanoseconds
        if state == .ready, queue.hasInFlightDue(now: now) { abandonSilentStream(now: now) }
        for entry in queue.expire(now: now) {
            counters.timeouts += 1
            entry.handler?.complete(.failure(.timeout("\(entry.handler?.apiKey.description ?? "request") to \(address)")))
        }
        armDeadlineTimer()
    }
}
