import Foundation
import XCTest
@testable import Kiel

final class ClusterMetadataTests: XCTestCase {
    func testBootstrapAddressForms() throws {
        XCTAssertEqual(try BrokerAddress(parsing: "kafka1"), BrokerAddress(host: "kafka1", port: 9092))
        XCTAssertEqual(try BrokerAddress(parsing: " kafka1:19092 "), BrokerAddress(host: "kafka1", port: 19092))
        XCTAssertEqual(try BrokerAddress(parsing: "[::1]:9093"), BrokerAddress(host: "::1", port: 9093))
        XCTAssertEqual(try BrokerAddress(parsing: "[::1]"), BrokerAddress(host: "::1", port: 9092))
        XCTAssertEqual(try BrokerAddress(parsing: "fe80::1"), BrokerAddress(host: "fe80::1", port: 9092))
        XCTAssertEqual(try BrokerAddress.parseList(["a:1,b", "c"]).map(\.description), ["a:1", "b:9092", "c:9092"])
        XCTAssertEqual(BrokerAddress(host: "::1", port: 5).description, "[::1]:5")
        for bad in ["", ":9092", "h:0", "h:70000", "h:x", "[::1", "[::1]x"] {
            XCTAssertThrowsError(try BrokerAddress(parsing: bad), bad)
        }
        XCTAssertThrowsError(try BrokerAddress.parseList([" , "]))
    }

    func metadata() -> ClusterMetadata {
        ClusterMetadata(
            brokers: [1: BrokerAddress(host: "a"), 2: BrokerAddress(host: "b")],
            topics: [
                "t": .init(name: "t", partitions: [.init(partition: 1, leader: 2), .init(partition: 0, leader: 1),
                                                     .init(partition: 2, leader: -1), .init(partition: 3, leader: 9)]),
                "gone": .init(name: "gone", errorCode: 3, partitions: []),
            ])
    }

    func testLeadersAndPartitions() {
        let m = metadata()
        XCTAssertEqual(m.partitions(of: "t"), [0, 1, 2, 3])
        XCTAssertEqual(m.leader(for: TopicPartition("t", 0)), 1)
        XCTAssertEqual(m.leader(for: TopicPartition("t", 1)), 2)
        XCTAssertNil(m.leader(for: TopicPartition("t", 2)), "no leader elected")
        XCTAssertNil(m.leader(for: TopicPartition("t", 3)), "leader not among the brokers")
        XCTAssertNil(m.leader(for: TopicPartition("t", 7)))
        XCTAssertNil(m.partitions(of: "gone"))
        XCTAssertNil(m.partitions(of: "nope"))
    }

    func testMergeKeepsTopicsNotAskedAbout() {
        var m = metadata()
        let moved = ClusterMetadata(brokers: [2: BrokerAddress(host: "b")],
                                    topics: ["t": .init(name: "t", partitions: [.init(partition: 0, leader: 2)])])
        var partial = m
        partial.merge(moved, replacingAllTopics: false)
        XCTAssertEqual(partial.leader(for: TopicPartition("t", 0)), 2, "leader moved")
        XCTAssertNotNil(partial.topics["gone"])
        m.merge(moved, replacingAllTopics: true)
        XCTAssertNil(m.topics["gone"])
        XCTAssertNil(m.brokers[1], "broker left")
    }

    func testStartPositionsAsListOffsetsTimestamps() {
        let now = Date(timeIntervalSince1970: 1_700_000_000.5)
        XCTAssertEqual(StartPosition.beginning.listOffsetsTimestamp(now: now), -2)
        XCTAssertEqual(StartPosition.end.listOffsetsTimestamp(now: now), -1)
        XCTAssertEqual(StartPosition.date(Date(timeIntervalSince1970: 1_600_000_000.25)).listOffsetsTimestamp(now: now),
                       1_600_000_000_250)
        XCTAssertEqual(StartPosition.ago(.seconds(90)).listOffsetsTimestamp(now: now), 1_700_000_000_500 - 90_000)
        XCTAssertEqual(StartPosition.ago(.milliseconds(1500)).listOffsetsTimestamp(now: now), 1_700_000_000_500 - 1500)
        XCTAssertNil(StartPosition.offset(5).listOffsetsTimestamp(now: now))
        // "Forever ago" is the epoch, not an overflow trap or a negative special value.
        XCTAssertEqual(StartPosition.ago(.seconds(Int64.max)).listOffsetsTimestamp(now: now), 0)
    }

    func testForeverDurationsSaturate() {
        XCTAssertEqual(Duration.seconds(Int64.max).milliseconds, .max)
        XCTAssertEqual(Duration.seconds(Int64.min).milliseconds, .min)
        XCTAssertEqual(Duration.milliseconds(1500).milliseconds, 1500)
        XCTAssertEqual(Duration.seconds(Int64.max).unsignedNanoseconds, .max)
        XCTAssertEqual(Duration.seconds(-1).unsignedNanoseconds, 0)
        XCTAssertEqual(Duration.milliseconds(3).unsignedNanoseconds, 3_000_000)
        XCTAssertEqual(UInt64.max.saturatingAdd(1), .max)
        XCTAssertEqual(Duration.seconds(Int64.max).cappedAdding(.seconds(30)), .seconds(Int64.max))
        XCTAssertEqual(Duration.seconds(1).cappedAdding(.seconds(30)), .seconds(31))
    }

    func testMaxBytesSplitHasAFloor() {
        XCTAssertEqual(partitionMaxBytes(total: 1 << 20, partitions: 4, floor: 64 << 10), 256 << 10)
        XCTAssertEqual(partitionMaxBytes(total: 1 << 20, partitions: 64, floor: 64 << 10), 64 << 10)
        XCTAssertEqual(partitionMaxBytes(total: 1000, partitions: 0, floor: 10), 1000)
    }
}
