import KielTestSupport
import XCTest
@testable import Kiel

/// The consumers under a decode budget: a decompression bomb in one partition is reported for
/// that partition while the others' records are delivered, and costs memory bounded by the
/// budget (counted in bytes allocated, never timed).
final class DecodeBudgetConsumerTests: XCTestCase {
    var loop: IOLoop!

    override func setUpWithError() throws {
        loop = try IOLoop()
        XCTAssertTrue(Allocations.areCounted)
    }

    /// The smallest record (null key and value), `count` times: 7 bytes each.
    static func minimalRecords(_ count: Int) -> [UInt8] {
        [UInt8]((0..<count).map { _ in [0x0C, 0x00, 0x00, 0x00, 0x01, 0x01, 0x00] as [UInt8] }.joined())
    }

    /// A zstd batch that claims `count` records and decompresses to `megabytes` MiB of minimal
    /// records: one compressed MiB repeated as zstd frames.
    static func bomb(count: Int, megabytes: Int) throws -> [UInt8] {
        let frame = Zstd.compress(minimalRecords((1 << 20) / 7))
        let payload = [UInt8]((0..<megabytes).map { _ in frame }.joined())
        var builder = RecordBatchBuilder()
        builder.append(timestamp: 0, key: nil, value: nil)
        var batch = Array(try builder.build().prefix(61)) + payload
        func put32(_ value: Int, at: Int) {
            for i in 0..<4 { batch[at + i] = UInt8(truncatingIfNeeded: value >> (24 - 8 * i)) }
        }
        put32(batch.count - 12, at: 8)                    // batch length
        batch[21] = 0
        batch[22] = UInt8(CompressionCodec.zstd.rawValue) // attributes
        put32(count - 1, at: 23)                          // last offset delta
        put32(count, at: 57)                              // records count
        let crc = batch.withUnsafeBytes { CRC32C.update(0, UnsafeRawBufferPointer(rebasing: $0[21...])) }
        put32(Int(crc), at: 17)
        return batch
    }

    func consumer(_ broker: ScriptedBroker, budget: DecodeBudget?) throws -> SingleConsumer<String> {
        var o = SingleConsumer<String>.Options()
        o.maxWaitTime = .milliseconds(20)
        o.decodeBudget = budget
        return try SingleConsumer(loop: loop, brokers: [broker.bootstrap], deserializer: .string, options: o)
    }

    /// Consumes `topic` from the beginning until `count` messages and an error have arrived.
    func consumeUntilError(_ consumer: SingleConsumer<String>, count: Int) throws -> ([ConsumerMessage<String>], [KielError]) {
        try BrokerTest.run(loop, timeout: .seconds(30)) { done in
            var messages: [ConsumerMessage<String>] = []
            var errors: [KielError] = []
            consumer.onError = { errors.append($0) }
            func next() {
                consumer.consume("t", start: .beginning) { result in
                    switch result {
                    case .failure(let error): done(.failure(error))
                    case .success(let got):
                        messages += got
                        if messages.count >= count && !errors.isEmpty { done(.success((messages, errors))) } else { next() }
                    }
                }
            }
            next()
        }
    }

    func testABombInOnePartitionIsReportedWhileTheOthersAreDelivered() throws {
        let broker = try ScriptedBroker(topics: ["t": 3])
        defer { broker.stop() }
        try broker.append(topic: "t", partition: 0, values: [Array("a0".utf8), Array("a1".utf8)])
        try broker.append(topic: "t", partition: 1, values: [Array("b0".utf8)])
        broker.append(topic: "t", partition: 1, batch: try Self.bomb(count: 50_000, megabytes: 32), count: 50_000)
        try broker.append(topic: "t", partition: 2, values: [Array("c0".utf8)])
        let budget = DecodeBudget(bytes: 1 << 20, records: 100_000)
        let consumer = try consumer(broker, budget: budget)
        let ((messages, errors), peak) = try Allocations.peak { try consumeUntilError(consumer, count: 4) }
        XCTAssertEqual(Set(messages.map(\.value)), ["a0", "a1", "b0", "c0"])
        guard case .protocolViolation(let what)? = errors.first else { return XCTFail("\(errors)") }
        XCTAssertTrue(what.contains("t[1]") && what.contains("decode budget"), what)
        XCTAssertTrue(what.contains("more than 1048576 decompressed bytes"), what)
        XCTAssertEqual(consumer.positions[TopicPartition("t", 1)], 1, "stopped before the bomb")
        XCTAssertEqual(consumer.positions[TopicPartition("t", 0)], 2)
        XCTAssertEqual(consumer.positions[TopicPartition("t", 2)], 1)
        // 32 MiB of records (and 50,000 of them) would cost far more; this is the budget's
        // decompressed MiB, at most twice while its buffer grows, and the client's own buffers.
        XCTAssertLessThan(peak, 4 * budget.bytes + (2 << 20), "peak \(peak) bytes")
    }

