import XCTest
@testable import Kiel

/// The built-in assignors against the examples in Kafka's own documentation (the Java
/// client's RangeAssignor and RoundRobinAssignor), plus the edges.
final class GroupAssignorTests: XCTestCase {
    typealias Member = GroupAssignor.Member

    let twoOnTwo = [Member(memberId: "C1", topics: ["t0", "t1"]), Member(memberId: "C0", topics: ["t0", "t1"])]
    let counts = ["t0": 3, "t1": 3]

    func testRangeAsKafkaDocumentsIt() {
        XCTAssertEqual(GroupAssignor.range.assign(members: twoOnTwo, partitionCounts: counts), [
            "C0": ["t0": [0, 1], "t1": [0, 1]],
            "C1": ["t0": [2], "t1": [2]],
        ])
    }

    func testRoundRobinAsKafkaDocumentsIt() {
        XCTAssertEqual(GroupAssignor.roundRobin.assign(members: twoOnTwo, partitionCounts: counts), [
            "C0": ["t0": [0, 2], "t1": [1]],
            "C1": ["t0": [1], "t1": [0, 2]],
        ])
        // Kafka's example with unequal subscriptions: C0 takes t0, C1 t0 and t1, C2 all three.
        let members = [Member(memberId: "C0", topics: ["t0"]), Member(memberId: "C1", topics: ["t0", "t1"]),
                       Member(memberId: "C2", topics: ["t0", "t1", "t2"])]
        XCTAssertEqual(GroupAssignor.roundRobin.assign(members: members, partitionCounts: ["t0": 1, "t1": 2, "t2": 3]), [
            "C0": ["t0": [0]],
            "C1": ["t1": [0]],
            "C2": ["t1": [1], "t2": [0, 1, 2]],
        ])
    }

    func testRangeGivesTheExtrasToTheFirstMembersOfEachTopic() {
        let members = (0 ..< 3).map { Member(memberId: "m\($0)", topics: ["a", "b"]) }
        XCTAssertEqual(GroupAssignor.range.assign(members: members, partitionCounts: ["a": 7, "b": 2]), [
            "m0": ["a": [0, 1, 2], "b": [0]],
            "m1": ["a": [3, 4], "b": [1]],
            "m2": ["a": [5, 6]],
        ])
        // Only subscribers of a topic share it.
        let mixed = [Member(memberId: "x", topics: ["a"]), Member(memberId: "y", topics: ["a", "b"])]
        XCTAssertEqual(GroupAssignor.range.assign(members: mixed, partitionCounts: ["a": 2, "b": 2]), [
            "x": ["a": [0]],
            "y": ["a": [1], "b": [0, 1]],
        ])
    }

    func testEveryPartitionOnceForManyShapes() {
        for assignor in [GroupAssignor.range, .roundRobin] {
            for memberCount in 1 ... 7 {
                for partitions in [1, 4, 9, 16] {
                    let members = (0 ..< memberCount).map { Member(memberId: "consumer-\($0)-\(UInt32.random(in: 0 ... .max))", topics: ["p", "q"]) }
                    let result = assignor.assign(members: members.shuffled(), partitionCounts: ["p": partitions, "q": 3, "unused": 5])
                    XCTAssertEqual(Set(result.keys), Set(members.map(\.memberId)), assignor.name)
                    var seen: [String: [Int32]] = [:]
                    for share in result.values { for (topic, ids) in share { seen[topic, default: []] += ids } }
                    XCTAssertEqual(seen["p"]?.sorted(), (0 ..< Int32(partitions)).map { $0 }, "\(assignor.name) \(memberCount)")
                    XCTAssertEqual(seen["q"]?.sorted(), [0, 1, 2])
                    XCTAssertNil(seen["unused"], "nobody subscribes to it")
                    let sizes = result.values.map { $0["p", default: []].count }
                    XCTAssertLessThanOrEqual(sizes.max()! - sizes.min()!, 1, "\(assignor.name) balances one topic")
                }
            }
        }
    }

    func testMemberOrderPutsStaticMembersFirstAndComparesBytes() {
        let members = [Member(memberId: "b", topics: []), Member(memberId: "a", topics: []),
                       Member(memberId: "z", groupInstanceId: "i2", topics: []), Member(memberId: "y", groupInstanceId: "i1", topics: []),
                       Member(memberId: "B", topics: [])]
        XCTAssertEqual(GroupAssignor.sorted(members).map(\.memberId), ["y", "z", "B", "a", "b"])
    }

    func testCustomAssignorIsCleanedUp() {
        // Gives everything (twice, and a topic nobody asked for) to the last member.
        let greedy = GroupAssignor(name: "greedy") { members, counts in
            var all: [String: [Int32]] = [:]
            for (topic, count) in counts { all[topic] = (0 ..< Int32(count)).map { $0 } + [0] }
            all["other"] = [1]
            return [members.last!.memberId: all]
        }
        let result = greedy.assign(members: twoOnTwo, partitionCounts: counts)
        XCTAssertEqual(result, ["C0": [:], "C1": ["t0": [0, 1, 2], "t1": [0, 1, 2]]])
        XCTAssertEqual(GroupAssignor.named("range")?.name, "range")
        XCTAssertEqual(GroupAssignor.named("roundrobin")?.name, "roundrobin")
        XCTAssertNil(GroupAssignor.named("cooperative-sticky"))
        XCTAssertEqual(GroupAssignor.range.assign(members: [], partitionCounts: counts), [:])
    }
}
