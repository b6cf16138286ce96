import Foundation

/// The SASL side of a connection: after ApiVersions, SaslHandshake and the mechanism's
/// SaslAuthenticate steps, before any other request; again on every reconnect; and again on
/// the same connection before the session the broker granted runs out (KIP-368), once the
/// requests in flight are answered and while new ones wait. A failed authentication gives
/// the connection up like a TLS failure: reported once, never retried in a loop.
extension BrokerConnection {
    /// The correlation id of SASL requests; the request queue's ids are never negative.
    static let saslCorrelationID: Int32 = -2

    /// ApiVersions is answered: authenticate when SASL is set, else start sending.
    func versionsAgreed() {
        guard let mechanism = options.security.sasl else { return becomeReady() }
        authenticate(mechanism)
    }

    /// Starts an exchange: at connect time (state `.handshaking`) or to re-authenticate.
    private func authenticate(_ mechanism: SaslMechanism) {
        guard versions?.versionIfSupported(.saslHandshake) != nil,
              versions?.versionIfSupported(.saslAuthenticate) != nil else {
            return giveUp(.authentication("\(address) offers no SaslHandshake v1 and SaslAuthenticate"))
        }
        let session = sasl ?? SaslSession(mechanism: mechanism)
        sasl = session
        session.exchange = .handshake
        if state == .ready {
            // The first exchange is bounded by the connect timeout; a re-authentication, with
            // requests waiting behind it, by the request timeout.
            loop.cancelTimeout(&session.timer)
            session.timer = loop.callLater(options.requestTimeout) { [weak self, weak session] in
                guard let self, let session, self.sasl === session, session.exchange != .idle else { return }
                session.timer = nil
                self.reauthenticationTimedOut()
            }
        }
        sendSasl(SaslHandshakeRequest(mechanism: mechanism.name))
    }

    private func sendSasl<R: KafkaRequest>(_ request: R) {
        guard let version = versions?.versionIfSupported(R.apiKey) else { return }
        do {
            sasl?.version = version
            stream?.sendRaw(try KafkaFrame.encodeRequest(request, version: version, correlationId: Self.saslCorrelationID,
                                                         clientId: options.clientID))
        } catch {
            giveUp(.authentication("cannot encode \(R.apiKey): \(error)"))
        }
    }

    /// An answer with the SASL correlation id.
    func saslAnswered(_ frame: [UInt8]) {
        guard let session = sasl, let version = session.version else {
            return giveUp(.authentication("\(address) sent a SASL answer nobody asked for"))
        }
        do {
            switch session.exchange {
            case .handshake:
                let answer = try KafkaFrame.decodeResponse(SaslHandshakeResponse.self, frame: frame, version: version).body
                guard answer.errorCode == 0 else {
                    return giveUp(.authentication("\(address) does not take \(session.mechanism.name); it offers "
                        + (answer.mechanisms.isEmpty ? "none" : answer.mechanisms.joined(separator: ", "))))
                }
                begin(session)
            case .authenticate:
                let answer = try KafkaFrame.decodeResponse(SaslAuthenticateResponse.self, frame: frame, version: version).body
                guard answer.errorCode == 0 else {
                    let code = BrokerError(wireCode: answer.errorCode)
                    return giveUp(.authentication("\(session.mechanism) refused by \(address): "
                        + (answer.errorMessage ?? code.name)))
                }
                switch try session.conversation?.reply(to: answer.authBytes) {
                case .send(let bytes)?: sendSasl(SaslAuthenticateRequest(authBytes: bytes))
                case .done?: authenticated(session, lifetimeMs: answer.sessionLifetimeMs)
                case nil: giveUp(.authentication("SASL answer before the exchange began"))
                }
            case .idle, .token:
                giveUp(.authentication("\(address) sent a SASL answer nobody asked for"))
            }
        } catch let error as KielError {
            giveUp(error)
        } catch {
            giveUp(.authentication("\(address)'s SASL answer: \(error)"))
        }
    }

