import Foundation
import XCTest
import KielTestSupport
@testable import Kiel

/// Rebalance times on the real broker, Kiel beside confluent-kafka with the same settings
/// (session 6 s, heartbeat 300 ms, rebalance timeout 10 s): a first member joining a new
/// group, a second member joining it, and the second one leaving. Printed, never asserted:
/// they depend on the machine and on how the broker schedules rebalances.
final class KafkaGroupTimingTests: BrokerGroupTestCase {
    private static func micros() -> Int64 { Int64(Date().timeIntervalSince1970 * 1_000_000) }

    private static func ms(_ micros: Int64?) -> String {
        guard let micros else { return "n/a" }
        return String(format: "%.0f ms", Double(micros) / 1000)
    }

    func testRebalanceTimesKielBesideConfluent() throws {
        harness = try KafkaGroupHarness()
        let h = harness!
        let topic = try BrokerTest.topic("timing", partitions: 4)
        let all = Set((0 ..< Int32(4)).map { TopicPartition(topic, $0) })

        // Kiel: first member, second member, second member leaves.
        let kielGroup = TestServices.uniqueName("timing-kiel")
        var start = Self.micros()
        try h.add("k1", group: kielGroup, topics: [topic])
        XCTAssertTrue(h.spin(seconds: 30) { h.allocations()["k1"] == all })
        let kielFirst = Self.micros() - start
        start = Self.micros()
        try h.add("k2", group: kielGroup, topics: [topic])
        XCTAssertTrue(h.spin(seconds: 30) { h.settled(all, among: ["k1", "k2"]) })
        let kielSecond = Self.micros() - start
        start = Self.micros()
        var closed = false
        h.members["k2"]?.close { closed = true }
        XCTAssertTrue(h.spin(seconds: 30) { closed && h.allocations()["k1"] == all })
        let kielLeave = Self.micros() - start

        // confluent-kafka, the same steps in another group.
        let peerGroup = TestServices.uniqueName("timing-confluent")
        let p1 = try ConfluentMember("t1", broker: h.broker, group: peerGroup, topic: topic, strategy: "range,roundrobin")
        peers.append(p1)
        XCTAssertTrue(h.spin(seconds: 30) { p1.holding == all })
        let peerFirst = p1.assignedAt(all).flatMap { at in p1.startedAt.map { at - $0 } }
        let p2 = try ConfluentMember("t2", broker: h.broker, group: peerGroup, topic: topic, strategy: "range,roundrobin")
        peers.append(p2)
        XCTAssertTrue(h.spin(seconds: 30) { !p2.holding.isEmpty && p1.holding.union(p2.holding) == all && p1.holding.count == 2 })
        let peerSecond = [p1.assignedAt(p1.holding), p2.assignedAt(p2.holding)].compactMap { $0 }.max()
            .flatMap { at in p2.startedAt.map { at - $0 } }
        let stopping = Self.micros()
        p2.stop()
        XCTAssertTrue(h.spin(seconds: 30) { p1.holding == all })
        let peerLeave = p1.assignedAt(all).map { $0 - stopping }

        print("""
        rebalance times on one Tansu broker (session 6 s, heartbeat 300 ms):
        | step                                         | Kiel | confluent-kafka |
        | first member joins a new group (to assigned) | \(Self.ms(kielFirst)) | \(Self.ms(peerFirst)) |
        | second member joins (to both assigned)       | \(Self.ms(kielSecond)) | \(Self.ms(peerSecond)) |
        | second member leaves (to the other has all)  | \(Self.ms(kielLeave)) | \(Self.ms(peerLeave)) |
        """)
        XCTAssertEqual(h.errors, [])
    }
}
