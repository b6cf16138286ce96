import Foundation
import XCTest
import KielTestSupport

/// Three `kiel group` processes share a topic on a real Tansu broker, coordinated by a real
/// ZooKeeper: they divide the partitions, survive a SIGKILL and a clean close, consume every
/// message, and commit offsets that confluent-kafka reads back for the group.
final class GroupProcessesTests: XCTestCase {
    private let partitions = 7
    private let sessionTimeoutMs = 2000
    private var processes: [MemberProcess] = []

    override func tearDown() {
        for process in processes { process.terminate() }
        processes = []
        super.tearDown()
    }

    private func startMember(_ label: String, broker: String, zk: String, group: String, topic: String) throws -> MemberProcess {
        let process = try MemberProcess(label: label, executable: try MemberProcess.kielExecutable(), arguments: [
            "group", "-b", broker, "-z", zk, "-g", group, "-t", topic, "-J",
            "--session-timeout", String(sessionTimeoutMs),
        ])
        processes.append(process)
        return process
    }

    /// Produces `count` messages spread evenly over the partitions; returns their values.
    private func produce(_ topic: String, broker: String, batch: String, count: Int) throws -> Set<String> {
        let script = """
        import sys, confluent_kafka
        broker, topic, batch, count, partitions = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
        p = confluent_kafka.Producer({"bootstrap.servers": broker, "linger.ms": 5})
        for i in range(count):
            p.produce(topic, value=("%s-%d" % (batch, i)).encode(), partition=i % partitions)
        left = p.flush(30)
        print("unflushed", left)
        """
        let output = try TestServices.runPython(code: script, args: [broker, topic, batch, String(count), String(partitions)])
        XCTAssertTrue(output.contains("unflushed 0"), output)
        return Set((0 ..< count).map { "\(batch)-\($0)" })
    }

