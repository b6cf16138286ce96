import Foundation
import XCTest
import KielTestSupport

/// `kiel group` without `-z`: two processes in a broker-coordinated group with a default
/// confluent-kafka consumer (they meet on librdkafka's default assignors). They split the
/// partitions, hand a SIGKILLed member's partitions on after the session timeout and a
/// closed member's at once, and every message is consumed.
final class BrokerGroupProcessesTests: XCTestCase {
    private let partitions = 6
    private var processes: [MemberProcess] = []
    private var peer: ChildProcess?

    override func tearDown() {
        for process in processes { process.terminate() }
        processes = []
        peer?.stop()
        super.tearDown()
    }

    private func startMember(_ label: String, broker: String, group: String, topic: String) throws -> MemberProcess {
        let process = try MemberProcess(label: label, executable: try MemberProcess.kielExecutable(), arguments: [
            "group", "-b", broker, "-g", group, "-t", topic, "-J", "--session-timeout", "3000", "--max-wait", "100",
        ])
        processes.append(process)
        return process
    }

    /// What the confluent member holds (its last assignment) and consumed, from its stdout.
    private func peerState() -> (holding: Set<String>, consumed: [String]) {
        var holding: Set<String> = []
        var consumed: [String] = []
        for line in (try? String(contentsOfFile: peer?.stdoutPath ?? "", encoding: .utf8))?.split(separator: "\n") ?? [] {
            let words = line.split(separator: " ", maxSplits: 3).map(String.init)
            if words.count == 3, words[0] == "assigned" { holding = words[2] == "-" ? [] : Set(words[2].split(separator: ",").map(String.init)) }
            if words.count == 3, words[0] == "revoked" { holding = [] }
            if words.count == 4, words[0] == "msg" { consumed.append(words[3]) }
        }
        return (holding, consumed)
    }

    private func produce(_ topic: String, broker: String, batch: String, count: Int) throws -> Set<String> {
        let script = """
        import sys, confluent_kafka
        broker, topic, batch, count, partitions = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
        p = confluent_kafka.Producer({"bootstrap.servers": broker, "linger.ms": 5})
        for i in range(count):
            p.produce(topic, value=("%s-%d" % (batch, i)).encode(), partition=i % partitions)
        print("unflushed", p.flush(30))
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
        XCTFail("timed out waiting for: \(what)\n" + tails.joined(separator: "\n") + "\npeer: \(peerState().holding)")
    }

    private var consumed: Set<String> { Set(processes.flatMap { $0.consumed.map(\.value) } + peerState().consumed) }

    func testKielProcessesAndConfluentShareAGroupTheBrokerCoordinates() throws {
        let (host, port) = try TestServices.broker()
        let broker = "\(host):\(port)"
        let topic = TestServices.uniqueName("broker-group")
        let group = TestServices.uniqueName("broker-workers")
        try TestServices.createTopic(name: topic, partitions: partitions)
        let all = Set((0 ..< partitions).map { "\(topic):\($0)" })
        var produced = try produce(topic, broker: broker, batch: "first", count: 120)

        let members = try (1 ... 2).map { try startMember("member\($0)", broker: broker, group: group, topic: topic) }
        let script = "\(try TestServices.root())/Tests/Interop/group_member_confluent.py"
        peer = try ChildProcess(try TestServices.python(), [script, broker, group, topic, "range,roundrobin"],
                                logs: try ChildProcess.scratchDirectory("broker-group-peer"))
        waitUntil("two kiel processes and confluent split the partitions", timeout: 60) {
            let held = members.map(\.holding) + [peerState().holding]
            return held.allSatisfy { $0.count == 2 } && Set(held.flatMap { $0 }) == all
        }
        waitUntil("the first batch is consumed", timeout: 60) { produced.isSubset(of: consumed) }

        // SIGSTOP: a paused process (a long pause, a frozen container) is replaced after the
        // session timeout; resumed, it finds out, drops its partitions and joins again.
        members[0].signal(SIGSTOP)
        let pausedHeld = members[0].holding
        waitUntil("the paused member's partitions move", timeout: 60) {
            Set(members[1].holding).union(peerState().holding) == all
        }
        produced.formUnion(try produce(topic, broker: broker, batch: "paused", count: 60))
        waitUntil("the batch sent while it was paused is consumed", timeout: 60) { produced.isSubset(of: consumed) }
        members[0].signal(SIGCONT)
        waitUntil("the resumed member rejoins and the three split again", timeout: 60) {
            let held = members.map(\.holding) + [peerState().holding]
            return held.allSatisfy { $0.count == 2 } && Set(held.flatMap { $0 }) == all
        }
        XCTAssertTrue(members[0].rebalances.contains { !$0.lost.isEmpty && $0.lost.isSuperset(of: pausedHeld) },
                      "the resumed member reported everything lost: \(members[0].stderr.suffix(6))")

        // SIGKILL: no LeaveGroup; the coordinator notices after the 3 s session timeout.
        members[0].signal(SIGKILL)
        produced.formUnion(try produce(topic, broker: broker, batch: "second", count: 120))
        waitUntil("the killed member's partitions move", timeout: 60) {
            Set(members[1].holding).union(peerState().holding) == all
        }
        waitUntil("the second batch is consumed", timeout: 60) { produced.isSubset(of: consumed) }

        // SIGTERM: commit, LeaveGroup, exit 0; confluent takes everything from the commits.
        members[1].signal(SIGTERM)
        XCTAssertEqual(members[1].waitForExit(timeout: 30), 0)
        XCTAssertTrue(members[1].stderr.contains { $0.hasPrefix("% closed ") }, "\(members[1].stderr)")
        waitUntil("confluent holds everything", timeout: 60) { peerState().holding == all }
        produced.formUnion(try produce(topic, broker: broker, batch: "third", count: 120))
        waitUntil("every message is consumed", timeout: 60) { produced.isSubset(of: consumed) }
        XCTAssertTrue(members[1].rebalances.first.map { !$0.member.isEmpty && !$0.gained.isEmpty } ?? false,
                      "rebalance lines name the member id: \(members[1].stderr)")
    }
}
