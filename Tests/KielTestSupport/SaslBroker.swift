import Foundation

/// A fresh Tansu broker (memory storage) behind `scripts/saslproxy.py`, which authenticates
/// every connection (SCRAM's server side is `scramp`'s) before forwarding it, and optionally
/// behind stunnel too (SASL_SSL: stunnel → proxy → Tansu). Tansu advertises the front port,
/// so clients come back through it to every broker address metadata gives.
/// Call from any thread; `stop()` before the test ends.
public final class SaslBroker: @unchecked Sendable {
    /// The settings the proxy starts with.
    public struct Settings: Sendable {
        /// name → password, for PLAIN and both SCRAMs.
        public var users: [String: String] = ["alice": "alice-secret"]
        /// Bearer tokens OAUTHBEARER accepts.
        public var tokens: [String] = ["token-1"]
        /// The mechanisms offered in SaslHandshake.
        public var mechanisms = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"]
        /// KIP-368 session lifetime (0: none); a request after it, without re-authenticating,
        /// closes the connection.
        public var sessionLifetimeMs = 0
        /// Never answer a re-authentication (a broker gone quiet in the middle of one).
        public var silentReauthentication = false
        /// The defaults above.
        public init() {}
    }

    /// What the proxy counted so far.
    public struct Stats: Sendable {
        /// Connections accepted.
        public var connections = 0
        /// Successful authentications by mechanism (re-authentications included).
        public var authenticated: [String: Int] = [:]
        /// Authentications refused.
        public var failed = 0
        /// Successful re-authentications on a connection already authenticated.
        public var reauthenticated = 0
        /// Connections closed for sending a request before authenticating.
        public var unauthenticatedRequests = 0
        /// Connections closed for sending a request after their session ran out.
        public var expiredCloses = 0
        /// Re-authentications left unanswered (`silentReauthentication`).
        public var ignoredReauthentications = 0
    }

    /// The front port clients bootstrap from: the proxy's, or stunnel's for SASL_SSL.
    public let port: Int
    private let broker: FreshTansu
    private let proxy: ChildProcess
    private let stunnel: Stunnel?
    /// The fault proxy in front, when the broker was made with faults.
    public let faultProxy: FaultProxy?
    private let statsPath: String

    /// Starts them and returns once the front port accepts connections. With `tls`, stunnel
    /// terminates TLS in front of the SASL proxy; with `faults`, the fault proxy sits in front
    /// of it instead (client → fault proxy → SASL proxy → Tansu).
    public init(_ settings: Settings = Settings(), tls: Stunnel.Settings? = nil,
                faults: FaultProxy.Faults? = nil) throws {
        precondition(tls == nil || faults == nil, "either TLS or faults in front of the SASL proxy")
        port = try ChildProcess.freePort()
        let proxyPort = tls == nil && faults == nil ? port : try ChildProcess.freePort()
        let dir = try ChildProcess.scratchDirectory("sasl")
        statsPath = dir + "/stats.json"
        broker = try FreshTansu(advertising: port, name: "sasl")
        var args = [try TestServices.root() + "/scripts/saslproxy.py", "--listen", String(proxyPort),
                    "--upstream", "127.0.0.1:\(broker.port)", "--mechanisms", settings.mechanisms.joined(separator: ","),
                    "--session-lifetime-ms", String(settings.sessionLifetimeMs), "--stats", statsPath]
        for (name, password) in settings.users.sorted(by: { $0.key < $1.key }) { args += ["--user", "\(name):\(password)"] }
        for token in settings.tokens { args += ["--token", token] }
        if settings.silentReauthentication { args.append("--silent-reauthentication") }
        do {
            proxy = try ChildProcess(try TestServices.python(), args, logs: dir)
        } catch {
            broker.stop()
            throw error
        }
        do {
            _ = try proxy.waitForOutput(prefix: "ready ", timeout: 20)
            let front = port
            stunnel = try tls.map { try Stunnel(upstream: ("127.0.0.1", proxyPort), port: front, settings: $0) }
            faultProxy = try faults.map { try FaultProxy(upstream: ("127.0.0.1", proxyPort), port: front, faults: $0) }
        } catch {
            proxy.stop()
            broker.stop()
            throw error
        }
    }

    /// The bootstrap host clients use: the proxy.
    public var bootstrap: String { "127.0.0.1:\(port)" }

    /// Creates `name` with `partitions` partitions, talking to the broker directly.
    public func createTopic(_ name: String, partitions: Int) throws { try broker.createTopic(name, partitions: partitions) }

    /// The counters as the proxy last wrote them.
    public func stats() throws -> Stats {
        let data = try Data(contentsOf: URL(fileURLWithPath: statsPath))
        guard let json = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw TestServicesError("saslproxy stats are not an object")
        }
        var s = Stats()
        s.connections = json["connections"] as? Int ?? 0
        s.authenticated = json["authenticated"] as? [String: Int] ?? [:]
        s.failed = json["failed"] as? Int ?? 0
        s.reauthenticated = json["reauthenticated"] as? Int ?? 0
        s.unauthenticatedRequests = json["unauthenticated_requests"] as? Int ?? 0
        s.expiredCloses = json["expired_closes"] as? Int ?? 0
        s.ignoredReauthentications = json["ignored_reauthentications"] as? Int ?? 0
        return s
    }

    /// Stops the proxy and the broker.
    public func stop() {
        faultProxy?.stop()
        stunnel?.stop()
        proxy.stop()
        broker.stop()
    }

    deinit { stop() }
}
