/// A Tansu broker of the test's own (memory storage, empty), listening on a free plaintext
/// port and advertising `advertisedPort`: the port of whatever the test puts in front of it
/// (a fault proxy, stunnel, the SASL proxy), so that bootstrap and per-broker connections
/// alike come back through that front. Call from any thread; `stop()` before the test ends.
public final class FreshTansu: @unchecked Sendable {
    /// The broker's own plaintext port.
    public let port: Int
    private let process: ChildProcess

    /// Starts the broker and returns once it accepts connections.
    public init(advertising advertisedPort: Int, name: String) throws {
        port = try ChildProcess.freePort()
        let dir = try ChildProcess.scratchDirectory("tansu")
        process = try ChildProcess(try TestServices.tansu(), [
            "broker", "--listener-url", "tcp://127.0.0.1:\(port)",
            "--advertised-listener-url", "tcp://127.0.0.1:\(advertisedPort)",
            "--storage-engine", "memory://tansu/", "--cluster-id", "kiel-\(name)-\(advertisedPort)",
        ], logs: dir, unsetting: ["SCHEMA_REGISTRY", "OTEL_EXPORTER_OTLP_ENDPOINT", "CLUSTER_ID"])
        do {
            try ChildProcess.waitForPort(port, timeout: 20)
        } catch {
            process.stop()
            throw error
        }
    }

    /// Creates `name` with `partitions` partitions, talking to the broker directly.
    public func createTopic(_ name: String, partitions: Int) throws {
        _ = try TestServices.run(try TestServices.tansu(), [
            "topic", "create", name, "--partitions", String(partitions), "--broker", "tcp://127.0.0.1:\(port)",
        ])
    }

    /// Stops the broker.
    public func stop() { process.stop() }

    deinit { stop() }
}
