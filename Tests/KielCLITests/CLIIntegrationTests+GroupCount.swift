import Foundation
import XCTest
import KielTestSupport

/// `kiel group -c COUNT` in each kind of group: a member prints 7 of 30 messages and leaves, the
/// next member of the group prints the other 23, and each time the group's committed offsets
/// end right after what was printed. Every partition's 10 messages go out in one batch, so a
/// member that printed part of a delivered chunk and committed the chunk would skip messages.
extension CLIIntegrationTests {
    func testGroupCountCommitsExactlyWhatWasPrintedInABrokerGroup() throws {
        try checkGroupCount(zooKeeper: [])
    }

    func testGroupCountCommitsExactlyWhatWasPrintedInAZooKeeperGroup() throws {
        let zk = try TestServices.zookeeper()
        try checkGroupCount(zooKeeper: ["-z", "\(zk.host):\(zk.port)"])
    }

    func testGroupCountMustBeAPositiveNumber() throws {
        for bad in ["0", "x"] {
            let result = try kiel(["group", "-b", "127.0.0.1:1", "-g", "g", "-t", "t", "-c", bad])
            XCTAssertEqual(result.status, 2, bad)
            XCTAssertTrue(result.stderr.contains("-c needs a positive count, not \(bad)"), result.stderr)
        }
    }

    /// A message as `kiel group -J` prints it.
    private struct Printed {
        var partition: Int
        var offset: Int
        var value: String
    }

    private func checkGroupCount(zooKeeper: [String]) throws {
        let b = try broker()
        let topic = TestServices.uniqueName("cli-count"), group = TestServices.uniqueName("cli-count-g")
        try TestServices.createTopic(name: topic, partitions: 3)
        var produced: [String] = []
        for partition in 0 ..< 3 {
            let values = (0 ..< 10).map { "p\(partition)-\($0)" }
            let result = try kiel(["produce", "-b", b, "-t", topic, "-p", String(partition)],
                                  stdin: values.joined(separator: "\n") + "\n")
            XCTAssertEqual(result.status, 0, result.stderr)
            produced += values
        }
        let member = ["group", "-b", b, "-g", group, "-t", topic, "-J", "--max-wait", "100", "--session-timeout", "3000"] + zooKeeper

        let first = try runGroup(member + ["-c", "7"])
        XCTAssertEqual(first.count, 7)
        var printedPerPartition: [Int: Int] = [:]
        for message in first { printedPerPartition[message.partition, default: 0] += 1 }
        XCTAssertEqual(try committed(group, topic), printedPerPartition, "the commit ends right after what was printed")

        let second = try runGroup(member + ["-c", "23"])
        XCTAssertEqual(second.count, 23)
        XCTAssertEqual((first + second).map(\.value).sorted(), produced.sorted(), "every message once")
        for partition in 0 ..< 3 {
            // The second member starts each partition where the first stopped.
            let offsets = (first + second).filter { $0.partition == partition }.map(\.offset)
            XCTAssertEqual(offsets, Array(0 ..< 10), "partition \(partition)")
        }
        XCTAssertEqual(try committed(group, topic), [0: 10, 1: 10, 2: 10])
    }

    /// Runs `kiel group ... -J` to its end (exit 0) and returns what it printed.
    private func runGroup(_ args: [String]) throws -> [Printed] {
        let stdout = try TestServices.run(executable.path, args)
        return try stdout.split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            guard let partition = object?["partition"] as? Int, let offset = object?["offset"] as? Int,
                  let value = object?["value"] as? String else { throw TestServicesError("not a message: \(line)") }
            return Printed(partition: partition, offset: offset, value: value)
        }
    }

    /// The group's committed offset per partition of `topic`, as `kiel group offsets` reads them.
    private func committed(_ group: String, _ topic: String) throws -> [Int: Int] {
        let stdout = try TestServices.run(executable.path, ["group", "offsets", group, "-J", "-b", try broker()])
        let rows = (try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any])?["offsets"] as? [[String: Any]] ?? []
        var offsets: [Int: Int] = [:]
        for row in rows where row["topic"] as? String == topic {
            if let partition = row["partition"] as? Int, let offset = row["offset"] as? Int { offsets[partition] = offset }
        }
        return offsets
    }
}