    /// The bomb that used to cost 2.2 GB and 20 s of the loop thread (9.6 million minimal
    /// records in 7 KB of zstd), and the same bytes behind a count the default budget allows.
    func testTheDefaultBudgetRefusesTheBombs() throws {
        let broker = try ScriptedBroker(topics: ["t": 2])
        defer { broker.stop() }
        let records = 64 * ((1 << 20) / 7)
        broker.append(topic: "t", partition: 0, batch: try Self.bomb(count: records, megabytes: 64), count: records)
        try broker.append(topic: "t", partition: 1, values: [Array("fine".utf8)])
        let consumer = try consumer(broker, budget: nil)
        let ((messages, errors), peak) = try Allocations.peak { try consumeUntilError(consumer, count: 1) }
        XCTAssertEqual(messages.map(\.value), ["fine"])
        guard case .protocolViolation(let what)? = errors.first else { return XCTFail("\(errors)") }
        XCTAssertTrue(what.contains("more than 1048576 records"), what)
        XCTAssertLessThan(peak, 4 << 20, "refused by its count, before decompressing")

        // Claiming no more records than the budget allows, it is the bytes that stop it: 64 MiB,
        // not the 96 it holds.
        let budget = DecodeBudget.forFetch(maxBytes: 1 << 20)
        let sneaky = try Self.bomb(count: budget.records, megabytes: 96)
        var p = FetchResponse.Partition()
        p.records = sneaky
        consumer.positions[TopicPartition("t", 0)] = 0
        var reported: [KielError] = []
        consumer.onError = { reported.append($0) }
        let (got, sneakyPeak) = Allocations.peak { consumer.absorb(p, topic: "t") }
        XCTAssertTrue(got.isEmpty)
        guard case .protocolViolation(let refusal)? = reported.first else { return XCTFail("\(reported)") }
        XCTAssertTrue(refusal.contains("more than 67108864 decompressed bytes"), refusal)
        XCTAssertLessThanOrEqual(sneakyPeak, 2 * budget.bytes + (1 << 20))
    }

