import XCTest
import KielIO
@testable import Kiel

/// The group member's handover logic against in-process ZooKeeper and Kafka stand-ins:
/// several members on one loop, with joins, clean leaves, crashes, suspensions and expiries.
/// After every loop turn the tests check that no partition is consumed by two members.
final class GroupMemberTests: XCTestCase {
    private final class Harness {
        let loop: IOLoop
        let zk: FakeZooKeeperGroup
        let kafka = FakeKafka()
        var members: [String: GroupMember<[Int64]>] = [:]
        var sources: [String: FakeSource] = [:]
        /// Every record delivered, per partition, with who got it.
        var delivered: [TopicPartition: [(offset: Int64, member: String)]] = [:]
        var changes: [String: [AllocationChange]] = [:]
        /// Who holds each partition according to the rebalance callbacks.
        var holders: [TopicPartition: String] = [:]
        var violations: [String] = []

        init(clock: TestClock? = nil) throws {
            loop = try IOLoop(clock: clock.map { .manual($0) } ?? .monotonic)
            zk = FakeZooKeeperGroup(loop: loop)
        }

        @discardableResult
        func add(_ name: String, settings: GroupMember<[Int64]>.Settings = .init(), topics: [String] = ["t"]) -> GroupMember<[Int64]> {
            let source = FakeSource(loop: loop, kafka: kafka)
            let member = GroupMember<[Int64]>(loop: loop, name: name, allocator: .roundRobin,
                                              coordination: zk.coordination(for: name), source: source, settings: settings)
            member.onBatch = { [unowned self] key, offsets in
                if self.holders[key] != name { self.violations.append("\(name) got \(key) while \(self.holders[key] ?? "nobody") holds it") }
                for offset in offsets { self.delivered[key, default: []].append((offset, name)) }
            }
            member.onRebalance = { [unowned self] change in
                self.changes[name, default: []].append(change)
                for key in TopicPartition.all(change.lost) where self.holders[key] == name { self.holders[key] = nil }
                for key in TopicPartition.all(change.gained) {
                    if let other = self.holders[key] { self.violations.append("\(name) gained \(key) held by \(other)") }
                    self.holders[key] = name
                }
            }
            member.onError = { [unowned self] error in self.violations.append("\(name): \(error)") }
            for topic in topics { member.consume(topic) }
            members[name] = member
            sources[name] = source
            member.start { [unowned self] result in
                if case .failure(let error) = result { self.violations.append("\(name) start: \(error)") }
            }
            return member
        }

        /// Turns the loop until `condition` holds, checking after each turn that no partition is
        /// active on two members.
        func spin(_ what: String, file: StaticString = #filePath, line: UInt = #line, until condition: () -> Bool) {
            for _ in 0 ..< 5000 {
                loop.runOnce(timeout: .milliseconds(1))
                checkExclusive()
                if condition() { return }
            }
            XCTFail("never reached: \(what)", file: file, line: line)
        }

        func turns(_ count: Int) {
            for _ in 0 ..< count {
                loop.runOnce(timeout: .milliseconds(1))
                checkExclusive()
            }
        }

        func checkExclusive() {
            var seen: [TopicPartition: String] = [:]
            for (name, member) in members {
                for key in TopicPartition.all(member.allocation) {
                    if let other = seen[key] { violations.append("\(key) active on \(name) and \(other)") }
                    seen[key] = name
                }
            }
        }

        func allConsumed() -> Bool {
            kafka.logEnd.allSatisfy { key, end in Set(delivered[key, default: []].map(\.offset)) == Set(0 ..< end) }
        }

        func duplicates() -> Int {
            delivered.values.reduce(0) { $0 + $1.count - Set($1.map(\.offset)).count }
        }

        func allocations() -> [String: Set<TopicPartition>] {
            members.mapValues { Set(TopicPartition.all($0.allocation)) }
        }

        func expected(_ names: [String]) -> [String: Set<TopicPartition>] {
            let all = kafka.logEnd.keys.map(\.shareEntry)
            return PartitionAllocator.roundRobin.allocate(members: names, partitions: all).mapValues { Set(TopicPartition.all($0)) }
        }
    }

