import Foundation

/// Debian's `stunnel4` as a child process: it terminates TLS on a loopback port and forwards
/// the plaintext to `upstream`, for the life of this value. Call from any thread; `stop()`
/// before the test ends.
public final class Stunnel: @unchecked Sendable {
    /// The TLS server's side of things.
    public struct Settings: Sendable {
        public var certificate: String
        public var key: String
        /// Require a client certificate signed by this CA (mutual TLS); nil: ask for none.
        public var clientCAFile: String?
        /// The highest version offered, as stunnel spells it (`TLSv1.2`); nil: OpenSSL's highest.
        public var maximumVersion: String?

        public init(certificate: String, key: String, clientCAFile: String? = nil, maximumVersion: String? = nil) {
            self.certificate = certificate
            self.key = key
            self.clientCAFile = clientCAFile
            self.maximumVersion = maximumVersion
        }

        /// The server certificate for 127.0.0.1 and localhost from the test CA.
        public static func valid() throws -> Settings {
            let certs = try TestCertificates.shared()
            return Settings(certificate: certs.serverCertificate, key: certs.serverKey)
        }
    }

    public let port: Int
    private let process: ChildProcess

    public init(upstream: TestServices.Endpoint, port: Int = 0, settings: Settings) throws {
        let listening = port == 0 ? try ChildProcess.freePort() : port
        let dir = try ChildProcess.scratchDirectory("stunnel")
        var lines = [
            "foreground = yes", "pid =", "syslog = no", "debug = 5",
            "[kafka]",
            "accept = 127.0.0.1:\(listening)",
            "connect = \(upstream.host):\(upstream.port)",
            "cert = \(settings.certificate)",
            "key = \(settings.key)",
        ]
        if let ca = settings.clientCAFile {
            lines += ["CAfile = \(ca)", "verifyChain = yes", "requireCert = yes"]
        }
        if let max = settings.maximumVersion { lines.append("sslVersionMax = \(max)") }
        let config = dir + "/stunnel.conf"
        try (lines.joined(separator: "\n") + "\n").write(toFile: config, atomically: true, encoding: .utf8)
        process = try ChildProcess(try TestCertificates.executable("stunnel4"), [config], logs: dir)
        do {
            try ChildProcess.waitForPort(listening, timeout: 20)
        } catch {
            process.stop()
            throw TestServicesError("stunnel did not listen on \(listening): \(process.stderr())")
        }
        self.port = listening
    }

    /// stunnel's log (connections, handshake failures).
    public func log() -> String { process.stderr() }

    public func stop() { process.stop() }

    deinit { process.stop() }
}

/// A fresh Tansu broker (memory storage) behind stunnel, advertising the TLS port, so that
/// bootstrap and per-broker connections alike are TLS. With `faults`, a fault proxy sits in
/// front of stunnel and Tansu advertises the proxy's port instead (a proxy without faults
/// just counts connections). Its topics start empty.
public final class TLSBroker: @unchecked Sendable {
    public let stunnel: Stunnel
    public let proxy: FaultProxy?
    /// The port clients dial: the proxy's if there is one, else stunnel's.
    public let port: Int
    private let broker: FreshTansu

    public init(_ settings: Stunnel.Settings, faults: FaultProxy.Faults? = nil) throws {
        port = try ChildProcess.freePort()
        broker = try FreshTansu(advertising: port, name: "tls")
        do {
            if let faults {
                stunnel = try Stunnel(upstream: ("127.0.0.1", broker.port), settings: settings)
                proxy = try FaultProxy(upstream: ("127.0.0.1", stunnel.port), port: port, faults: faults)
            } else {
                stunnel = try Stunnel(upstream: ("127.0.0.1", broker.port), port: port, settings: settings)
                proxy = nil
            }
        } catch {
            broker.stop()
            throw error
        }
    }

    /// The broker's own plaintext port.
    public var brokerPort: Int { broker.port }

    /// The bootstrap address clients use.
    public var bootstrap: String { "127.0.0.1:\(port)" }

    /// Creates `name` with `partitions` partitions, talking to the broker directly.
    public func createTopic(_ name: String, partitions: Int) throws { try broker.createTopic(name, partitions: partitions) }

    public func stop() {
        proxy?.stop()
        stunnel.stop()
        broker.stop()
    }

    deinit { stop() }
}
