import Foundation
import XCTest
import KielTestSupport
@testable import Kiel

/// Kiel members of broker-coordinated groups against the real broker: they split a topic's
/// partitions, consume every message, never hold a partition twice in one generation, and
/// hand partitions over on `close` with the offsets committed, so nothing is lost.
final class KafkaGroupServiceTests: BrokerGroupTestCase {
    private func partitions(_ topic: String, _ count: Int) -> Set<TopicPartition> {
        Set((0 ..< Int32(count)).map { TopicPartition(topic, $0) })
    }

    /// 1 → 2 → 3 members under `range`, 1 → 2 → 3 → 5 under `roundrobin`, then one leaves.
    func testTwoThenThreeMembersSplitAndHandOverOnClose() throws {
        try splitAndHandOver(assignor: .range, upTo: 3)
        try splitAndHandOver(assignor: .roundRobin, upTo: 5)
    }

    private func splitAndHandOver(assignor: GroupAssignor, upTo size: Int) throws {
        harness = try KafkaGroupHarness()
        let h = harness!
        let topic = try BrokerTest.topic("kgroup-\(assignor.name)", partitions: 6)
        let group = TestServices.uniqueName("kgroup-\(assignor.name)")
        let all = partitions(topic, 6)
        var sent = try h.produce(topic, prefix: "a", count: 120, partitions: 6)

        try h.add("m1", group: group, topics: [topic], assignors: [assignor])
        XCTAssertTrue(h.spin(seconds: 30) { h.settled(all, among: ["m1"]) }, "m1 holds all: \(h.allocations()) \(h.errors)")
        try h.add("m2", group: group, topics: [topic], assignors: [assignor])
        XCTAssertTrue(h.spin(seconds: 30) { h.settled(all, among: ["m1", "m2"]) }, "two split: \(h.allocations()) \(h.errors)")
        try h.add("m3", group: group, topics: [topic], assignors: [assignor])
        XCTAssertTrue(h.spin(seconds: 30) { h.settled(all, among: ["m1", "m2", "m3"]) }, "three split: \(h.allocations())")
        XCTAssertEqual(h.allocations().values.map(\.count).sorted(), [2, 2, 2], assignor.name)
        if size == 5 {
            try h.add("m4", group: group, topics: [topic], assignors: [assignor])
            try h.add("m5", group: group, topics: [topic], assignors: [assignor])
            XCTAssertTrue(h.spin(seconds: 30) { h.settled(all, among: ["m1", "m2", "m3", "m4", "m5"]) }, "five split: \(h.allocations())")
            XCTAssertEqual(h.allocations().values.map(\.count).sorted(), [1, 1, 1, 1, 2], assignor.name)
        }
        sent.formUnion(try h.produce(topic, prefix: "b", count: 120, partitions: 6))
        XCTAssertTrue(h.spin(seconds: 30) { h.allReceived.isSuperset(of: sent) }, "missing \(sent.subtracting(h.allReceived).count)")

        // m2 leaves: the others take its partitions from where it committed.
        XCTAssertTrue(h.close("m2"))
        let rest = ["m1", "m3", "m4", "m5"].filter { h.members[$0] != nil }
        XCTAssertTrue(h.spin(seconds: 30) { h.settled(all, among: rest) }, "after m2 left: \(h.allocations())")
        sent.formUnion(try h.produce(topic, prefix: "c", count: 120, partitions: 6))
        XCTAssertTrue(h.spin(seconds: 30) { h.allReceived.isSuperset(of: sent) }, "missing \(sent.subtracting(h.allReceived).count)")
        let duplicates = h.received.values.reduce(0) { $0 + $1.count } - h.allReceived.count
        XCTAssertEqual(duplicates, 0, "offsets committed on revoke and close: nothing read twice")
        h.assertGenerationsDisjoint()
        h.closeAll()
        XCTAssertEqual(h.errors, [])
    }

    /// A topic created after the group formed reaches the members (the leader watches the
    /// metadata and rejoins), and so does one subscribed to after `connect`.
    func testTopicCreatedLaterAndSubscriptionAfterConnect() throws {
        harness = try KafkaGroupHarness()
        let h = harness!
        let first = try BrokerTest.topic("kgroup-first", partitions: 2)
        let later = TestServices.uniqueName("kgroup-later")
        let third = try BrokerTest.topic("kgroup-third", partitions: 2)
        let group = TestServices.uniqueName("kgroup-topics")
        var options = KafkaGroupHarness.options()
        options.metadataInterval = .milliseconds(300)
        let member = try h.add("m1", group: group, topics: [first, later], options: options)
        XCTAssertTrue(h.spin(seconds: 30) { h.allocations()["m1"] == self.partitions(first, 2) }, "\(h.allocations())")

        try TestServices.createTopic(name: later, partitions: 3)
        let both = partitions(first, 2).union(partitions(later, 3))
        XCTAssertTrue(h.spin(seconds: 30) { h.allocations()["m1"] == both }, "the new topic is assigned: \(h.allocations())")

        member.subscribe(third)
        let all = both.union(partitions(third, 2))
        XCTAssertTrue(h.spin(seconds: 30) { h.allocations()["m1"] == all }, "the late subscription is assigned: \(h.allocations())")
        let sent = try h.produce(later, prefix: "l", count: 30, partitions: 3).union(try h.produce(third, prefix: "t", count: 20, partitions: 2))
        XCTAssertTrue(h.spin(seconds: 30) { h.allReceived.isSuperset(of: sent) }, "missing \(sent.subtracting(h.allReceived).count)")
        XCTAssertEqual(h.errors, [])
    }
}
