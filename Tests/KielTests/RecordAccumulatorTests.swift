import XCTest
@testable import Kiel

final class RecordAccumulatorTests: XCTestCase {
    let tp0 = TopicPartition("t", 0)
    let tp1 = TopicPartition("t", 1)
    let ms: UInt64 = 1_000_000

    func record(_ n: Int, size: Int = 10) -> PendingRecord<Int> {
        PendingRecord(key: nil, value: Array(repeating: 0, count: size), headers: [], timestamp: 0, token: n)
    }

    func make(linger: Int = 5, records: Int = 100, bytes: Int = 1 << 20, buffer: Int = 1 << 22,
              maxRecord: Int = 1 << 20) -> RecordAccumulator<Int> {
        RecordAccumulator(limits: AccumulatorLimits(linger: .milliseconds(linger), batchRecords: records,
                                                    batchBytes: bytes, bufferBytes: buffer, maxRecordBytes: maxRecord))
    }

    func testBatchWaitsForLingerThenDrains() {
        var acc = make(linger: 5)
        XCTAssertNoThrow(try acc.append(record(1), to: tp0, now: 0).get())
        XCTAssertNoThrow(try acc.append(record(2), to: tp0, now: 1 * ms).get())
        XCTAssertTrue(acc.drain(now: 4 * ms, idempotent: false).isEmpty)
        XCTAssertEqual(acc.nextDeadline(now: 4 * ms), 5 * ms)
        let batches = acc.drain(now: 5 * ms, idempotent: false)
        XCTAssertEqual(batches.map { $0.records.map(\.token) }, [[1, 2]])
    }

    func testAForeverLingerNeverExpiresButAFlushSendsTheBatch() {
        var acc = RecordAccumulator<Int>(limits: AccumulatorLimits(linger: .seconds(Int64.max)))
        _ = acc.append(record(1), to: tp0, now: 1000)
        XCTAssertTrue(acc.drain(now: UInt64.max - 1, idempotent: false).isEmpty, "linger has not run out")
        acc.flushing = true
        XCTAssertEqual(acc.drain(now: 2000, idempotent: false).count, 1)
    }

    func testFullBatchIsReadyBeforeLinger() {
        var acc = make(linger: 1000, records: 3)
        for n in 1...4 { _ = acc.append(record(n), to: tp0, now: 0) }
        let batches = acc.drain(now: 0, idempotent: false)
        XCTAssertEqual(batches.map { $0.records.map(\.token) }, [[1, 2, 3]])
        // The second batch waits: one in flight per partition.
        XCTAssertTrue(acc.drain(now: 2000 * ms, idempotent: false).isEmpty)
        _ = acc.complete(tp0)
        XCTAssertEqual(acc.drain(now: 2000 * ms, idempotent: false).first?.records.map(\.token), [4])
    }

    func testByteLimitSplitsBatches() {
        let size = PendingRecord<Int>.estimateSize(key: nil, value: Array(repeating: 0, count: 100), headers: [])
        var acc = make(linger: 1000, bytes: ProducerBatch<Int>.overhead + 2 * size)
        for n in 1...3 { XCTAssertNoThrow(try acc.append(record(n, size: 100), to: tp0, now: 0).get()) }
        XCTAssertEqual(acc.queues[tp0]?.map(\.count), [2, 1])
        XCTAssertEqual(acc.drain(now: 0, idempotent: false).first?.count, 2)
    }

    func testBufferFullIsAnImmediateErrorAndFreesOnCompletion() {
        let size = PendingRecord<Int>.estimateSize(key: nil, value: Array(repeating: 0, count: 1000), headers: [])
        var acc = make(buffer: 3 * size, maxRecord: 2000)
        for n in 1...3 { XCTAssertNoThrow(try acc.append(record(n, size: 1000), to: tp0, now: 0).get()) }
        guard case .failure(.bufferFull) = acc.append(record(4, size: 1000), to: tp0, now: 0) else {
            return XCTFail("expected bufferFull")
        }
        acc.flushing = true
        XCTAssertEqual(acc.drain(now: 0, idempotent: false).count, 1)
        XCTAssertEqual(acc.complete(tp0)?.count, 3)
        XCTAssertEqual(acc.bufferedBytes, 0)
        XCTAssertNoThrow(try acc.append(record(4, size: 1000), to: tp0, now: 0).get())
    }

