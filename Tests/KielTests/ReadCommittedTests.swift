import XCTest
import KafkaProtocol
@testable import Kiel

/// read_committed on a scripted broker's answer (Tansu does not filter): the records of an
/// aborted transaction are left out, the markers are never delivered, and the position moves
/// past all of them. The same answer read uncommitted keeps the aborted records.
final class ReadCommittedTests: XCTestCase {
    /// offsets 0–1 plain; 2–3 producer 7 (committed at 6); 4–5 producer 8 (aborted at 7);
    /// 8–9 producer 8 again (committed at 10).
    private func writeTransactions(_ broker: ScriptedBroker) throws {
        func batch(_ values: [String], producer: Int64 = -1, transactional: Bool = false) throws -> [UInt8] {
            var b = RecordBatchBuilder(producerId: producer, producerEpoch: producer < 0 ? -1 : 0, isTransactional: transactional)
            for v in values { b.append(timestamp: 1_700_000_000_000, key: nil, value: Array(v.utf8)) }
            return try b.build()
        }
        func marker(producer: Int64, commit: Bool) throws -> [UInt8] {
            var b = RecordBatchBuilder(producerId: producer, producerEpoch: 0, isTransactional: true)
            b.isControl = true
            b.append(timestamp: 1_700_000_000_000, key: [0, 0, 0, commit ? 1 : 0], value: [0, 0, 0, 0, 0, 0])
            return try b.build()
        }
        let batches: [([UInt8], Int)] = [
            (try batch(["plain-0", "plain-1"]), 2),
            (try batch(["a-2", "a-3"], producer: 7, transactional: true), 2),
            (try batch(["b-4", "b-5"], producer: 8, transactional: true), 2),
            (try marker(producer: 7, commit: true), 1),
            (try marker(producer: 8, commit: false), 1),
            (try batch(["b-8", "b-9"], producer: 8, transactional: true), 2),
            (try marker(producer: 8, commit: true), 1),
        ]
        for (bytes, count) in batches { broker.append(topic: "t", partition: 0, batch: bytes, count: count) }
        broker.script(.fetch, [.abortedTransactions([.init(producerId: 8, firstOffset: 4)])])
    }

    private func read(_ isolation: IsolationLevel) throws -> (values: [String], position: Int64?) {
        let broker = try ScriptedBroker(topics: ["t": 1])
        defer { broker.stop() }
        try writeTransactions(broker)
        let loop = try IOLoop()
        var options = SingleConsumer<String>.Options()
        options.maxWaitTime = .milliseconds(20)
        options.isolationLevel = isolation
        let consumer = try SingleConsumer(loop: loop, brokers: [broker.bootstrap], deserializer: .string, options: options)
        defer { consumer.close() }
        let values: [String] = try BrokerTest.run(loop) { done in
            consumer.consume("t", start: .beginning) { batch in done(batch.map { $0.map(\.value) }.mapError { $0 }) }
        }
        return (values, consumer.fetching.position(TopicPartition("t", 0)))
    }

    func testAbortedTransactionsAndMarkersAreLeftOut() throws {
        let committed = try read(.readCommitted)
        XCTAssertEqual(committed.values, ["plain-0", "plain-1", "a-2", "a-3", "b-8", "b-9"])
        XCTAssertEqual(committed.position, 11, "past the markers and the aborted records")
        let everything = try read(.readUncommitted)
        XCTAssertEqual(everything.values, ["plain-0", "plain-1", "a-2", "a-3", "b-4", "b-5", "b-8", "b-9"])
        XCTAssertEqual(everything.position, 11)
    }

    /// The rule alone: an abort marker ends the aborted run of its producer only; a producer
    /// whose transaction began before the answer's first batch is caught too.
    func testTheRuleOnBatches() {
        func batch(_ base: Int64, producer: Int64, control: Bool = false, abort: Bool = false) -> RecordBatch {
            let key: [UInt8] = [0, 0, 0, abort ? 0 : 1]
            return RecordBatch(baseOffset: base, isTransactional: true, isControl: control, lastOffsetDelta: 0,
                               baseTimestamp: 0, maxTimestamp: 0, producerId: producer,
                               records: [Record(offset: base, timestamp: 0, key: control ? key : nil, value: [1])])
        }
        let batches = [batch(10, producer: 1), batch(11, producer: 2), batch(12, producer: 1, control: true, abort: true),
                       batch(13, producer: 1), batch(14, producer: 2), batch(15, producer: 2, control: true)]
        let kept = ReadCommitted.committed(batches, aborted: [.init(producerId: 1, firstOffset: 3)])
        XCTAssertEqual(kept.map(\.baseOffset), [11, 13, 14])
    }
}
