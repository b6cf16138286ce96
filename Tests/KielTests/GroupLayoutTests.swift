import XCTest
@testable import Kiel

/// Partition strings, allocation changes, znode paths and member names.
final class GroupLayoutTests: XCTestCase {
    func testShareEntryParsesAndFormats() {
        XCTAssertEqual(TopicPartition(shareEntry: "orders:12"), TopicPartition("orders", 12))
        XCTAssertEqual(TopicPartition("a.b-c_d", 0).shareEntry, "a.b-c_d:0")
        XCTAssertEqual(TopicPartition(shareEntry: "odd:name:3"), TopicPartition("odd:name", 3))
        for bad in ["", "t", "t:", ":1", "t:-1", "t:+1", "t:1a", "t: 1", "t:99999999999999999999999"] {
            XCTAssertNil(TopicPartition(shareEntry: bad), bad)
        }
        XCTAssertEqual(Set(TopicPartition.all(["t": [1, 0]]).map(\.shareEntry)), ["t:0", "t:1"])
    }

    func testKielSortIsByCodePoint() {
        XCTAssertEqual(["b", "B", "a", "é", "Z"].kielSorted(), ["B", "Z", "a", "b", "é"])
    }

    func testAllocationChange() {
        let change = AllocationChange(from: ["t": [0, 1, 2], "u": [5]], to: ["t": [2, 3], "v": [0]])
        XCTAssertEqual(change.gained, ["t": [3], "v": [0]])
        XCTAssertEqual(change.lost, ["t": [0, 1], "u": [5]])
        XCTAssertEqual(change.description, "+t:3 +v:0 -t:0,1 -u:5")
        XCTAssertTrue(AllocationChange(from: ["t": [1, 0]], to: ["t": [0, 1]]).isEmpty)
        XCTAssertEqual(AllocationChange().description, "none")
    }

    func testPerMemberChangesAfterAMemberLeaves() {
        let partitions = (0 ..< 6).map { "t:\($0)" }
        let before = PartitionAllocator.roundRobin.allocate(members: ["a:1", "b:1", "c:1"], partitions: partitions)
        let after = PartitionAllocator.roundRobin.allocate(members: ["a:1", "c:1"], partitions: partitions)
        let changes = AllocationChange.perMember(from: before, to: after)
        // What b lost, a and c gained between them, and nothing else moved into nowhere.
        let lostByB = Set(TopicPartition.all(changes["b:1"]?.lost ?? [:]))
        let gained = Set(changes.values.flatMap { TopicPartition.all($0.gained) })
        let lost = Set(changes.values.flatMap { TopicPartition.all($0.lost) })
        XCTAssertEqual(lostByB, [TopicPartition("t", 1), TopicPartition("t", 4)])
        XCTAssertTrue(lostByB.isSubset(of: gained))
        XCTAssertEqual(gained, lost, "every partition that moved has a loser and a gainer")
        XCTAssertEqual(changes["b:1"]?.gained, [:])
    }

    func testZnodeLayoutIsKiels() {
        let layout = GroupLayout(group: "workers")!
        XCTAssertEqual(layout.members, "/kiel/groups/workers/members")
        XCTAssertEqual(layout.partitions, "/kiel/groups/workers/partitions")
        XCTAssertEqual(layout.partitionsLock, "/kiel/groups/workers/partitions/lock")
        XCTAssertEqual(layout.member("h:1"), "/kiel/groups/workers/members/h:1")
        XCTAssertEqual(layout.owner(of: TopicPartition("t", 3)), "/kiel/groups/workers/owners/t:3")
        for bad in ["", ".", "..", "a/b", "a\u{0}b"] { XCTAssertNil(GroupLayout(group: bad), bad) }
    }

    func testMemberNamesAreHostnameColonUniqueID() {
        let one = GroupMemberName.generate()
        let two = GroupMemberName.generate()
        XCTAssertNotEqual(one, two)
        XCTAssertEqual(GroupMemberName.hostname(of: one), GroupMemberName.localHostname())
        XCTAssertFalse(one.contains("/"))
        XCTAssertEqual(GroupMemberName.make(hostname: "box", uniqueID: "42"), "box:42")
    }
}