    func testOversizedRecordIsRejected() {
        var acc = make(maxRecord: 500)
        guard case .failure(.messageTooLarge(let size, 500)) = acc.append(record(1, size: 600), to: tp0, now: 0) else {
            return XCTFail("expected messageTooLarge")
        }
        XCTAssertGreaterThan(size, 600)
        XCTAssertTrue(acc.isEmpty)
    }

    func testIdempotentSequencesAdvancePerPartitionAndSurviveRetry() {
        var acc = make(linger: 0)
        for n in 0..<3 { _ = acc.append(record(n), to: tp0, now: 0) }
        for n in 0..<2 { _ = acc.append(record(n), to: tp1, now: 0) }
        let first = acc.drain(now: 0, idempotent: true)
        XCTAssertEqual(first.map(\.baseSequence), [0, 0])
        // tp0 fails retriably; new records arrive meanwhile.
        acc.retry(tp0, notBefore: 10 * ms)
        _ = acc.append(record(3), to: tp0, now: 1 * ms)
        XCTAssertTrue(acc.drain(now: 5 * ms, idempotent: true).isEmpty, "backoff holds the retry")
        let retried = acc.drain(now: 10 * ms, idempotent: true)
        XCTAssertEqual(retried.count, 1)
        XCTAssertEqual(retried[0].records.map(\.token), [0, 1, 2], "the retry goes first, unchanged")
        XCTAssertEqual(retried[0].baseSequence, 0)
        XCTAssertEqual(retried[0].attempts, 2)
        _ = acc.complete(tp0)
        let next = acc.drain(now: 10 * ms, idempotent: true)
        XCTAssertEqual(next.first?.baseSequence, 3)
        XCTAssertEqual(next.first?.records.map(\.token), [3])
    }

    func testRecordsAppendedAfterARetryDoNotJoinTheRetriedBatch() {
        var acc = make(linger: 0)
        _ = acc.append(record(1), to: tp0, now: 0)
        _ = acc.drain(now: 0, idempotent: true)
        acc.retry(tp0, notBefore: 0)
        _ = acc.append(record(2), to: tp0, now: 0)
        XCTAssertEqual(acc.queues[tp0]?.map { $0.records.map(\.token) }, [[1], [2]])
    }

    func testSequenceWrapsAtInt32Max() {
        XCTAssertEqual(RecordAccumulator<Int>.add(Int32.max, 1), 0)
        XCTAssertEqual(RecordAccumulator<Int>.add(Int32.max - 1, 3), 1)
    }

    func testResetSequencesRenumbersUnsentBatches() {
        var acc = make(linger: 0, records: 1)
        _ = acc.append(record(1), to: tp0, now: 0)
        _ = acc.append(record(2), to: tp0, now: 0)
        XCTAssertEqual(acc.drain(now: 0, idempotent: true).first?.baseSequence, 0)
        acc.retry(tp0, notBefore: 0)
        acc.resetSequences()
        XCTAssertEqual(acc.drain(now: 0, idempotent: true).first?.baseSequence, 0)
        _ = acc.complete(tp0)
        XCTAssertEqual(acc.drain(now: 0, idempotent: true).first?.baseSequence, 1)
    }

    func testFlushMakesEverythingReadyAndFailAllReturnsEverything() {
        var acc = make(linger: 10_000)
        _ = acc.append(record(1), to: tp0, now: 0)
        _ = acc.append(record(2), to: tp1, now: 0)
        XCTAssertTrue(acc.drain(now: 0, idempotent: false).isEmpty)
        acc.flushing = true
        XCTAssertEqual(acc.drain(now: 0, idempotent: false).count, 2)
        _ = acc.append(record(3), to: tp0, now: 0)
        let failed = acc.failAll { $0.partition == 0 }
        XCTAssertEqual(Set(failed.map(\.token)), [1, 3])
        XCTAssertEqual(acc.bufferedRecords, 1)
        XCTAssertEqual(acc.failAll().map(\.token), [2])
        XCTAssertTrue(acc.isEmpty)
        XCTAssertEqual(acc.bufferedBytes, 0)
    }

