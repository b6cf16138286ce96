import Foundation
import XCTest
import KielTestSupport
@testable import Kiel

/// Kiel members and confluent-kafka (librdkafka) consumers in one broker-coordinated group, on
/// the real broker, with each assignor both offer: the partitions are split between them,
/// every message is consumed at least once, none is lost when either side leaves, and the
/// offsets Kiel commits read back through confluent-kafka for the same group.
final class KafkaGroupMixedTests: BrokerGroupTestCase {
    /// confluent-kafka joins first and leads (it runs the assignor for the Kiel members).
    func testMixedGroupWithRange() throws { try mixedGroup(strategy: "range", assignor: .range, kielLeads: false) }

    /// A Kiel member joins first and leads (it reads librdkafka's subscription and assigns).
    func testMixedGroupWithRoundRobin() throws { try mixedGroup(strategy: "roundrobin", assignor: .roundRobin, kielLeads: true) }

    private func mixedGroup(strategy: String, assignor: GroupAssignor, kielLeads: Bool) throws {
        harness = try KafkaGroupHarness()
        let h = harness!
        let topic = try BrokerTest.topic("mixed-\(strategy)", partitions: 6)
        let group = TestServices.uniqueName("mixed-\(strategy)")
        let all = Set((0 ..< Int32(6)).map { TopicPartition(topic, $0) })
        var sent = try h.produce(topic, prefix: "a", count: 120, partitions: 6)
        func received() -> Set<String> { h.received(with: peers) }
        func split(_ kiel: [String]) -> Bool { h.split(all, kiel: kiel, peers: peers) }

        if kielLeads {
            try h.add("k1", group: group, topics: [topic], assignors: [assignor])
            XCTAssertTrue(h.spin(seconds: 30) { h.allocations()["k1"] == all }, "kiel alone holds all: \(h.allocations())")
        }
        let peer = try ConfluentMember("p1", broker: h.broker, group: group, topic: topic, strategy: strategy)
        peers.append(peer)
        if !kielLeads {
            XCTAssertTrue(h.spin(seconds: 30) { peer.holding == all }, "confluent alone holds all: \(peer.holding) \(peer.stderr)")
            try h.add("k1", group: group, topics: [topic], assignors: [assignor])
        }
        try h.add("k2", group: group, topics: [topic], assignors: [assignor])
        XCTAssertTrue(h.spin(seconds: 40) { split(["k1", "k2"]) },
                      "\(strategy): split three ways: kiel \(h.allocations()), confluent \(peer.holding) \(h.errors)")
        let k1 = try XCTUnwrap(h.members["k1"])
        XCTAssertEqual(k1.membership.leaderId == k1.memberId, kielLeads, "who led")
        sent.formUnion(try h.produce(topic, prefix: "b", count: 120, partitions: 6))
        XCTAssertTrue(h.spin(seconds: 30) { received().isSuperset(of: sent) }, "missing \(sent.subtracting(received()).count)")

        // The Kiel side leaves: confluent takes everything over from Kiel's commits.
        XCTAssertTrue(h.close("k1"))
        XCTAssertTrue(h.close("k2"))
        XCTAssertTrue(h.spin(seconds: 30) { peer.holding == all }, "confluent took over: \(peer.holding)")
        sent.formUnion(try h.produce(topic, prefix: "c", count: 120, partitions: 6))
        XCTAssertTrue(h.spin(seconds: 30) { received().isSuperset(of: sent) }, "missing \(sent.subtracting(received()).count)")

        // A Kiel member comes back, then the confluent side leaves: Kiel takes over from its commits.
        try h.add("k3", group: group, topics: [topic], assignors: [assignor])
        XCTAssertTrue(h.spin(seconds: 40) { split(["k3"]) }, "split again: \(h.allocations()) \(peer.holding)")
        peer.stop()
        XCTAssertTrue(peer.closed, "confluent closed cleanly: \(peer.stderr)")
        XCTAssertTrue(h.spin(seconds: 30) { h.allocations()["k3"] == all }, "kiel took over: \(h.allocations())")
        sent.formUnion(try h.produce(topic, prefix: "d", count: 120, partitions: 6))
        XCTAssertTrue(h.spin(seconds: 30) { received().isSuperset(of: sent) }, "missing \(sent.subtracting(received()).count)")
        h.assertGenerationsDisjoint()
        XCTAssertTrue(h.close("k3"))
        XCTAssertEqual(h.errors, [])

        // What Kiel committed last (everything, on close) reads back through confluent-kafka.
        let code = """
        import sys, confluent_kafka
        broker, group, topic = sys.argv[1:4]
        c = confluent_kafka.Consumer({"bootstrap.servers": broker, "group.id": group})
        parts = c.committed([confluent_kafka.TopicPartition(topic, p) for p in range(6)], timeout=10)
        print(" ".join(str(p.offset) for p in parts))
        c.close()
        """
        let committed = try TestServices.runPython(code: code, args: [h.broker, group, topic])
            .split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        XCTAssertEqual(committed, [Int](repeating: 80, count: 6), "\(strategy): 480 records over 6 partitions, all committed")
    }
}
