import Foundation
import XCTest
import KielTestSupport
@testable import Kiel

/// Static members (KIP-345) against the real broker: a member that restarts with its
/// instance id within the session timeout takes its partitions back and the others are not
/// rebalanced.
final class KafkaGroupStaticTests: BrokerGroupTestCase {
    func testAStaticMemberRestartsIntoItsOwnPartitionsWithoutARebalance() throws {
        harness = try KafkaGroupHarness()
        let h = harness!
        let topic = try BrokerTest.topic("kstatic", partitions: 4)
        let group = TestServices.uniqueName("kstatic")
        let all = Set((0 ..< Int32(4)).map { TopicPartition(topic, $0) })
        func options(_ id: String) -> KafkaGroupConsumer<String>.Options {
            var o = KafkaGroupHarness.options()
            o.groupInstanceId = id
            o.sessionTimeout = .seconds(10)
            return o
        }
        try h.add("a", group: group, topics: [topic], options: options("instance-a"))
        try h.add("b", group: group, topics: [topic], options: options("instance-b"))
        XCTAssertTrue(h.spin(seconds: 40) { h.settled(all, among: ["a", "b"]) }, "split: \(h.allocations()) \(h.errors)")
        var sent = try h.produce(topic, prefix: "s", count: 40, partitions: 4)
        XCTAssertTrue(h.spin(seconds: 20) { h.allReceived.isSuperset(of: sent) })
        let heldByA = h.allocations()["a"]!
        let generation = h.members["b"]!.generationId
        let bChanges = h.changes["b"]?.count ?? 0

        XCTAssertTrue(h.close("a"))
        h.changes["a"] = []
        try h.add("a", group: group, topics: [topic], options: options("instance-a"))
        XCTAssertTrue(h.spin(seconds: 20) { h.allocations()["a"] == heldByA }, "a back: \(h.allocations()) \(h.errors)")
        sent.formUnion(try h.produce(topic, prefix: "t", count: 40, partitions: 4))
        XCTAssertTrue(h.spin(seconds: 20) { h.allReceived.isSuperset(of: sent) }, "missing \(sent.subtracting(h.allReceived))")
        XCTAssertEqual(h.members["b"]!.generationId, generation, "b stayed in its generation")
        XCTAssertEqual(h.changes["b"]?.count ?? 0, bChanges, "b saw no rebalance")
        let duplicates = h.received.values.reduce(0) { $0 + $1.count } - h.allReceived.count
        XCTAssertEqual(duplicates, 0, "a committed on close and started from there")
        XCTAssertEqual(h.errors, [])
    }
}