    func testCanSendHoldsBatchesForUnknownLeaders() {
        var acc = make(linger: 0)
        _ = acc.append(record(1), to: tp0, now: 0)
        _ = acc.append(record(2), to: tp1, now: 0)
        let drained = acc.drain(now: 0, idempotent: false) { $0 != self.tp1 }
        XCTAssertEqual(drained.map(\.partition), [tp0])
        XCTAssertEqual(acc.queues[tp1]?.count, 1)
    }

    func testExpireQueuedDropsOnlyOldQueuedBatches() {
        var acc = make(linger: 0, records: 1)
        _ = acc.append(record(1), to: tp0, now: 0)
        _ = acc.append(record(2), to: tp0, now: 0)
        _ = acc.append(record(3), to: tp1, now: 10 * ms)
        _ = acc.drain(now: 0, idempotent: false) { $0 == self.tp0 }   // 1 in flight
        XCTAssertEqual(acc.expireQueued(createdBefore: 5 * ms).map(\.token), [2])
        XCTAssertEqual(acc.bufferedRecords, 2)
        XCTAssertEqual(acc.inFlight[tp0]?.first?.records.map(\.token), [1])
    }

    func testSeveralBatchesInFlightUpToTheLimit() {
        var acc = make(linger: 0, records: 1)
        acc.maxInFlight = 2
        for n in 1...4 { _ = acc.append(record(n), to: tp0, now: 0) }
        XCTAssertEqual(acc.drain(now: 0, idempotent: true).map(\.baseSequence), [0])
        XCTAssertEqual(acc.drain(now: 0, idempotent: true).map(\.baseSequence), [1])
        XCTAssertTrue(acc.drain(now: 0, idempotent: true).isEmpty, "two in flight is the limit")
        XCTAssertEqual(acc.complete(tp0)?.records.map(\.token), [1])
        XCTAssertEqual(acc.drain(now: 0, idempotent: true).map(\.baseSequence), [2])
    }

    func testARetryPausesThePartitionAndKeepsTheOriginalOrder() {
        var acc = make(linger: 0, records: 1)
        acc.maxInFlight = 3
        for n in 1...4 { _ = acc.append(record(n), to: tp0, now: 0) }
        let sent = (0..<3).flatMap { _ in acc.drain(now: 0, idempotent: true) }
        XCTAssertEqual(sent.map { $0.records[0].token }, [1, 2, 3])
        // The first fails retriably: nothing new goes out while 2 and 3 are still out.
        acc.retry(tp0, id: sent[0].id, notBefore: 0)
        XCTAssertTrue(acc.paused.contains(tp0))
        XCTAssertTrue(acc.drain(now: 0, idempotent: true).isEmpty)
        // 3 comes back out of order first, then 2: both go back in their original place.
        acc.retry(tp0, id: sent[2].id, notBefore: 0)
        acc.retry(tp0, id: sent[1].id, notBefore: 0)
        XCTAssertFalse(acc.paused.contains(tp0), "nothing in flight any more")
        XCTAssertEqual(acc.queues[tp0]?.map { $0.records[0].token }, [1, 2, 3, 4])
        let again = (0..<3).flatMap { _ in acc.drain(now: 0, idempotent: true) }
        XCTAssertEqual(again.map(\.baseSequence), [0, 1, 2], "same sequence numbers as the first time")
        XCTAssertEqual(again.map { $0.records[0].token }, [1, 2, 3])
    }

    func testCompleteByIdLeavesTheOthersInFlight() {
        var acc = make(linger: 0, records: 1)
        acc.maxInFlight = 2
        for n in 1...2 { _ = acc.append(record(n), to: tp0, now: 0) }
        let a = acc.drain(now: 0, idempotent: true)[0]
        let b = acc.drain(now: 0, idempotent: true)[0]
        XCTAssertEqual(acc.complete(tp0, id: b.id)?.records[0].token, 2)
        XCTAssertEqual(acc.inFlight[tp0]?.map(\.id), [a.id])
        XCTAssertNil(acc.complete(tp0, id: b.id), "settled once only")
    }
}
