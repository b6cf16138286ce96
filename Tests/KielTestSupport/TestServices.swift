import Foundation

/// The real services a test talks to, as started by `scripts/test.sh` (or by hand with
/// `eval "$(scripts/services.sh up)"`), read from the `KIEL_TEST_*` environment variables.
///
/// Every accessor throws a `TestServicesError` that says how to start the services when its
/// variable is missing: a test that needs a service fails, it is never skipped.
/// Any thread may call these; they only read the environment and run short commands.
public enum TestServices {
    /// A host and port, as the clients under test take them.
    public typealias Endpoint = (host: String, port: Int)

    /// The Tansu broker (`KIEL_TEST_BROKER`), memory storage, fresh for each test run.
    public static func broker() throws -> Endpoint {
        try endpoint(try variable("KIEL_TEST_BROKER"), name: "KIEL_TEST_BROKER")
    }

    /// The single ZooKeeper server (`KIEL_TEST_ZK`).
    public static func zookeeper() throws -> Endpoint {
        try endpoint(try variable("KIEL_TEST_ZK"), name: "KIEL_TEST_ZK")
    }

    /// The three nodes of the ZooKeeper ensemble (`KIEL_TEST_ZK_ENSEMBLE`), node 1 first.
    public static func zookeeperEnsemble() throws -> [Endpoint] {
        let value = try variable("KIEL_TEST_ZK_ENSEMBLE")
        return try value.split(separator: ",").map { try endpoint(String($0), name: "KIEL_TEST_ZK_ENSEMBLE") }
    }

    /// The ensemble as a ZooKeeper connect string, `host:port,host:port,host:port`.
    public static func zookeeperEnsembleConnectString() throws -> String {
        try variable("KIEL_TEST_ZK_ENSEMBLE")
    }

    /// Kills ensemble node `node` (1...3) with SIGKILL, a crash, and returns once it is gone.
    public static func zookeeperControl(stop node: Int) throws {
        _ = try run(try variable("KIEL_TEST_ZK_CTL"), ["stop", String(node)])
    }

    /// Starts ensemble node `node` (1...3) again and returns once it serves (when a quorum can form).
    public static func zookeeperControl(start node: Int) throws {
        _ = try run(try variable("KIEL_TEST_ZK_CTL"), ["start", String(node)])
    }

    /// One line per ensemble node: `N PORT running|stopped MODE` (MODE is leader, follower, ...).
    public static func zookeeperStatus() throws -> String {
        try run(try variable("KIEL_TEST_ZK_CTL"), ["status"])
    }

    /// Path of the venv python that has confluent_kafka, kafka (kafka-python) and kazoo.
    public static func python() throws -> String { try variable("KIEL_TEST_PYTHON") }

    /// Path of the tansu binary (the broker's own CLI).
    public static func tansu() throws -> String { try variable("KIEL_TEST_TANSU") }

    /// The repository root, for scripts and fixtures.
    public static func root() throws -> String { try variable("KIEL_TEST_ROOT") }

    /// Creates `name` on the test broker with `partitions` partitions (through the tansu CLI).
    public static func createTopic(name: String, partitions: Int) throws {
        let broker = try broker()
        _ = try run(try tansu(), ["topic", "create", name, "--partitions", String(partitions),
                                  "--broker", "tcp://\(broker.host):\(broker.port)"])
    }

    /// A name no other test (or earlier run) uses, for topics, groups and znodes:
    /// `prefix-` followed by random lowercase hex.
    public static func uniqueName(_ prefix: String) -> String {
        let suffix = (0..<12).map { _ in String(Int.random(in: 0..<16), radix: 16) }.joined()
        return "\(prefix)-\(suffix)"
    }

    /// Runs the venv python and returns what it printed on stdout; throws with its stderr when
    /// it exits non-zero. `script` is either a file name (ending in `.py`, looked up in
    /// `Tests/Interop/` unless it is an absolute path) or inline Python code.
    public static func runPython(script: String, args: [String] = [],
                                 timeout: TimeInterval = 120) throws -> String {
        let python = try python()
        if !script.contains("\n"), script.hasSuffix(".py") {
            let path = script.hasPrefix("/") ? script : "\(try root())/Tests/Interop/\(script)"
            guard FileManager.default.fileExists(atPath: path) else {
                throw TestServicesError("no such interop script: \(path)")
            }
            return try run(python, [path] + args, timeout: timeout)
        }
        return try runPython(code: script, args: args, timeout: timeout)
    }

    /// Runs inline Python code with the venv python (`python -c CODE ARGS...`); see `runPython(script:)`.
    public static func runPython(code: String, args: [String] = [],
                                 timeout: TimeInterval = 120) throws -> String {
        try run(try python(), ["-c", code] + args, timeout: timeout)
    }

    /// The value of a `KIEL_TEST_*` variable, or an error that says how to set it.
    public static func variable(_ name: String) throws -> String {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
            throw TestServicesError(
                "\(name) is not set: run scripts/test.sh (or `eval \"$(scripts/services.sh up)\"`)")
        }
        return value
    }

    private static func endpoint(_ text: String, name: String) throws -> Endpoint {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else {
            throw TestServicesError("\(name) should be HOST:PORT, not \(text)")
        }
        return (String(text[..<colon]), port)
    }
}

/// Why a test could not reach or drive a service; the description says what to do.
public struct TestServicesError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