    private func waitUntil(_ what: String, timeout: TimeInterval, _ condition: () -> Bool) {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return }
            usleep(50_000)
        }
        let tails = processes.map { "\($0.label): \($0.stderr.suffix(15).joined(separator: "\n"))" }
        XCTFail("timed out waiting for: \(what)\n" + tails.joined(separator: "\n"))
    }

    private func nowMicros() -> Int64 { Int64(Date().timeIntervalSince1970 * 1_000_000) }

    private var consumedValues: Set<String> { Set(processes.flatMap { $0.consumed.map(\.value) }) }

    func testThreeMembersShareSurviveKillAndCloseAndCommitWhatConfluentReads() throws {
        let (brokerHost, brokerPort) = try TestServices.broker()
        let (zkHost, zkPort) = try TestServices.zookeeper()
        let broker = "\(brokerHost):\(brokerPort)"
        let zk = "\(zkHost):\(zkPort)"
        let topic = TestServices.uniqueName("grouped")
        let group = TestServices.uniqueName("workers")
        try TestServices.createTopic(name: topic, partitions: partitions)
        let allPartitions = Set((0 ..< partitions).map { "\(topic):\($0)" })

        var produced = try produce(topic, broker: broker, batch: "first", count: 140)
        let members = try (1 ... 3).map { try startMember("member\($0)", broker: broker, zk: zk, group: group, topic: topic) }

        // Seven partitions over three members: 3, 2, 2, all held, none twice.
        waitUntil("three members divide the partitions", timeout: 60) {
            let held = members.map(\.holding)
            return held.map(\.count).sorted() == [2, 2, 3] && Set(held.flatMap { $0 }) == allPartitions
        }
        waitUntil("the first batch is consumed", timeout: 60) { produced.isSubset(of: consumedValues) }

        // SIGKILL one member: no goodbye, ZooKeeper notices when its session times out.
        produced.formUnion(try produce(topic, broker: broker, batch: "second", count: 140))
        let victim = members[1]
        let victimHeld = victim.holding
        let killedAt = nowMicros()
        victim.signal(SIGKILL)
        let survivors = [members[0], members[2]]
        waitUntil("the killed member's partitions move", timeout: 60) {
            Set(survivors.flatMap(\.holding)) == allPartitions
        }
        let takenAfterKill = survivors.flatMap(\.rebalances).filter { !$0.gained.isDisjoint(with: victimHeld) }.map(\.at).max() ?? killedAt
        let killRebalance = Double(takenAfterKill - killedAt) / 1000
        waitUntil("the second batch is consumed", timeout: 60) { produced.isSubset(of: consumedValues) }

        // A clean close: the member commits and leaves, the other takes over at once.
        produced.formUnion(try produce(topic, broker: broker, batch: "third", count: 140))
        let leaver = members[0]
        let leaverHeld = leaver.holding
        let closedAt = nowMicros()
        leaver.signal(SIGTERM)
        XCTAssertEqual(leaver.waitForExit(timeout: 30), 0, "a member exits 0 after SIGTERM")
        let last = members[2]
        waitUntil("the last member holds every partition", timeout: 60) { last.holding == allPartitions }
        let takenAfterClose = last.rebalances.filter { !$0.gained.isDisjoint(with: leaverHeld) }.map(\.at).max() ?? closedAt
        let closeRebalance = Double(takenAfterClose - closedAt) / 1000
        waitUntil("every message is consumed", timeout: 60) { produced.isSubset(of: consumedValues) }

        last.signal(SIGINT)
        XCTAssertEqual(last.waitForExit(timeout: 30), 0, "a member exits 0 after SIGINT")
        print("grouped consumer rebalance after SIGKILL: \(killRebalance) ms (session timeout \(sessionTimeoutMs) ms); "
              + "after a clean close: \(closeRebalance) ms")

        try checkNoPartitionHeldTwice(killed: victim, killedAt: killedAt)
        try checkCommittedOffsets(broker: broker, group: group, topic: topic, perPartition: 3 * 140 / partitions)
    }

    /// Every member's holdings as intervals per partition (a killed member's end at the kill):
    /// intervals on one partition never overlap.
    private func checkNoPartitionHeldTwice(killed: MemberProcess, killedAt: Int64) throws {
        var intervals: [String: [(start: Int64, end: Int64, who: String)]] = [:]
        for process in processes {
            var open: [String: Int64] = [:]
            for event in process.rebalances {
                for key in event.lost {
                    if let start = open.removeValue(forKey: key) { intervals[key, default: []].append((start, event.at, process.label)) }
                }
                for key in event.gained { open[key] = event.at }
            }
            XCTAssertTrue(process === killed || open.isEmpty, "\(process.label) ended still holding \(open.keys.sorted())")
            for (key, start) in open { intervals[key, default: []].append((start, killedAt, process.label)) }
        }
        for (key, list) in intervals {
            let sorted = list.sorted { $0.start < $1.start }
            for (earlier, later) in zip(sorted, sorted.dropFirst()) {
                XCTAssertLessThanOrEqual(earlier.end, later.start,
                                         "\(key) held by \(earlier.who) and \(later.who) at once")
            }
        }
        XCTAssertEqual(Set(intervals.keys).count, partitions)
    }

    private func checkCommittedOffsets(broker: String, group: String, topic: String, perPartition: Int) throws {
        let script = """
        import sys, confluent_kafka
        broker, group, topic, partitions = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
        c = confluent_kafka.Consumer({"bootstrap.servers": broker, "group.id": group})
        got = c.committed([confluent_kafka.TopicPartition(topic, p) for p in range(partitions)], timeout=20)
        print(" ".join("%d=%d" % (tp.partition, tp.offset) for tp in got))
        c.close()
        """
        let output = try TestServices.runPython(code: script, args: [broker, group, topic, String(partitions)])
        let expected = (0 ..< partitions).map { "\($0)=\(perPartition)" }.joined(separator: " ")
        XCTAssertEqual(output.trimmingCharacters(in: .whitespacesAndNewlines), expected)
    }
}
