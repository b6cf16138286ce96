import XCTest
@testable import Kiel

final class PartitionerTests: XCTestCase {
    func choose(_ p: Partitioner, _ key: [UInt8]?, _ partitions: [Int32], topic: String = "t") -> Int32 {
        p.partition(topic: topic, key: key, partitions: partitions)
    }

    func testDefaultPlacesKeyedRecordsLikeTheJavaClient() {
        for p in [Partitioner.default, .murmur2Random, .sticky(seed: 7)] {
            XCTAssertEqual(choose(p, Array("foobar".utf8), [0, 1, 2, 3]), 2)
            XCTAssertEqual(choose(p, Array("abc".utf8), [0, 1, 2, 3, 4, 5, 6]), 4)
            // The same key always lands on the same partition, sealed batches or not.
            for _ in 0..<50 {
                XCTAssertEqual(choose(p, Array("21".utf8), [0, 1, 2, 3]), 0)
                p.batchSealed(topic: "t", partition: 0)
            }
        }
    }

    func testDefaultSticksToOnePartitionUntilItsBatchIsSealed() {
        let p = Partitioner.sticky(seed: 1)
        let first = choose(p, nil, [0, 1, 2, 3])
        for _ in 0..<500 { XCTAssertEqual(choose(p, nil, [0, 1, 2, 3]), first) }
        // Another partition's batch does not move it; its own does, to another partition.
        p.batchSealed(topic: "t", partition: (first + 1) % 4)
        XCTAssertEqual(choose(p, nil, [0, 1, 2, 3]), first)
        p.batchSealed(topic: "t", partition: first)
        let second = choose(p, nil, [0, 1, 2, 3])
        XCTAssertNotEqual(second, first)
        XCTAssertEqual(choose(p, nil, [0, 1, 2, 3]), second)
    }

    func testStickinessIsPerTopic() {
        let p = Partitioner.sticky(seed: 3)
        let a = choose(p, nil, [0, 1, 2], topic: "a")
        let b = choose(p, nil, [0, 1, 2], topic: "b")
        p.batchSealed(topic: "b", partition: b)
        XCTAssertEqual(choose(p, nil, [0, 1, 2], topic: "a"), a)
        XCTAssertNotEqual(choose(p, nil, [0, 1, 2], topic: "b"), b)
    }

    func testStickyLeavesAPartitionTheTopicNoLongerHas() {
        let p = Partitioner.sticky(seed: 5)
        let first = choose(p, nil, [0, 1, 2, 3])
        let others = [Int32]([0, 1, 2, 3]).filter { $0 != first }
        XCTAssertTrue(others.contains(choose(p, nil, others)))
    }

    func testASinglePartitionIsChosenEvenWhenSealed() {
        let p = Partitioner.default
        XCTAssertEqual(choose(p, nil, [4]), 4)
        p.batchSealed(topic: "t", partition: 4)
        XCTAssertEqual(choose(p, nil, [4]), 4)
    }

    func testSealedBatchesSpreadOverEveryPartition() {
        let p = Partitioner.sticky(seed: 11)
        var visits: [Int32: Int] = [:]
        for _ in 0..<3000 {
            let chosen = choose(p, nil, [0, 1, 2, 3, 4, 5])
            visits[chosen, default: 0] += 1
            p.batchSealed(topic: "t", partition: chosen)
        }
        XCTAssertEqual(Set(visits.keys), [0, 1, 2, 3, 4, 5])
        // 500 expected each: a generator that favoured some partitions would stray far.
        for (partition, n) in visits { XCTAssertTrue((400...600).contains(n), "partition \(partition): \(n)") }
    }

    func testMurmur2RandomSpreadsUnkeyedRecordsPerRecord() {
        let p = Partitioner.murmur2Random
        var seen = Set<Int32>()
        for _ in 0..<500 { seen.insert(choose(p, nil, [0, 1, 2, 3])) }
        XCTAssertEqual(seen, [0, 1, 2, 3])
    }

    func testRandomIgnoresTheKey() {
        let p = Partitioner.random
        var seen = Set<Int32>()
        for _ in 0..<500 { seen.insert(choose(p, [1, 2, 3], [5, 6])) }
        XCTAssertEqual(seen, [5, 6])
    }

