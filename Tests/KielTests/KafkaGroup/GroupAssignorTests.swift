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
        XCTAssertEqual(GroupAssignor.named("cooperative-sticky")?.cooperative, true)
        XCTAssertNil(GroupAssignor.named("sticky"), "the eager sticky assignor is not offered")
        XCTAssertEqual(GroupAssignor.range.assign(members: [], partitionCounts: counts), [:])
    }

    // MARK: cooperative-sticky

    private func partitionCount(_ a: GroupAssignor.Assignment) -> [String: Int] { a.mapValues { $0.values.reduce(0) { $0 + $1.count } } }

    /// The next round's members: each owns what it was given, in a later generation.
    private func owning(_ members: [Member], _ result: GroupAssignor.Assignment, generation: Int32) -> [Member] {
        members.map { m in
            var m = m
            m.ownedPartitions = result[m.memberId] ?? [:]
            m.generation = generation
            return m
        }
    }

    func testStickyBalancesAFreshGroup() {
        let sticky = GroupAssignor.cooperativeSticky
        for memberCount in 1 ... 6 {
            for partitions in [1, 5, 12] {
                let members = (0 ..< memberCount).map { Member(memberId: "m\($0)", topics: ["p", "q"]) }
                let result = sticky.assign(members: members.shuffled(), partitionCounts: ["p": partitions, "q": 2])
                var seen: [TopicPartition] = []
                for (_, share) in result { for (topic, ids) in share { seen += ids.map { TopicPartition(topic, $0) } } }
                XCTAssertEqual(seen.count, partitions + 2, "each once")
                XCTAssertEqual(Set(seen).count, partitions + 2)
                let sizes = partitionCount(result).values
                XCTAssertLessThanOrEqual(sizes.max()! - sizes.min()!, 1, "\(memberCount) members, \(partitions)")
                XCTAssertEqual(sticky.assign(members: members, partitionCounts: ["p": partitions, "q": 2]), result, "deterministic")
            }
        }
    }

    /// A fourth member joins three that hold two partitions each: one partition moves, in two
    /// rebalances — first its owner gives it up (held back from everyone), then it is handed on.
    func testStickyMovesTheFewestAndHandsOverInTwoSteps() {
        let sticky = GroupAssignor.cooperativeSticky
        let before: GroupAssignor.Assignment = ["a": ["t": [0, 3]], "b": ["t": [1, 4]], "c": ["t": [2, 5]]]
        var members = owning(["a", "b", "c"].map { Member(memberId: $0, topics: ["t"]) }, before, generation: 1)
        members.append(Member(memberId: "d", topics: ["t"]))
        let first = sticky.assign(members: members, partitionCounts: ["t": 6])
        XCTAssertEqual(first["d"], [:], "nothing for d while the partition's owner still holds it")
        let kept = first.values.reduce(0) { $0 + $1["t", default: []].count }
        XCTAssertEqual(kept, 5, "one partition given up, the rest kept: \(first)")
        for member in ["a", "b", "c"] {
            XCTAssertTrue(Set(first[member]?["t"] ?? []).isSubset(of: Set(before[member]!["t"]!)), "kept only its own")
        }
        let second = sticky.assign(members: owning(members, first, generation: 2), partitionCounts: ["t": 6])
        XCTAssertEqual(partitionCount(second).values.sorted(), [1, 1, 2, 2])
        XCTAssertEqual(second["d"]?["t"]?.count, 1, "handed on in the next rebalance")
        for member in ["a", "b", "c"] { XCTAssertEqual(second[member], first[member], "the others untouched") }
    }

    /// Two members claim one partition (one missed a generation): the later claim stands.
    func testStickyConflictingClaimsGoToTheLaterGeneration() {
        let sticky = GroupAssignor.cooperativeSticky
        let members = [Member(memberId: "old", topics: ["t"], ownedPartitions: ["t": [0, 1]], generation: 3),
                       Member(memberId: "new", topics: ["t"], ownedPartitions: ["t": [1]], generation: 4)]
        let result = sticky.assign(members: members, partitionCounts: ["t": 2])
        XCTAssertEqual(result, ["old": ["t": [0]], "new": ["t": [1]]])
        // Claims on partitions that no longer exist, or of a topic no longer subscribed, are ignored.
        let stale = [Member(memberId: "x", topics: ["t"], ownedPartitions: ["t": [7], "gone": [0]], generation: 1)]
        XCTAssertEqual(sticky.assign(members: stale, partitionCounts: ["t": 2]), ["x": ["t": [0, 1]]])
    }

    /// Seeded random groups over several rounds: never a partition twice, never one taken from
    /// a member that still owns it, and two rounds after the last change the group is whole
    /// and as balanced as the subscriptions allow.
    func testStickyRoundsKeepEveryPartitionWithOneOwner() {
        var rng = FastRandom(seed: 0x5717C4)
        let sticky = GroupAssignor.cooperativeSticky
        for _ in 0 ..< 200 {
            let counts = ["a": Int.random(in: 1 ... 9, using: &rng), "b": Int.random(in: 0 ... 4, using: &rng)]
            var members = (0 ..< Int.random(in: 1 ... 5, using: &rng)).map { Member(memberId: "m\($0)", topics: ["a", "b"]) }
            var generation: Int32 = 1
            for _ in 0 ..< 4 {
                // Someone leaves or joins, some subscribe to one topic only.
                if Bool.random(using: &rng), members.count > 1 { members.remove(at: Int.random(in: 0 ..< members.count, using: &rng)) }
                if Bool.random(using: &rng) { members.append(Member(memberId: "n\(generation)", topics: Bool.random(using: &rng) ? ["a"] : ["a", "b"])) }
                var result: GroupAssignor.Assignment = [:]
                for _ in 0 ..< 3 {
                    let owners = GroupAssignor.currentOwners(members, partitionCounts: counts)
                    result = sticky.assign(members: members, partitionCounts: counts)
                    var holder: [TopicPartition: String] = [:]
                    for (member, share) in result {
                        for (topic, ids) in share {
                            for id in ids {
                                let key = TopicPartition(topic, id)
                                XCTAssertNil(holder[key], "\(key) twice")
                                holder[key] = member
                                if let owner = owners[key] { XCTAssertEqual(owner, member, "\(key) taken from its owner") }
                            }
                        }
                    }
                    members = owning(members, result, generation: generation)
                    generation += 1
                }
                let total = result.values.reduce(0) { $0 + $1.values.reduce(0) { $0 + $1.count } }
                let wanted = Set(members.flatMap(\.topics))
                XCTAssertEqual(total, counts.filter { wanted.contains($0.key) }.values.reduce(0, +), "whole after settling: \(result)")
                let onBoth = members.filter { $0.topics.count == 2 }.map { partitionCount(result)[$0.memberId]! }
                if let most = onBoth.max(), let least = onBoth.min() { XCTAssertLessThanOrEqual(most - least, 1) }
            }
        }
    }
}
