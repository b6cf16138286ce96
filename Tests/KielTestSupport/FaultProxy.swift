import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The seeded fault-injecting TCP proxy (`scripts/faultproxy.py`) between a client under test
/// and a real server, running as a child process for the life of this value.
///
/// Each connection the proxy accepts is numbered from 0 and gets one fate: from `plan` if it
/// names that number, else drawn from `random` (with `seed`), else passed through untouched.
/// Fates are the script's: `cut:up|down:N`, `reset:up|down:N`, `stall:up|down:N:MS`,
/// `blackhole:up|down:N`, `refuse`, `pass` (`up` is client to server). Tests print `seed` so a
/// failure reproduces. Call from any thread; `stop()` before the test ends.
public final class FaultProxy: @unchecked Sendable {
    /// What the proxy does to the connections it accepts.
    public struct Faults: Sendable {
        /// Fixed fates by connection number.
        public var plan: [Int: String] = [:]
        /// Kinds drawn at random for connections the plan leaves out: cut, reset, stall,
        /// blackhole, refuse.
        public var random: [String] = []
        public var seed: String = "0"
        /// Chance that an unplanned connection gets a fault.
        public var rate = 0.5
        /// Bounds of the byte count after which a drawn fault strikes.
        public var bytes: ClosedRange<Int> = 0...(1 << 20)
        /// Bounds of a drawn stall, in milliseconds.
        public var stallMilliseconds: ClosedRange<Int> = 100...1000
        /// No more faults are drawn after this many (nil: no limit).
        public var maxFaults: Int?
        public init() {}
    }

    /// What the proxy did so far.
    public struct Stats: Sendable, CustomStringConvertible {
        public var connections = 0
        public var open = 0
        public var faults: [String: Int] = [:]
        public var bytesUp = 0
        public var bytesDown = 0
        public var totalFaults: Int { faults.values.reduce(0, +) }
        public var description: String {
            let kinds = faults.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            return "\(connections) connections, faults: \(kinds.isEmpty ? "none" : kinds.joined(separator: ", ")), "
                + "\(bytesUp) bytes up, \(bytesDown) down"
        }
    }

    public let port: Int
    public let faults: Faults
    private let process: ChildProcess
    private let statsPath: String

    /// Starts the proxy in front of `upstream` on `port` (0: any free port) and returns once it
    /// accepts connections.
    public init(upstream: TestServices.Endpoint, port: Int = 0, faults: Faults) throws {
        self.faults = faults
        let dir = try ChildProcess.scratchDirectory("faultproxy")
        statsPath = dir + "/stats.json"
        var args = [try TestServices.root() + "/scripts/faultproxy.py",
                    "--listen", String(port), "--upstream", "\(upstream.host):\(upstream.port)",
                    "--seed", faults.seed, "--stats", statsPath]
        if !faults.plan.isEmpty {
            args += ["--plan", faults.plan.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                .joined(separator: ",")]
        }
        if !faults.random.isEmpty {
            args += ["--random", faults.random.joined(separator: ","), "--rate", String(faults.rate),
                     "--min-bytes", String(faults.bytes.lowerBound), "--max-bytes", String(faults.bytes.upperBound),
                     "--stall-ms", "\(faults.stallMilliseconds.lowerBound)..\(faults.stallMilliseconds.upperBound)"]
        }
        if let max = faults.maxFaults { args += ["--max-faults", String(max)] }
        process = try ChildProcess(try TestServices.python(), args, logs: dir)
        let ready = try process.waitForOutput(prefix: "ready ", timeout: 15)
        guard let listening = Int(ready.dropFirst("ready ".count)) else {
            process.stop()
            throw TestServicesError("faultproxy said \(ready)")
        }
        self.port = listening
    }

    /// The proxy's address as a bootstrap host.
    public var address: String { "127.0.0.1:\(port)" }

    /// The counters as the proxy last wrote them.
    public func stats() throws -> Stats {
        let data = try Data(contentsOf: URL(fileURLWithPath: statsPath))
        guard let json = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw TestServicesError("faultproxy stats are not an object")
        }
        var s = Stats()
        s.connections = json["connections"] as? Int ?? 0
        s.open = json["open"] as? Int ?? 0
        s.faults = json["faults"] as? [String: Int] ?? [:]
        s.bytesUp = json["bytes_up"] as? Int ?? 0
        s.bytesDown = json["bytes_down"] as? Int ?? 0
        return s
    }

    /// The proxy's log: one line per fault it injected.
    public func log() -> String { process.stderr() }

    public func stop() { process.stop() }

    deinit { process.stop() }
}

/// A fresh Tansu broker (memory storage) that advertises a fault proxy in front of it, so that
/// bootstrap and leader connections alike go through the proxy. Its topics start empty.
public final class FaultyBroker: @unchecked Sendable {
    public let proxy: FaultProxy
    private let broker: FreshTansu

    public init(faults: FaultProxy.Faults) throws {
        let proxyPort = try ChildProcess.freePort()
        broker = try FreshTansu(advertising: proxyPort, name: "faults")
        do {
            proxy = try FaultProxy(upstream: ("127.0.0.1", broker.port), port: proxyPort, faults: faults)
        } catch {
            broker.stop()
            throw error
        }
    }

    /// The broker's own port (clients given only this are sent to the proxy by metadata).
    public var brokerPort: Int { broker.port }

    /// The bootstrap host clients use: the proxy.
    public var bootstrap: String { proxy.address }

    /// Creates `name` with `partitions` partitions, talking to the broker directly.
    public func createTopic(_ name: String, partitions: Int) throws { try broker.createTopic(name, partitions: partitions) }

    public func stop() {
        proxy.stop()
        broker.stop()
    }

    deinit { stop() }
}