    func testThreeMembersDivideThePartitionsAndConsumeEverythingOnce() throws {
        let h = try Harness()
        h.kafka.topic("t", partitions: 8, records: 20)
        for name in ["host:a", "host:b", "host:c"] { h.add(name) }
        h.spin("all consumed and settled") { h.allConsumed() && h.allocations() == h.expected(["host:a", "host:b", "host:c"]) }
        XCTAssertEqual(h.violations, [])
        XCTAssertEqual(h.zk.members.sorted(), ["host:a", "host:b", "host:c"])
        XCTAssertEqual(Set(h.zk.partitions), Set((0 ..< 8).map { "t:\($0)" }))
        // Joins in sequence move partitions, but each handover commits before letting go.
        XCTAssertEqual(h.duplicates(), 0)
        h.spin("committed") { h.kafka.committed.count == 8 && h.kafka.committed.values.allSatisfy { $0 == 20 } }
    }

    func testCleanCloseHandsOverWithoutLossOrDuplicates() throws {
        let h = try Harness()
        h.kafka.topic("t", partitions: 6, records: 10)
        for name in ["a:1", "b:1", "c:1"] { h.add(name) }
        h.spin("settled") { h.allConsumed() && h.allocations() == h.expected(["a:1", "b:1", "c:1"]) }
        let bHeld = h.allocations()["b:1"]!
        var closed = false
        h.members["b:1"]!.close { closed = true }
        h.spin("b closed") { closed }
        h.members["b:1"] = nil
        XCTAssertEqual(h.changes["b:1"]?.last?.lost, GroupMember<[Int64]>.grouped(Array(bHeld)))
        for key in h.kafka.logEnd.keys { h.kafka.logEnd[key] = 25 }
        for source in h.sources.values { source.poke() }
        h.spin("rest consumed by a and c") { h.allConsumed() && h.allocations() == h.expected(["a:1", "c:1"]) }
        XCTAssertEqual(h.violations, [])
        XCTAssertEqual(h.duplicates(), 0)
        XCTAssertTrue(h.sources["b:1"]!.closed)
        for key in bHeld {
            XCTAssertTrue(h.delivered[key]!.filter { $0.offset >= 10 }.allSatisfy { $0.member != "b:1" })
        }
    }

    func testCrashedMembersPartitionsMoveAndNothingIsLost() throws {
        let h = try Harness()
        h.kafka.topic("t", partitions: 7, records: 12)
        for name in ["a:1", "b:1", "c:1"] { h.add(name) }
        h.spin("settled") { h.allConsumed() && h.allocations() == h.expected(["a:1", "b:1", "c:1"]) }
        // b dies: it neither commits nor releases; ZooKeeper drops its session.
        h.sources["b:1"]!.close()
        h.zk.suspend("b:1")
        h.members["b:1"] = nil
        h.zk.endSession("b:1", tellIt: false)
        for key in h.kafka.logEnd.keys { h.kafka.logEnd[key] = 30 }
        for source in h.sources.values where !source.closed { source.poke() }
        h.spin("a and c took over") { h.allConsumed() && h.allocations() == h.expected(["a:1", "c:1"]) }
        XCTAssertEqual(h.violations.filter { !$0.contains("b:1") }, [])
        XCTAssertTrue(h.zk.claims.values.allSatisfy { $0 != "b:1" })
    }

