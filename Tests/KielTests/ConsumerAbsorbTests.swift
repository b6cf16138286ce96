import XCTest
@testable import Kiel

/// How one partition of a fetch answer moves the consumer: records below the fetch offset are
/// skipped, control batches move the position without being delivered, and offsets a broker
/// should never send do not trap. No broker needed: the answer is built here.
final class ConsumerAbsorbTests: XCTestCase {
    var loop: IOLoop!
    var consumer: SingleConsumer<String>!
    let tp = TopicPartition("t", 0)

    override func setUpWithError() throws {
        loop = try IOLoop()
        consumer = try SingleConsumer(loop: loop, brokers: ["127.0.0.1:1"], deserializer: .string)
    }

    func batch(base: Int64, _ values: [String], control: Bool = false) throws -> [UInt8] {
        var builder = RecordBatchBuilder(baseOffset: base)
        for v in values { builder.append(timestamp: 1_700_000_000_000, key: nil, value: Array(v.utf8)) }
        var bytes = try builder.build()
        if control {
            // attributes (bytes 21-22): the control bit; then the CRC-32C over attributes onwards.
            bytes[22] |= 0x20
            let crc = bytes.withUnsafeBytes { CRC32C.update(0, UnsafeRawBufferPointer(rebasing: $0[21...])) }
            for i in 0..<4 { bytes[17 + i] = UInt8(truncatingIfNeeded: crc >> (24 - 8 * i)) }
        }
        return bytes
    }

    func answer(_ records: [UInt8]) -> FetchResponse.Partition {
        var p = FetchResponse.Partition()
        p.partitionIndex = 0
        p.highWatermark = 100
        p.records = records
        return p
    }

    func testAFetchFromInsideABatchSkipsTheRecordsBeforeTheFetchOffset() throws {
        consumer.positions[tp] = 5
        let got = consumer.absorb(answer(try batch(base: 3, ["a", "b", "c", "d", "e"])), topic: "t")
        XCTAssertEqual(got.map(\.offset), [5, 6, 7])
        XCTAssertEqual(got.map(\.value), ["c", "d", "e"])
        XCTAssertEqual(consumer.positions[tp], 8)
    }

    func testAControlBatchMovesThePositionAndIsNotDelivered() throws {
        consumer.positions[tp] = 0
        let bytes = try batch(base: 0, ["a", "b"]) + batch(base: 2, ["marker"], control: true)
        let got = consumer.absorb(answer(bytes), topic: "t")
        XCTAssertEqual(got.map(\.value), ["a", "b"])
        XCTAssertEqual(consumer.positions[tp], 3)
    }

    func testSeekingToAnOffsetAfterAnEndStartSkipsNothing() throws {
        // Started at the end on an idle topic: the "latest" and time corrections are still armed.
        consumer.engine.assign(tp, from: .end)
        consumer.engine.assignments[tp]?.position = 3
        consumer.engine.assignments[tp]?.fromLatest = true
        consumer.engine.assignments[tp]?.timestampFloor = .max
        consumer.seek("t", to: .offset(5))
        XCTAssertEqual(consumer.positions[tp], 5, "an exact offset needs no lookup")
        let got = consumer.absorb(answer(try batch(base: 3, ["a", "b", "c", "d", "e"])), topic: "t")
        XCTAssertEqual(got.map(\.offset), [5, 6, 7])
    }

    func testAnOffsetAtInt64MaxDoesNotTrap() throws {
        consumer.positions[tp] = .max - 1
        let got = consumer.absorb(answer(try batch(base: .max - 1, ["a", "b"])), topic: "t")
        XCTAssertEqual(got.map(\.offset), [.max - 1, .max])
        XCTAssertEqual(consumer.positions[tp], .max)
    }
}
