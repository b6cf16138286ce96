import XCTest
@testable import Kiel

/// The allocators' promises: stable, nothing assigned twice, everything assigned, balanced.
final class PartitionAllocatorTests: XCTestCase {
    /// A small seeded generator so every run checks the same cases.
    private struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    private func randomInputs(_ rng: inout SplitMix) -> (members: [String], partitions: [String]) {
        let members = (0 ..< Int.random(in: 1 ... 7, using: &rng)).map {
            GroupMemberName.make(hostname: "host\(Int.random(in: 0 ... 3, using: &rng))", uniqueID: "m\($0)")
        }
        var partitions: [String] = []
        for topic in 0 ..< Int.random(in: 1 ... 4, using: &rng) {
            for id in 0 ..< Int.random(in: 0 ... 13, using: &rng) {
                partitions.append(TopicPartition("topic.\(topic)", Int32(id)).shareEntry)
            }
        }
        return (members, partitions)
    }

    private func assigned(_ allocation: PartitionAllocator.Allocation) -> [TopicPartition] {
        allocation.values.flatMap { TopicPartition.all($0) }
    }

    func testRoundRobinMatchesKielsDealingOrder() {
        let members = ["client01:434533", "client02:12345"]
        let partitions = ["example.topic.1:0", "example.topic.1:1", "example.topic.1:2",
                          "example.topic.1:3", "example.topic.2:0", "example.topic.2:1"]
        let allocation = PartitionAllocator.roundRobin(sortedMembers: members, sortedPartitions: partitions)
        XCTAssertEqual(PartitionAllocator.naive(sortedMembers: members, sortedPartitions: partitions), allocation)
        XCTAssertEqual(allocation, [
            "client01:434533": ["example.topic.1": [0, 2], "example.topic.2": [0]],
            "client02:12345": ["example.topic.1": [1, 3], "example.topic.2": [1]],
        ])
    }

    func testRoundRobinFollowsKielsStringOrderNotNumericOrder() {
        let partitions = (0 ..< 12).map { "t:\($0)" }.kielSorted()
        XCTAssertEqual(Array(partitions.prefix(4)), ["t:0", "t:1", "t:10", "t:11"])
        let allocation = PartitionAllocator.roundRobin(sortedMembers: ["a:1", "b:2"], sortedPartitions: partitions)
        XCTAssertEqual(allocation["a:1"], ["t": [0, 10, 2, 4, 6, 8]])
        XCTAssertEqual(allocation["b:2"], ["t": [1, 11, 3, 5, 7, 9]])
    }

    func testRangeGivesContiguousRunsPerTopic() {
        let partitions = ((0 ..< 7).map { "a:\($0)" } + (0 ..< 2).map { "b:\($0)" }).kielSorted()
        let allocation = PartitionAllocator.range(sortedMembers: ["m1:x", "m2:y", "m3:z"], sortedPartitions: partitions)
        XCTAssertEqual(allocation["m1:x"], ["a": [0, 1, 2], "b": [0]])
        XCTAssertEqual(allocation["m2:y"], ["a": [3, 4], "b": [1]])
        XCTAssertEqual(allocation["m3:z"], ["a": [5, 6]])
    }

    func testEveryAllocatorIsStableAndAssignsEachPartitionExactlyOnce() {
        var rng = SplitMix(state: 42)
        for allocator in [PartitionAllocator.roundRobin, .range] {
            for _ in 0 ..< 300 {
                let (members, partitions) = randomInputs(&rng)
                let first = allocator.allocate(members: members, partitions: partitions)
                // Each member sees the inputs in its own order (a watch's child order is not sorted).
                let again = allocator.allocate(members: members.shuffled(using: &rng),
                                               partitions: partitions.shuffled(using: &rng))
                XCTAssertEqual(first, again, "\(allocator.name) is not stable")
                let keys = assigned(first)
                XCTAssertEqual(keys.count, Set(keys).count, "\(allocator.name) assigned a partition twice")
                XCTAssertEqual(Set(keys.map(\.shareEntry)), Set(partitions), "\(allocator.name) left partitions out")
                XCTAssertEqual(Set(first.keys), Set(members), "every member gets an entry")
            }
        }
    }

    func testRoundRobinBalancesWithinOneAndRangeWithinOnePerTopic() {
        var rng = SplitMix(state: 7)
        for _ in 0 ..< 300 {
            let (members, partitions) = randomInputs(&rng)
            let counts = PartitionAllocator.roundRobin.allocate(members: members, partitions: partitions)
                .values.map { $0.values.reduce(0) { $0 + $1.count } }
            XCTAssertLessThanOrEqual(counts.max()! - counts.min()!, 1)

            let range = PartitionAllocator.range.allocate(members: members, partitions: partitions)
            for topic in Set(partitions.compactMap { TopicPartition(shareEntry: $0)?.topic }) {
                let perMember = range.values.map { $0[topic]?.count ?? 0 }
                XCTAssertLessThanOrEqual(perMember.max()! - perMember.min()!, 1)
            }
        }
    }

    func testNoMembersOrNoPartitions() {
        XCTAssertEqual(PartitionAllocator.roundRobin(sortedMembers: [], sortedPartitions: ["t:0"]), [:])
        XCTAssertEqual(PartitionAllocator.range(sortedMembers: [], sortedPartitions: ["t:0"]), [:])
        XCTAssertEqual(PartitionAllocator.roundRobin(sortedMembers: ["a:1"], sortedPartitions: []), ["a:1": [:]])
    }

    func testMalformedStringsAreSkipped() {
        let allocation = PartitionAllocator.roundRobin.allocate(members: ["a:1", "b:1"],
                                                                partitions: ["t:0", "junk", "t:-1", "t:1"])
        XCTAssertEqual(assigned(allocation).map(\.shareEntry).sorted(), ["t:0", "t:1"])
    }

    func testCustomAllocatorIsCalledWithSortedInputs() {
        let spy = PartitionAllocator(name: "first-takes-all") { members, partitions in
            XCTAssertEqual(members, ["a:1", "b:2"])
            XCTAssertEqual(partitions, ["t:0", "t:10", "t:9"])
            var all: [String: [Int32]] = [:]
            for key in partitions.compactMap(TopicPartition.init) { all[key.topic, default: []].append(key.partition) }
            return [members[0]: all]
        }
        let allocation = spy.allocate(members: ["b:2", "a:1", "a:1"], partitions: ["t:9", "t:10", "t:0"])
        XCTAssertEqual(allocation, ["a:1": ["t": [0, 10, 9]]])
    }
}
