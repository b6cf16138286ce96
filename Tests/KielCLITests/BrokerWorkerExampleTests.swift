import Foundation
import XCTest
import KielTestSupport

/// The `broker-worker` example (`Examples/BrokerWorker`), built with the package and run
/// against the real broker: it joins a cooperative group, prints every message of the topic,
/// and on SIGTERM commits, leaves and exits 0.
final class BrokerWorkerExampleTests: XCTestCase {
    /// The built `broker-worker` sits next to the test bundle, like `kiel`.
    var executable: String {
        var dir = Bundle.main.bundleURL
        if dir.pathExtension == "xctest" { dir.deleteLastPathComponent() }
        for candidate in [dir, Bundle(for: Self.self).bundleURL.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("broker-worker")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url.path }
        }
        return dir.appendingPathComponent("broker-worker").path
    }

    func testTheWorkerPrintsItsShareAndLeavesOnSigterm() throws {
        let (host, port) = try TestServices.broker()
        let broker = "\(host):\(port)"
        let topic = TestServices.uniqueName("broker-worker")
        try TestServices.createTopic(name: topic, partitions: 3)
        let code = """
        import json, sys, confluent_kafka
        p = confluent_kafka.Producer({"bootstrap.servers": sys.argv[1]})
        for i in range(30):
            p.produce(sys.argv[2], value=json.dumps({"n": i}).encode(), partition=i % 3)
        print(p.flush(30))
        """
        XCTAssertEqual(try TestServices.runPython(code: code, args: [broker, topic]).trimmingCharacters(in: .whitespacesAndNewlines), "0")
        let worker = try ChildProcess(executable, [broker, topic, "--cooperative", "--session-timeout", "6000"],
                                      logs: try ChildProcess.scratchDirectory("broker-worker"))
        defer { worker.stop() }
        let deadline = Date(timeIntervalSinceNow: 60)
        while Date() < deadline, worker.stdout().split(separator: "\n").count < 30 { usleep(50_000) }
        let printed = Set(worker.stdout().split(separator: "\n").map(String.init))
        XCTAssertEqual(printed, Set((0 ..< 30).map { "{\"n\": \($0)}" }), worker.stderr())
        kill(worker.pid, SIGTERM)
        let exit = worker.waitForExit(timeout: 30)
        XCTAssertEqual(exit.code, 0, worker.stderr())
        XCTAssertTrue(worker.stderr().contains("joined worker-group as "), worker.stderr())
        XCTAssertTrue(worker.stderr().contains("rebalanced: "), worker.stderr())
    }
}