    func testRoundRobinCyclesInOrder() {
        let p = Partitioner.roundRobin
        let chosen = (0..<7).map { _ in choose(p, nil, [0, 1, 2]) }
        XCTAssertEqual(chosen, [0, 1, 2, 0, 1, 2, 0])
    }

    func testCustomClosureSeesKeyAndPartitions() {
        // kiel's maker example: the key is a counter, placed by modulo.
        let p = Partitioner { key, partitions in partitions[Int(key![0]) % partitions.count] }
        XCTAssertEqual(choose(p, [5], [10, 11, 12]), 12)
        XCTAssertFalse(p.watchesBatches)
    }

    func testFastRandomRepeatsForOneSeedAndStaysInRange() {
        var a = FastRandom(seed: 42), b = FastRandom(seed: 42), c = FastRandom(seed: 43)
        let fromA = (0..<20).map { _ in a.next() }
        XCTAssertEqual(fromA, (0..<20).map { _ in b.next() })
        XCTAssertNotEqual(fromA, (0..<20).map { _ in c.next() })
        for n in [1, 2, 3, 7, 1000] { for _ in 0..<200 { XCTAssertTrue((0..<n).contains(a.index(below: n))) } }
    }
}

/// The sticky partitioner placing records into a real accumulator, as the producer does.
final class StickyPlacementTests: XCTestCase {
    func record(key: [UInt8]? = nil) -> PendingRecord<Int> {
        PendingRecord(key: key, value: Array(repeating: 0x78, count: 100), headers: [], timestamp: 0, token: 0)
    }

    func place(_ p: Partitioner, _ r: PendingRecord<Int>, into acc: inout RecordAccumulator<Int>, now: UInt64 = 0) {
        let chosen = p.place(key: r.key, size: r.size, topic: "t", partitions: [0, 1, 2], accumulator: acc)
        XCTAssertNoThrow(try acc.append(r, to: TopicPartition("t", chosen), now: now).get())
    }

    func testUnkeyedRecordsFillOneBatchBeforeMovingOn() {
        var acc = RecordAccumulator<Int>(limits: AccumulatorLimits(linger: .seconds(1), batchRecords: 50))
        let p = Partitioner.sticky(seed: 9)
        for _ in 0..<500 { place(p, record(), into: &acc) }
        // Ten full batches and no partial one: the partition changed only when a batch was full.
        let batches = acc.queues.values.flatMap { $0 }
        XCTAssertEqual(batches.map(\.count), Array(repeating: 50, count: 10))
        // Consecutive batches (by creation) are on different partitions.
        let byID = batches.sorted { $0.id < $1.id }.map(\.partition.partition)
        for (a, b) in zip(byID, byID.dropFirst()) { XCTAssertNotEqual(a, b) }
        XCTAssertEqual(Set(byID), [0, 1, 2])
    }

    func testASentBatchMovesUnkeyedRecordsOn() {
        var acc = RecordAccumulator<Int>(limits: AccumulatorLimits(linger: .milliseconds(5)))
        let p = Partitioner.sticky(seed: 4)
        for _ in 0..<10 { place(p, record(), into: &acc) }
        let sent = acc.drain(now: 10_000_000, idempotent: true)
        XCTAssertEqual(sent.map(\.count), [10])
        for _ in 0..<10 { place(p, record(), into: &acc, now: 10_000_000) }
        let next = acc.queues.values.flatMap { $0 }
        XCTAssertEqual(next.map(\.count), [10])
        XCTAssertNotEqual(next.first?.partition, sent.first?.partition)
    }

    func testKeyedRecordsIgnoreStickiness() {
        var acc = RecordAccumulator<Int>(limits: AccumulatorLimits(linger: .seconds(1), batchRecords: 3))
        let p = Partitioner.default
        // Where murmur2 puts the key, every time, however many batches it fills.
        let home = Murmur2.partition(forKey: Array("foobar".utf8), count: 3)
        for _ in 0..<10 { place(p, record(key: Array("foobar".utf8)), into: &acc) }
        XCTAssertEqual(Set(acc.queues.keys), [TopicPartition("t", Int32(home))])
        XCTAssertEqual(acc.queues[TopicPartition("t", Int32(home))]?.map(\.count), [3, 3, 3, 1])
    }
}