    /// The partitions of one answer share its budget; which one decodes first moves on with
    /// every answer, so a partition whose batch needs most of the budget is not starved by a
    /// busy one decoded before it.
    func testPartitionsTakeTurnsAtTheWholeBudget() throws {
        var options = SingleConsumer<String>.Options()
        options.decodeBudget = DecodeBudget(bytes: 10_000, records: 1 << 20)
        let consumer = try SingleConsumer(loop: loop, brokers: ["127.0.0.1:1"], deserializer: .string, options: options)
        let busy = TopicPartition("t", 0), waiting = TopicPartition("t", 1)
        consumer.positions[busy] = 0
        consumer.positions[waiting] = 0
        // Each batch needs 6,000 of the 10,000 bytes: two never fit one answer.
        func batch(base: Int64, _ letter: String) throws -> [UInt8] {
            var builder = RecordBatchBuilder(compression: .gzip, baseOffset: base)
            for _ in 0..<10 { builder.append(timestamp: 0, key: nil, value: Array(String(repeating: letter, count: 591).utf8)) }
            XCTAssertEqual(builder.uncompressedSize - 61, 6000)
            return try builder.build()
        }
        func answer(_ busyRecords: [UInt8]) throws -> FetchResponse {
            var p0 = FetchResponse.Partition()
            p0.partitionIndex = 0
            p0.records = busyRecords
            var p1 = FetchResponse.Partition()
            p1.partitionIndex = 1
            p1.records = try batch(base: 0, "w")
            var t = FetchResponse.Topic()
            t.topic = "t"
            t.partitions = [p0, p1]
            var r = FetchResponse()
            r.topics = [t]
            return r
        }
        var errors: [KielError] = []
        consumer.onError = { errors.append($0) }
        let first = consumer.absorb(try answer(try batch(base: 0, "b")))
        XCTAssertEqual(first.map(\.partition), Array(repeating: 0, count: 10))
        XCTAssertEqual(consumer.positions[waiting], 0, "waits, without an error")
        // The busy partition has a new batch again, but this time the other one decodes first.
        let second = consumer.absorb(try answer(try batch(base: 10, "b")))
        XCTAssertEqual(second.map(\.partition), Array(repeating: 1, count: 10))
        XCTAssertEqual(consumer.positions[waiting], 10)
        XCTAssertEqual(consumer.positions[busy], 10)
        XCTAssertTrue(errors.isEmpty, "\(errors)")
    }

    private func spin(turns: Int = 2000, until condition: () -> Bool) -> Bool {
        for _ in 0 ..< turns {
            if condition() { return true }
            loop.runOnce(timeout: .milliseconds(5))
        }
        return condition()
    }

    func testTheContinuousEngineReportsABombAndBacksOffFromIt() throws {
        let broker = try ScriptedBroker(topics: ["t": 2])
        defer { broker.stop() }
        try broker.append(topic: "t", partition: 0, values: [[1], [2]])
        broker.append(topic: "t", partition: 1, batch: try Self.bomb(count: 50_000, megabytes: 32), count: 50_000)
        let clock = TestClock()
        loop = try IOLoop(clock: .manual(clock))
        let cluster = try Cluster(loop: loop, hosts: [broker.bootstrap])
        defer { cluster.close() }
        var ready = false
        cluster.start { _ in ready = true }
        XCTAssertTrue(spin { ready })
        var settings = FetchEngine.Settings()
        settings.maxWaitTime = .milliseconds(20)
        settings.decodeBudget = DecodeBudget(bytes: 1 << 20, records: 100_000)
        let fetcher = FetchEngine(loop: loop, cluster: cluster, settings: settings)
        fetcher.startContinuous()
        var got: [TopicPartition: [Int64]] = [:]
        var errors: [KielError] = []
        fetcher.onRecords = { tp, records, _ in got[tp, default: []] += records.map(\.offset) }
        fetcher.onError = { errors.append($0) }
        fetcher.assign(TopicPartition("t", 0), from: .offset(0))
        fetcher.assign(TopicPartition("t", 1), from: .offset(0))
        XCTAssertTrue(spin { got[TopicPartition("t", 0)] == [0, 1] && !errors.isEmpty })
        guard case .protocolViolation(let what)? = errors.first else { return XCTFail("\(errors)") }
        XCTAssertTrue(what.contains("decode budget"), what)
        XCTAssertNil(got[TopicPartition("t", 1)])

        // That round brought nothing but the error: the leader is left alone for the backoff
        // instead of being asked (and the bomb decoded) again at once.
        fetcher.unassign(TopicPartition("t", 0))
        func fetches() -> Int { broker.counts().fetchesByNode.values.reduce(0, +) }
        let paused = fetches()
        _ = spin(turns: 100) { false }
        XCTAssertEqual(fetches(), paused, "not asked again while the clock stands still")
        let reported = errors.count
        clock.advance(by: .milliseconds(200))
        XCTAssertTrue(spin { fetches() > paused && errors.count > reported })
        _ = spin(turns: 100) { false }
        XCTAssertEqual(fetches(), paused + 1, "paused again after the bomb")
        fetcher.close()
    }
}