    func testSuspendedMemberKeepsItsShareButTakesNothingNew() throws {
        let h = try Harness()
        h.kafka.topic("t", partitions: 6, records: 5)
        for name in ["a:1", "b:1", "c:1"] { h.add(name) }
        h.spin("settled") { h.allConsumed() && h.allocations() == h.expected(["a:1", "b:1", "c:1"]) }
        let aBefore = h.allocations()["a:1"]!
        h.zk.suspend("a:1")
        var closed = false
        h.members["c:1"]!.close { closed = true }
        h.spin("c closed") { closed }
        h.members["c:1"] = nil
        let target = h.expected(["a:1", "b:1"])
        // b takes what is free of its new share; what a still holds waits for a.
        h.spin("b took the free part of its share") { h.allocations()["b:1"] == target["b:1"]!.subtracting(aBefore) }
        h.turns(50)
        XCTAssertEqual(h.allocations()["a:1"], aBefore, "a keeps what it had and takes nothing while suspended")
        XCTAssertFalse(target["b:1"]!.isDisjoint(with: aBefore), "the case needs b to want one of a's")
        h.zk.reconnect("a:1")
        h.spin("a took its new share") { h.allocations() == target }
        XCTAssertEqual(h.violations, [])
    }

    func testSuspensionLongerThanTheSessionTimeoutStopsConsuming() throws {
        let clock = TestClock()
        let h = try Harness(clock: clock)
        h.kafka.topic("t", partitions: 4, records: 3)
        var settings = GroupMember<[Int64]>.Settings()
        settings.sessionTimeout = .seconds(6)
        h.add("a:1", settings: settings)
        h.spin("a holds all") { h.allocations()["a:1"]?.count == 4 }
        h.zk.suspend("a:1")
        h.turns(3)
        XCTAssertEqual(h.allocations()["a:1"]?.count, 4)
        clock.advance(by: .seconds(6))
        h.spin("a stopped") { h.allocations()["a:1"] == [] }
        XCTAssertEqual(Set(TopicPartition.all(h.changes["a:1"]!.last!.lost)).count, 4)
        // The session survived after all: a takes its claims back.
        h.zk.reconnect("a:1")
        h.spin("a holds all again") { h.allocations()["a:1"]?.count == 4 }
        XCTAssertEqual(h.violations, [])
    }

    func testExpiryDropsEverythingAndRejoinRebalances() throws {
        let h = try Harness()
        h.kafka.topic("t", partitions: 6, records: 4)
        for name in ["a:1", "b:1"] { h.add(name) }
        h.spin("settled") { h.allConsumed() && h.allocations() == h.expected(["a:1", "b:1"]) }
        h.zk.endSession("a:1", tellIt: true)
        h.spin("b holds all") { h.allocations()["b:1"]?.count == 6 && h.allocations()["a:1"] == [] }
        h.zk.join("a:1")
        h.spin("rebalanced") { h.allocations() == h.expected(["a:1", "b:1"]) }
        XCTAssertEqual(h.violations, [])
    }

    func testPartitionsAddedLaterJoinTheSharedSet() throws {
        let h = try Harness()
        h.kafka.topic("t", partitions: 2, records: 3)
        for name in ["a:1", "b:1"] { h.add(name, topics: ["t", "later"]) }
        h.spin("settled") { h.allConsumed() && h.allocations() == h.expected(["a:1", "b:1"]) }
        h.kafka.topic("t", partitions: 5, records: 3)
        h.kafka.topic("later", partitions: 3, records: 2)
        h.members["a:1"]!.refreshPartitions(nil)
        h.spin("new partitions consumed") { h.allConsumed() && h.allocations() == h.expected(["a:1", "b:1"]) }
        XCTAssertEqual(h.zk.partitions.count, 8)
        XCTAssertEqual(h.violations, [])
    }

    func testACloseFromInsideTheCallbackIsTheLastCommit() throws {
        let h = try Harness()
        h.kafka.topic("t", partitions: 1, records: 9)
        let member = h.add("a:1")
        let deliver = member.onBatch
        var batches = 0
        var closed = false
        member.onBatch = { key, offsets in
            deliver?(key, offsets)
            batches += 1
            if batches == 2 { member.close { closed = true } }
        }
        h.spin("closed") { closed }
        h.turns(20)
        // The first batch (three records) was committed on its way out; the one being handed
        // over when the consumer closed was not, and nothing was committed after the close.
        XCTAssertEqual(h.delivered[TopicPartition("t", 0)]?.map(\.offset), Array(0 ..< 6))
        XCTAssertEqual(h.kafka.committed, [TopicPartition("t", 0): 3])
        XCTAssertEqual(h.kafka.commitCount, 1)
        XCTAssertEqual(h.violations, [])
    }

