import Foundation
import XCTest
import KielTestSupport

/// The `kiel` executable against the real broker, run as a user would.
final class CLIIntegrationTests: XCTestCase {
    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The built `kiel` sits next to the test bundle.
    var executable: URL {
        var dir = Bundle.main.bundleURL
        if dir.pathExtension == "xctest" { dir.deleteLastPathComponent() }
        for candidate in [dir, Bundle(for: Self.self).bundleURL.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("kiel")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return dir.appendingPathComponent("kiel")
    }

    func kiel(_ args: [String], stdin: String = "", interruptAfter: TimeInterval? = nil) throws -> Outcome {
        let process = Process()
        process.executableURL = executable
        process.arguments = args
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try input.fileHandleForWriting.close()
        if let interruptAfter {
            Thread.sleep(forTimeInterval: interruptAfter)
            process.interrupt()
        }
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
                       stderr: String(decoding: err, as: UTF8.self))
    }

    func broker() throws -> String {
        let b = try TestServices.broker()
        return "\(b.host):\(b.port)"
    }

    func testProduceThenConsumeWithKeysAndJSON() throws {
        let topic = TestServices.uniqueName("cli")
        try TestServices.createTopic(name: topic, partitions: 2)
        let produced = try kiel(["produce", "-b", try broker(), "-t", topic, "-K", ":", "-z", "snappy"],
                                stdin: "k1:one\nk2:two\nunkeyed\nk1:three")
        XCTAssertEqual(produced.status, 0, produced.stderr)

        let plain = try kiel(["consume", "-b", try broker(), "-t", topic, "-o", "beginning", "-e"])
        XCTAssertEqual(plain.status, 0, plain.stderr)
        XCTAssertEqual(Set(plain.stdout.split(separator: "\n")), ["one", "two", "unkeyed", "three"])

        let json = try kiel(["consume", "-b", try broker(), "-t", topic, "-o", "beginning", "-e", "-J"])
        XCTAssertEqual(json.status, 0, json.stderr)
        let lines = json.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 4)
        let k1 = lines.filter { $0.contains("\"key\": \"k1\"") }
        XCTAssertEqual(k1.count, 2)
        XCTAssertTrue(k1[0].contains("\"value\": \"one\"") && k1[1].contains("\"value\": \"three\""), "\(k1)")
        XCTAssertTrue(lines.contains { $0.contains("\"key\": null") && $0.contains("\"value\": \"unkeyed\"") })
        for line in lines {
            XCTAssertTrue(line.contains("\"topic\": \"\(topic)\"") && line.contains("\"offset\": ")
                          && line.contains("\"timestamp\": ") && line.contains("\"headers\": []"), line)
        }

        let counted = try kiel(["consume", "-b", try broker(), "-t", topic, "-o", "beginning", "-c", "2"])
        XCTAssertEqual(counted.status, 0, counted.stderr)
        XCTAssertEqual(counted.stdout.split(separator: "\n").count, 2)

        let onlyZero = try kiel(["consume", "-b", try broker(), "-t", topic, "-o", "beginning", "-e", "-p", "0"])
        XCTAssertEqual(onlyZero.status, 0, onlyZero.stderr)
        XCTAssertEqual(onlyZero.stdout.split(separator: "\n").count,
                       lines.filter { $0.contains("\"partition\": 0,") }.count)
    }

    func testProducingToAnUnknownTopicExitsNonZero() throws {
        let result = try kiel(["produce", "-b", try broker(), "-t", TestServices.uniqueName("nope")], stdin: "x\n")
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("unknown topic"), result.stderr)
    }

    func testMetadataListsTheTopic() throws {
        let topic = TestServices.uniqueName("climeta")
        try TestServices.createTopic(name: topic, partitions: 3)
        let result = try kiel(["metadata", "-b", try broker(), "-t", topic])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("topic \"\(topic)\" with 3 partitions"), result.stdout)
        XCTAssertTrue(result.stdout.contains("partition 2, leader"), result.stdout)
        let missing = try kiel(["metadata", "-b", try broker(), "-t", TestServices.uniqueName("none")])
        XCTAssertEqual(missing.status, 1)
    }

    func testInterruptEndsConsumeCleanly() throws {
        let topic = TestServices.uniqueName("cliint")
        try TestServices.createTopic(name: topic, partitions: 1)
        let result = try kiel(["consume", "-b", try broker(), "-t", topic], interruptAfter: 3)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "")
    }

    func testUsageErrorsExitWithTwo() throws {
        let result = try kiel(["consume", "-t", "x"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("missing --brokers"), result.stderr)
        let help = try kiel(["produce", "--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.stdout.contains("-K, --key-delimiter SEP"), help.stdout)
    }

    /// kiel produce and kiel consume -e through the fault proxy: a cut mid-frame, a reset, a
    /// refused connection and a silent one, for each; both finish with exit 0 and every line
    /// once. A 2 s request timeout (-X) lets them notice the silent connection quickly.
    func testProduceAndConsumeThroughConnectionFaults() throws {
        var faults = FaultProxy.Faults()
        // 0-4: kiel produce (four faults, then a clean connection); 5-8: kiel consume.
        faults.plan = [0: "cut:up:300007", 1: "reset:up:200003", 2: "refuse", 3: "blackhole:up:100001",
                       5: "cut:down:250007", 6: "refuse", 7: "blackhole:down:150001", 8: "reset:down:100003"]
        let broker = try FaultyBroker(faults: faults)
        defer { broker.stop() }
        try broker.createTopic("lines", partitions: 4)
        let lines = (0..<30_000).map { "k\($0 % 50):line-\($0)-" + String(repeating: "y", count: 40) }
        let timeouts = ["-X", "request.timeout.ms=2000", "-X", "retry.backoff.ms=50", "-X", "reconnect.backoff.max.ms=500"]
        let produced = try kiel(["produce", "-b", broker.bootstrap, "-t", "lines", "-K", ":"] + timeouts,
                                stdin: lines.joined(separator: "\n") + "\n")
        XCTAssertEqual(produced.status, 0, produced.stderr)
        let afterProduce = try broker.proxy.stats()
        let consumed = try kiel(["consume", "-b", broker.bootstrap, "-t", "lines", "-o", "beginning", "-e",
                                 "-X", "max.partition.fetch.bytes=65536", "-X", "fetch.max.bytes=131072"] + timeouts)
        XCTAssertEqual(consumed.status, 0, consumed.stderr)
        let got = consumed.stdout.split(separator: "\n").map(String.init)
        let expected = lines.map { String($0[$0.index(after: $0.firstIndex(of: ":")!)...]) }
        XCTAssertEqual(got.count, expected.count)
        XCTAssertEqual(Set(got), Set(expected))
        // Per key, in order: line numbers of one key only grow.
        var last: [Int: Int] = [:]
        for line in got {
            let n = Int(line.split(separator: "-")[1])!
            if let previous = last[n % 50] { XCTAssertLessThan(previous, n, "out of order: \(line)") }
            last[n % 50] = n
        }
        let stats = try broker.proxy.stats()
        XCTAssertEqual(afterProduce.totalFaults, 4, "\(afterProduce)\n\(broker.proxy.log())")
        XCTAssertEqual(stats.totalFaults, 8, "\(stats)\n\(broker.proxy.log())")
        print("kiel produce/consume through faults: \(got.count) of \(expected.count) lines; proxy: \(stats)")
    }
}
