import Foundation
import XCTest
import KielTestSupport
@testable import Kiel

/// Cooperative rebalancing (`cooperative-sticky`, KIP-429) against the real broker: members
/// keep consuming what they keep through a rebalance, give up only what moves, and a moved
/// partition is never held by two members of one generation; with Kiel members alone, and
/// with confluent-kafka (librdkafka) members in the same group.
final class KafkaGroupCooperativeTests: BrokerGroupTestCase {
    /// Everything `label` gave up and gained since its `since`-th rebalance report.
    private func moves(_ label: String, since: Int) -> (lost: Int, gained: Int) {
        let changes = harness.changes[label, default: []].dropFirst(since)
        return (changes.reduce(0) { $0 + $1.lost.values.reduce(0) { $0 + $1.count } },
                changes.reduce(0) { $0 + $1.gained.values.reduce(0) { $0 + $1.count } })
    }

    func testMembersKeepWhatTheyKeepAndGiveUpOnlyWhatMoves() throws {
        harness = try KafkaGroupHarness()
        let h = harness!
        let topic = try BrokerTest.topic("kcoop", partitions: 6)
        let group = TestServices.uniqueName("kcoop")
        let all = Set((0 ..< Int32(6)).map { TopicPartition(topic, $0) })
        var sent = try h.produce(topic, prefix: "a", count: 120, partitions: 6)
        let sticky: [GroupAssignor] = [.cooperativeSticky]

        try h.add("m1", group: group, topics: [topic], assignors: sticky)
        XCTAssertTrue(h.spin(seconds: 30) { h.settled(all, among: ["m1"]) }, "m1 holds all: \(h.allocations()) \(h.errors)")
        XCTAssertTrue(h.members["m1"]!.membership.cooperative)
        var seen = h.changes["m1"]!.count
        try h.add("m2", group: group, topics: [topic], assignors: sticky)
        XCTAssertTrue(h.spin(seconds: 40) { h.settled(all, among: ["m1", "m2"]) }, "two split: \(h.allocations()) \(h.errors)")
        XCTAssertEqual(moves("m1", since: seen).lost, 3, "m1 gave up three, kept three")
        XCTAssertEqual(moves("m1", since: seen).gained, 0, "and got nothing back")

        seen = h.changes["m1"]!.count
        let seen2 = h.changes["m2"]!.count
        try h.add("m3", group: group, topics: [topic], assignors: sticky)
        // Settled in two steps: first m1 and m2 give one up each, then m3 gets both.
        XCTAssertTrue(h.spin(seconds: 40) { h.allocations().values.map(\.count).sorted() == [2, 2, 2] && h.settled(all, among: ["m1", "m2", "m3"]) },
                      "three split: \(h.allocations())")
        XCTAssertEqual(h.allocations().values.map(\.count).sorted(), [2, 2, 2])
        XCTAssertEqual(moves("m1", since: seen).lost + moves("m2", since: seen2).lost, 2, "one each moved to m3")
        XCTAssertEqual(moves("m1", since: seen).gained + moves("m2", since: seen2).gained, 0)
        sent.formUnion(try h.produce(topic, prefix: "b", count: 120, partitions: 6))
        XCTAssertTrue(h.spin(seconds: 30) { h.allReceived.isSuperset(of: sent) }, "missing \(sent.subtracting(h.allReceived).count)")

        // m2 leaves: its two partitions go to the others, who give up nothing.
        let kept = h.allocations()
        XCTAssertTrue(h.close("m2"))
        XCTAssertTrue(h.spin(seconds: 30) { h.settled(all, among: ["m1", "m3"]) }, "after m2 left: \(h.allocations())")
        for label in ["m1", "m3"] { XCTAssertTrue(kept[label]!.isSubset(of: h.allocations()[label]!), "\(label) kept its own") }
        sent.formUnion(try h.produce(topic, prefix: "c", count: 120, partitions: 6))
        XCTAssertTrue(h.spin(seconds: 30) { h.allReceived.isSuperset(of: sent) }, "missing \(sent.subtracting(h.allReceived).count)")
        let duplicates = h.received.values.reduce(0) { $0 + $1.count } - h.allReceived.count
        var readers: [String: [String]] = [:]
        for (label, values) in h.received { for value in values { readers[value, default: []].append(label) } }
        let twice = readers.filter { $0.value.count > 1 }
        XCTAssertEqual(duplicates, 0, "given up partitions were committed first: nothing read twice: \(twice.sorted { $0.key < $1.key }.prefix(8))")
        h.assertGenerationsDisjoint()
        h.closeAll()
        XCTAssertEqual(h.errors, [])
    }

    /// Kiel and librdkafka members share a cooperative-sticky group, each leading once.
    func testMixedCooperativeGroupWithConfluent() throws {
        harness = try KafkaGroupHarness()
        let h = harness!
        let topic = try BrokerTest.topic("kcoop-mixed", partitions: 6)
        let group = TestServices.uniqueName("kcoop-mixed")
        let all = Set((0 ..< Int32(6)).map { TopicPartition(topic, $0) })
        var sent = try h.produce(topic, prefix: "a", count: 120, partitions: 6)
        func received() -> Set<String> { h.received(with: peers) }
        func split(_ kiel: [String]) -> Bool { h.split(all, kiel: kiel, peers: peers) }

        try h.add("k1", group: group, topics: [topic], assignors: [.cooperativeSticky])
        XCTAssertTrue(h.spin(seconds: 30) { h.allocations()["k1"] == all }, "kiel alone holds all: \(h.allocations())")
        let peer = try ConfluentMember("p1", broker: h.broker, group: group, topic: topic, strategy: "cooperative-sticky")
        peers.append(peer)
        XCTAssertTrue(h.spin(seconds: 40) { split(["k1"]) }, "split with kiel leading: \(h.allocations()) \(peer.holding) \(peer.stderr)")
        XCTAssertEqual(h.changes["k1"]?.allSatisfy { $0.gained.isEmpty || $0.lost.isEmpty }, true)
        XCTAssertEqual(moves("k1", since: 1).gained, 0, "k1 only gave up: \(h.changes["k1"]!)")
        sent.formUnion(try h.produce(topic, prefix: "b", count: 120, partitions: 6))
        XCTAssertTrue(h.spin(seconds: 30) { received().isSuperset(of: sent) }, "missing \(sent.subtracting(received()).count)")

        // k1 leaves; librdkafka leads from then on and a new Kiel member joins it.
        XCTAssertTrue(h.close("k1"))
        XCTAssertTrue(h.spin(seconds: 30) { peer.holding == all }, "confluent took over: \(peer.holding)")
        try h.add("k2", group: group, topics: [topic], assignors: [.cooperativeSticky])
        XCTAssertTrue(h.spin(seconds: 40) { split(["k2"]) }, "split with confluent leading: \(h.allocations()) \(peer.holding)")
        let k2 = try XCTUnwrap(h.members["k2"])
        XCTAssertNotEqual(k2.membership.leaderId, k2.memberId, "librdkafka led")
        sent.formUnion(try h.produce(topic, prefix: "c", count: 120, partitions: 6))
        XCTAssertTrue(h.spin(seconds: 30) { received().isSuperset(of: sent) }, "missing \(sent.subtracting(received()).count)")
        h.assertGenerationsDisjoint()
        XCTAssertTrue(h.close("k2"))
        peer.stop()
        XCTAssertEqual(h.errors, [])
    }
}