    func testManualCommitOnlyWhenAsked() throws {
        let h = try Harness()
        h.kafka.topic("t", partitions: 3, records: 7)
        var settings = GroupMember<[Int64]>.Settings()
        settings.autocommit = false
        let member = h.add("a:1", settings: settings)
        h.spin("consumed") { h.allConsumed() }
        XCTAssertEqual(h.kafka.commitCount, 0)
        var result: Result<Void, KielError>?
        member.commitOffsets { result = $0 }
        h.spin("committed") { result != nil }
        XCTAssertNoThrow(try result?.get())
        XCTAssertEqual(h.kafka.committed.values.sorted(), [7, 7, 7])
        XCTAssertEqual(h.kafka.commitCount, 1)
        // Nothing new: the next commit completes without a request.
        result = nil
        member.commitOffsets { result = $0 }
        h.spin("empty commit completed") { result != nil }
        XCTAssertEqual(h.kafka.commitCount, 1)
    }

    func testOneRebalanceIsReportedAsOneChange() throws {
        let h = try Harness()
        h.kafka.topic("t", partitions: 6, records: 4)
        h.add("a:1")
        h.spin("a holds all") { h.allConsumed() && h.allocations()["a:1"]?.count == 6 }
        XCTAssertEqual(h.changes["a:1"], [AllocationChange(gained: ["t": [0, 1, 2, 3, 4, 5]])], "joining is one change")
        h.add("b:1")
        h.spin("settled") { h.allocations() == h.expected(["a:1", "b:1"]) }
        let bShare = GroupMember<[Int64]>.grouped(Array(h.expected(["a:1", "b:1"])["b:1"]!))
        XCTAssertEqual(h.changes["a:1"]?.dropFirst(), [AllocationChange(lost: bShare)], "a gives up 3 in one change")
        h.changes = [:]
        var closed = false
        h.members["b:1"]!.close { closed = true }
        h.spin("b closed") { closed }
        h.members["b:1"] = nil
        h.spin("a holds all again") { h.allocations()["a:1"]?.count == 6 }
        h.turns(20)
        XCTAssertEqual(h.changes["a:1"], [AllocationChange(gained: bShare)], "a gains 3 in one change")
        XCTAssertEqual(h.violations, [])
    }

    func testAPartitionHeldElsewhereDoesNotHoldUpTheOthers() throws {
        let h = try Harness()
        h.kafka.topic("t", partitions: 3, records: 2)
        // A claim left by someone else, as a killed member's is until its session expires.
        let held = TopicPartition("t", 2)
        XCTAssertEqual(h.zk.claim(held, by: "gone:1"), .acquired)
        h.add("a:1")
        h.spin("a consumes what is free") { h.allocations()["a:1"]?.count == 2 }
        XCTAssertEqual(h.changes["a:1"], [AllocationChange(gained: ["t": [0, 1]])])
        h.zk.release(held, by: "gone:1")
        h.spin("a takes the rest once it is freed") { h.allConsumed() && h.allocations()["a:1"]?.count == 3 }
        XCTAssertEqual(h.changes["a:1"]?.last, AllocationChange(gained: ["t": [2]]))
        XCTAssertEqual(h.violations, [])
    }

    func testRebalanceCallbacksAddUpToTheAllocation() throws {
        let h = try Harness()
        h.kafka.topic("t", partitions: 9, records: 1)
        for name in ["a:1", "b:1", "c:1", "d:1"] { h.add(name) }
        h.spin("settled") { h.allConsumed() && h.allocations() == h.expected(["a:1", "b:1", "c:1", "d:1"]) }
        for (name, changes) in h.changes {
            var held = Set<TopicPartition>()
            for change in changes {
                held.formUnion(TopicPartition.all(change.gained))
                held.subtract(TopicPartition.all(change.lost))
            }
            XCTAssertEqual(held, h.allocations()[name], name)
        }
        XCTAssertEqual(h.violations, [])
    }
}
