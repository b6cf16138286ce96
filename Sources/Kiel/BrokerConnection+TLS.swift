/// The TLS side of connecting: a layer per connection, and what a failed handshake means.
extension BrokerConnection {
    /// A fresh TLS layer for this broker's host, nil for plaintext.
    func makeTLSLayer() -> Result<TLSLayer?, TLSError> {
        switch tls {
        case nil: return .success(nil)
        case .failure(let error): return .failure(error)
        case .success(let context):
            return Result { () throws(TLSError) in try context.makeLayer(host: address.host) }
        }
    }

    /// A connect that failed. A TLS failure is final. A server that accepted the connection
    /// but closed it or stayed silent without answering the handshake may be a plaintext
    /// listener (a Kafka broker waits for a frame ClientHello's first bytes announce as
    /// hundreds of megabytes, or refuses it): a plaintext ApiVersions on a second connection
    /// settles it. Otherwise it is an ordinary lost connection, retried after the backoff.
    func connectFailed(_ error: IOError, layer: TLSLayer?) {
        if let failure = Self.tlsFailure(error) { return giveUp(.tls(failure)) }
        guard let layer, layer.isStarted, layer.bytesReceived == 0, Self.unanswered(error) else {
            return connectionLost(error)
        }
        KielLog.info("\(address) did not answer the TLS handshake (\(error)); checking for a plaintext listener")
        probe = PlaintextProbe(loop: loop, address: address, timeout: options.connectTimeout,
                               clientID: options.clientID) { [weak self] speaksPlaintext in
            guard let self, self.state == .connecting else { return }
            self.probe = nil
            guard speaksPlaintext else { return self.connectionLost(error) }
            self.giveUp(.tls(TLSError(.plaintextPeer,
                "\(self.address) answered Kafka in plaintext but not the TLS handshake: it is a plaintext listener")))
        }
    }

    /// Stops for good after a TLS failure: fails what the connection carries and everything
    /// sent later with `error`, and never reconnects.
    func giveUp(_ error: KielError) {
        guard state != .closed else { return }
        KielLog.warning("connection to \(address): \(error); not reconnecting")
        permanentFailure = error
        detachStream()?.close()
        loop.cancelTimeout(&handshakeTimer)
        setState(.disconnected)
        failAll(error)
    }

    static func tlsFailure(_ error: IOError) -> TLSError? {
        guard case .layerFailed(let failure) = error else { return nil }
        return failure.underlying as? TLSError
    }

    private static func unanswered(_ error: IOError) -> Bool {
        switch error {
        case .closedByPeer, .connectionReset, .connectTimedOut: return true
        default: return false
        }
    }
}

/// One plaintext ApiVersions v0 request on a connection of its own: answers whether the
/// server speaks Kafka without TLS. Loop-confined; `done` runs once, on a later turn, unless
/// cancelled.
final class PlaintextProbe {
    private let loop: IOLoop
    private var done: ((Bool) -> Void)?
    private var stream: FramedStream?
    private var timer: TimeoutHandle?
    private static let correlationID: Int32 = 0x6B69_656C

    init(loop: IOLoop, address: BrokerAddress, timeout: Duration, clientID: String,
         _ done: @escaping (Bool) -> Void) {
        self.loop = loop
        self.done = done
        timer = loop.callLater(timeout) { [weak self] in self?.finish(false) }
        FramedStream.connect(loop: loop, host: address.host, port: address.port, timeout: timeout) { [weak self] result in
            guard let self, self.done != nil, case .success(let stream) = result else {
                if case .success(let stream) = result { stream.close() }
                self?.finish(false)
                return
            }
            self.stream = stream
            stream.onFrame = { [weak self] frame in self?.finish(Self.isApiVersionsAnswer(frame)) }
            stream.onClose = { [weak self] _ in self?.finish(false) }
            guard let request = try? KafkaFrame.encodeRequest(ApiVersionsRequest(), version: 0,
                                                              correlationId: Self.correlationID, clientId: clientID) else {
                return self.finish(false)
            }
            stream.sendRaw(request)
        }
    }

    private static func isApiVersionsAnswer(_ frame: [UInt8]) -> Bool {
        guard KafkaFrame.correlationId(ofResponse: frame) == correlationID else { return false }
        return (try? ApiVersionsResponse.decodeFrame(frame, requestedVersion: 0)) != nil
    }

    func cancel() {
        done = nil
        finish(false)
    }

    private func finish(_ speaksPlaintext: Bool) {
        if let timer { loop.removeTimeout(timer) }
        timer = nil
        if let stream {
            stream.onFrame = nil
            stream.onClose = nil
            stream.close()
        }
        stream = nil
        guard let done else { return }
        self.done = nil
        done(speaksPlaintext)
    }
}