    /// The handshake took the mechanism: make the conversation (fetching a token first for
    /// OAUTHBEARER) and send its first message.
    private func begin(_ session: SaslSession) {
        let stream = self.stream
        func start(_ conversation: any SaslConversation) {
            var conversation = conversation
            do {
                let first = try conversation.start()
                session.conversation = conversation
                session.exchange = .authenticate
                sendSasl(SaslAuthenticateRequest(authBytes: first))
            } catch {
                giveUp(error)
            }
        }
        switch session.mechanism {
        case .plain(let user, let password):
            start(PlainConversation(username: user, password: password))
        case .scramSHA256(let user, let password):
            start(ScramConversation(digest: .sha256, username: user, password: password))
        case .scramSHA512(let user, let password):
            start(ScramConversation(digest: .sha512, username: user, password: password))
        case .oauthBearer(let provider):
            session.exchange = .token
            provider.fetch { [weak self] result in
                // Answered after the connection moved on (lost, closed): nothing to do.
                guard let self, self.sasl === session, self.stream === stream, stream != nil else { return }
                switch result {
                case .success(let token): start(OAuthBearerConversation(token: token))
                case .failure(let error): self.giveUp(.authentication("no OAUTHBEARER token: \(error)"))
                }
            }
        }
    }

    private func authenticated(_ session: SaslSession, lifetimeMs: Int64) {
        loop.cancelTimeout(&session.timer)
        let again = session.authentications > 0
        session.authentications += 1
        session.exchange = .idle
        session.conversation = nil
        session.reauthenticationDue = false
        KielLog.debug("\(address): \(again ? "re-authenticated" : "authenticated") with \(session.mechanism)"
            + (lifetimeMs > 0 ? ", session of \(lifetimeMs) ms" : ""))
        if lifetimeMs > 0 {
            // KIP-368: at 85–95% of the lifetime, like the Java client, so a fleet of clients
            // does not re-authenticate in step.
            let share = Double.random(in: 0.85 ... 0.95)
            let delay = Duration.milliseconds(Int64(Double(lifetimeMs) * share))
            session.timer = loop.callLater(delay) { [weak self, weak session] in
                guard let self, let session, self.sasl === session else { return }
                session.timer = nil
                session.reauthenticationDue = true
                self.reauthenticateWhenQuiet()
            }
        }
        if state == .handshaking { becomeReady() } else { resumeAfterReauthentication() }
    }

    /// Re-authenticates once nothing is in flight (an answer must not cross the exchange);
    /// `pump` holds new requests back meanwhile. Called when due and after each answer.
    func reauthenticateWhenQuiet() {
        guard state == .ready, let session = sasl, session.reauthenticationDue, session.exchange == .idle,
              !hasRequestsInFlight else { return }
        KielLog.debug("\(address): session lifetime nearly over; re-authenticating")
        authenticate(session.mechanism)
    }
}

/// One connection's SASL state: the mechanism, where the exchange is, and the timer of the
/// next re-authentication. Loop-confined; dropped with the connection's stream.
final class SaslSession {
    enum Exchange { case idle, handshake, token, authenticate }

    let mechanism: SaslMechanism
    var exchange = Exchange.idle
    var conversation: (any SaslConversation)?
    /// The version of the SASL request last sent (its answer is read at that version).
    var version: Int16?
    var authentications = 0
    /// Set when the session lifetime is nearly over; new requests wait until re-authenticated.
    var reauthenticationDue = false
    var timer: TimeoutHandle?

    init(mechanism: SaslMechanism) { self.mechanism = mechanism }

    /// Whether requests must wait: an exchange is running or one is due.
    var holdsRequests: Bool { reauthenticationDue || exchange != .idle }

    func cancel(on loop: IOLoop) { loop.cancelTimeout(&timer) }
}
