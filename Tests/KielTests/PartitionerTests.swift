import XCTest
@testable import Kiel

final class PartitionerTests: XCTestCase {
    func testDefaultPlacesKeyedRecordsLikeTheJavaClient() {
        let p = Partitioner.default
        XCTAssertEqual(p.choose(Array("foobar".utf8), [0, 1, 2, 3]), 2)
        XCTAssertEqual(p.choose(Array("abc".utf8), [0, 1, 2, 3, 4, 5, 6]), 4)
        // The same key always lands on the same partition.
        for _ in 0..<50 { XCTAssertEqual(p.choose(Array("21".utf8), [0, 1, 2, 3]), 0) }
    }

    func testDefaultSpreadsUnkeyedRecordsAtRandom() {
        let p = Partitioner.default
        var seen = Set<Int32>()
        for _ in 0..<500 { seen.insert(p.choose(nil, [0, 1, 2, 3])) }
        XCTAssertEqual(seen, [0, 1, 2, 3])
    }

    func testRandomIgnoresTheKey() {
        let p = Partitioner.random
        var seen = Set<Int32>()
        for _ in 0..<500 { seen.insert(p.choose([1, 2, 3], [5, 6])) }
        XCTAssertEqual(seen, [5, 6])
    }

    func testRoundRobinCyclesInOrder() {
        let p = Partitioner.roundRobin
        let chosen = (0..<7).map { _ in p.choose(nil, [0, 1, 2]) }
        XCTAssertEqual(chosen, [0, 1, 2, 0, 1, 2, 0])
    }

    func testCustomClosureSeesKeyAndPartitions() {
        // kiel's maker example: the key is a counter, placed by modulo.
        let p = Partitioner { key, partitions in partitions[Int(key![0]) % partitions.count] }
        XCTAssertEqual(p.choose([5], [10, 11, 12]), 12)
    }
}
