import XCTest
@testable import Kiel

/// The fetch engine every consumer owns, fetching continuously against the scripted broker:
/// partitions start and stop at any moment, and a leader that answers only errors is not asked
/// again in a tight loop.
final class FetchEngineTests: XCTestCase {
    private func makeEngine(_ loop: IOLoop, _ cluster: Cluster, maxWait: Duration) -> FetchEngine {
        var settings = FetchEngine.Settings()
        settings.maxWaitTime = maxWait
        let engine = FetchEngine(loop: loop, cluster: cluster, settings: settings)
        engine.startContinuous()
        return engine
    }

    private func spin(_ loop: IOLoop, turns: Int = 2000, until condition: () -> Bool) -> Bool {
        for _ in 0 ..< turns {
            if condition() { return true }
            loop.runOnce(timeout: .milliseconds(5))
        }
        return condition()
    }

    private func startCluster(_ loop: IOLoop, _ broker: ScriptedBroker) throws -> Cluster {
        let cluster = try Cluster(loop: loop, hosts: [broker.bootstrap])
        var ready = false
        cluster.start { _ in ready = true }
        XCTAssertTrue(spin(loop) { ready })
        return cluster
    }

    func testDeliversInOrderAndStopsAtOnce() throws {
        let broker = try ScriptedBroker(topics: ["t": 2])
        defer { broker.stop() }
        try broker.append(topic: "t", partition: 0, values: [[0], [1], [2]])
        try broker.append(topic: "t", partition: 1, values: [[10], [11]])
        let loop = try IOLoop()
        let cluster = try startCluster(loop, broker)
        defer { cluster.close() }
        let fetcher = makeEngine(loop, cluster, maxWait: .milliseconds(50))
        var got: [TopicPartition: [Int64]] = [:]
        var values: [TopicPartition: [[UInt8]]] = [:]
        fetcher.onRecords = { tp, records, next in
            got[tp, default: []] += records.map(\.offset)
            values[tp, default: []] += records.compactMap(\.value)
            XCTAssertEqual(next, records.last.map { $0.offset + 1 })
        }
        fetcher.assign(TopicPartition("t", 0), from: .offset(1))
        fetcher.assign(TopicPartition("t", 1), from: .offset(0))
        XCTAssertTrue(spin(loop) { got[TopicPartition("t", 0)] == [1, 2] && got[TopicPartition("t", 1)] == [0, 1] })
        XCTAssertEqual(values[TopicPartition("t", 1)], [[10], [11]])

        fetcher.unassign(TopicPartition("t", 0))
        try broker.append(topic: "t", partition: 0, values: [[3]])
        try broker.append(topic: "t", partition: 1, values: [[12]])
        XCTAssertTrue(spin(loop) { got[TopicPartition("t", 1)] == [0, 1, 2] })
        XCTAssertFalse(spin(loop, turns: 40) { got[TopicPartition("t", 0)] != [1, 2] }, "a stopped partition stays stopped")

        var reset: Result<[TopicPartition: Int64], KielError>?
        fetcher.listOffsets([TopicPartition("t", 0): -2]) { reset = $0 }
        XCTAssertTrue(spin(loop) { reset != nil })
        XCTAssertEqual(try reset?.get(), [TopicPartition("t", 0): 0], "earliest")
        fetcher.close()
    }

    func testALeaderAnsweringOnlyErrorsIsAskedAgainAfterTheBackoff() throws {
        let broker = try ScriptedBroker(topics: ["t": 1])
        defer { broker.stop() }
        let clock = TestClock()
        let loop = try IOLoop(clock: .manual(clock))
        let cluster = try startCluster(loop, broker)
        defer { cluster.close() }
        broker.script(.fetch, Array(repeating: .error(3), count: 20))
        let fetcher = makeEngine(loop, cluster, maxWait: .milliseconds(50))
        fetcher.assign(TopicPartition("t", 0), from: .offset(0))
        func fetches() -> Int { broker.counts().fetchesByNode.values.reduce(0, +) }
        XCTAssertTrue(spin(loop) { fetches() == 1 })
        // The virtual clock stands still: the paused leader is not asked again.
        _ = spin(loop, turns: 100) { false }
        XCTAssertEqual(fetches(), 1)
        clock.advance(by: .milliseconds(200))
        XCTAssertTrue(spin(loop) { fetches() == 2 })
        _ = spin(loop, turns: 100) { false }
        XCTAssertEqual(fetches(), 2)
        fetcher.close()
    }

    func testARecordAtTheLastPossibleOffsetDoesNotTrap() throws {
        let broker = try ScriptedBroker(topics: ["t": 1])
        defer { broker.stop() }
        var builder = RecordBatchBuilder(baseOffset: .max)
        builder.append(timestamp: 1_700_000_000_000, key: nil, value: [7])
        let hostile = try builder.build()
        XCTAssertEqual(RecordBatchDecoder().decodeUntilError(hostile).nextOffset, .max, "saturates, no wrap to .min")
        broker.script(.fetch, [.records(hostile)])
        let loop = try IOLoop()
        let cluster = try startCluster(loop, broker)
        defer { cluster.close() }
        let fetcher = makeEngine(loop, cluster, maxWait: .milliseconds(50))
        var delivered: [(offset: Int64, next: Int64)] = []
        fetcher.onRecords = { _, records, next in delivered += records.map { ($0.offset, next) } }
        fetcher.assign(TopicPartition("t", 0), from: .offset(.max - 1))
        XCTAssertTrue(spin(loop) { !delivered.isEmpty })
        XCTAssertEqual(delivered.map(\.offset), [.max])
        XCTAssertEqual(delivered.map(\.next), [.max], "the position saturates at the last offset")
        fetcher.close()
    }

    func testAForeverLongPollDoesNotOverflowTheRequestTimeout() throws {
        let broker = try ScriptedBroker(topics: ["t": 1])
        defer { broker.stop() }
        try broker.append(topic: "t", partition: 0, values: [[0]])
        let loop = try IOLoop()
        let cluster = try startCluster(loop, broker)
        defer { cluster.close() }
        // maxWait plus the connection's request timeout is the Fetch's deadline: the sum of a
        // "forever" wait and anything must saturate, not trap.
        let fetcher = makeEngine(loop, cluster, maxWait: .seconds(Int64.max))
        var got: [Int64] = []
        fetcher.onRecords = { _, records, _ in got += records.map(\.offset) }
        fetcher.assign(TopicPartition("t", 0), from: .offset(0))
        XCTAssertTrue(spin(loop) { got == [0] })
        fetcher.close()
    }

    func testPauseResumeAndSeek() throws {
        let broker = try ScriptedBroker(topics: ["t": 2])
        defer { broker.stop() }
        try broker.append(topic: "t", partition: 0, values: [[0], [1], [2]])
        try broker.append(topic: "t", partition: 1, values: [[10]])
        let loop = try IOLoop()
        let cluster = try startCluster(loop, broker)
        defer { cluster.close() }
        let fetcher = makeEngine(loop, cluster, maxWait: .milliseconds(20))
        let p0 = TopicPartition("t", 0), p1 = TopicPartition("t", 1)
        var got: [TopicPartition: [Int64]] = [:]
        fetcher.onRecords = { tp, records, _ in got[tp, default: []] += records.map(\.offset) }
        fetcher.assign(p0, from: .beginning)
        fetcher.assign(p1, from: .offset(0))
        fetcher.pause(p1)
        XCTAssertTrue(spin(loop) { got[p0] == [0, 1, 2] })
        XCTAssertFalse(spin(loop, turns: 40) { got[p1] != nil }, "a paused partition is not fetched")
        fetcher.resume(p1)
        XCTAssertTrue(spin(loop) { got[p1] == [0] })
        fetcher.seek(p0, to: .offset(1))
        XCTAssertTrue(spin(loop) { got[p0] == [0, 1, 2, 1, 2] }, "read again from the offset sought")
        XCTAssertEqual(fetcher.position(p0), 3)
        XCTAssertEqual(fetcher.highWatermark(p0), 3)
        fetcher.seek(p0, to: .end)
        XCTAssertTrue(spin(loop) { fetcher.position(p0) == 3 })
        fetcher.close()
    }

    /// A callback that pauses or seeks another partition of the same answer: that partition's
    /// records in the answer are not delivered (the paused one's come after resume, once).
    func testPauseAndSeekFromACallbackReachTheRestOfTheSameAnswer() throws {
        let broker = try ScriptedBroker(topics: ["t": 3])
        defer { broker.stop() }
        for p in Int32(0) ..< 3 { try broker.append(topic: "t", partition: p, values: [[UInt8(p)], [UInt8(p)]]) }
        let loop = try IOLoop()
        let cluster = try startCluster(loop, broker)
        defer { cluster.close() }
        let fetcher = makeEngine(loop, cluster, maxWait: .milliseconds(20))
        let tps = (Int32(0) ..< 3).map { TopicPartition("t", $0) }
        var got: [TopicPartition: [Int64]] = [:]
        var first = true
        fetcher.onRecords = { tp, records, _ in
            got[tp, default: []] += records.map(\.offset)
            if first {
                // Whichever comes first stops the other two: one paused, one sought back.
                first = false
                let others = tps.filter { $0 != tp }
                fetcher.pause(others[0])
                fetcher.seek(others[1], to: .offset(1))
            }
        }
        for tp in tps { fetcher.assign(tp, from: .offset(0)) }
        XCTAssertTrue(spin(loop) { got.values.reduce(0) { $0 + $1.count } >= 3 })
        XCTAssertFalse(spin(loop, turns: 40) { got.count == 3 && got.values.allSatisfy { $0.count == 2 } })
        let paused = tps.first { fetcher.assignments[$0]?.paused == true }!
        XCTAssertNil(got[paused], "nothing of the paused partition after pause returned")
        fetcher.resume(paused)
        XCTAssertTrue(spin(loop) { got[paused] == [0, 1] }, "\(got)")
        let sought = tps.first { $0 != paused && got[$0] != [0, 1] }!
        XCTAssertEqual(got[sought], [1], "read again from the offset sought, not from the old answer")
    }

    /// A slow callback gets an answer's records in chunks of `maxMessagesPerCallback`, one per
    /// loop turn, the partitions taking turns; the loop's timers (a member's heartbeats) run
    /// between every two chunks; a pause between chunks keeps the rest for after resume.
    func testSlowCallbacksGetChunksWithTimersRunningBetween() throws {
        let broker = try ScriptedBroker(topics: ["t": 2])
        defer { broker.stop() }
        for p in Int32(0) ..< 2 { try broker.append(topic: "t", partition: p, values: (0 ..< 50).map { [UInt8($0)] }) }
        let loop = try IOLoop()
        let cluster = try startCluster(loop, broker)
        defer { cluster.close() }
        var settings = FetchEngine.Settings()
        settings.maxWaitTime = .milliseconds(20)
        settings.maxMessagesPerCallback = 10
        let fetcher = FetchEngine(loop: loop, cluster: cluster, settings: settings)
        fetcher.startContinuous()
        let p0 = TopicPartition("t", 0), p1 = TopicPartition("t", 1)
        var ticks = 0
        let timer = PeriodicCallback(loop: loop, interval: .milliseconds(1)) { ticks += 1 }
        timer.start()
        var got: [TopicPartition: [Int64]] = [:]
        var calls: [(tp: TopicPartition, count: Int, ticks: Int)] = []
        fetcher.onRecords = { tp, records, next in
            calls.append((tp, records.count, ticks))
            got[tp, default: []] += records.map(\.offset)
            XCTAssertEqual(next, records.last.map { $0.offset + 1 })
            XCTAssertEqual(fetcher.position(tp), next, "the position is the next offset to deliver")
            if tp == p0 && got[p0]?.count == 20 { fetcher.pause(p0) }
            usleep(2000)   // slow: longer than the timer's interval
        }
        fetcher.assign(p0, from: .offset(0))
        fetcher.assign(p1, from: .offset(0))
        XCTAssertTrue(spin(loop) { got[p1]?.count == 50 })
        XCTAssertFalse(spin(loop, turns: 20) { (got[p0]?.count ?? 0) > 20 }, "nothing after the pause")
        XCTAssertEqual(got[p0], Array(0 ..< 20))
        fetcher.resume(p0)
        XCTAssertTrue(spin(loop) { got[p0]?.count == 50 })
        timer.stop()
        XCTAssertEqual(got[p0], Array(0 ..< 50), "the rest once, in order, after resume")
        XCTAssertEqual(got[p1], Array(0 ..< 50))
        XCTAssertTrue(calls.allSatisfy { $0.count <= 10 }, "\(calls.map(\.count))")
        // A turn runs the timers due when it began: a timer that fell due during one chunk
        // runs right after the next.
        for (a, b) in zip(calls, calls.dropFirst(2)) {
            XCTAssertGreaterThan(b.ticks, a.ticks, "the timer ran within two chunks")
        }
        let firstAnswer = calls.prefix(4).map(\.tp)
        XCTAssertEqual(Set(firstAnswer).count, 2, "the partitions of one answer take turns: \(firstAnswer)")
        fetcher.close()
    }

    /// The leader of a partition moves while an answer of its old leader is still being
    /// delivered in chunks: the new leader is not asked for the partition until that answer is
    /// delivered, so nothing of it is skipped and the records stay in order.
    func testALeaderMovingWhileChunksAreDeliveredSkipsNothing() throws {
        let broker = try ScriptedBroker(nodes: 2, topics: ["t": 1])
        defer { broker.stop() }
        try broker.append(topic: "t", partition: 0, values: (0 ..< 40).map { [UInt8($0)] })
        let loop = try IOLoop()
        let cluster = try startCluster(loop, broker)
        defer { cluster.close() }
        var settings = FetchEngine.Settings()
        settings.maxWaitTime = .milliseconds(20)
        settings.maxMessagesPerCallback = 1
        let fetcher = FetchEngine(loop: loop, cluster: cluster, settings: settings)
        fetcher.startContinuous()
        let tp = TopicPartition("t", 0)
        var got: [Int64] = []
        var moved = false
        fetcher.onRecords = { _, records, _ in
            got += records.map(\.offset)
            if !moved {
                // The election happens after the first answer, and more records arrive.
                moved = true
                broker.moveLeaders(to: 2)
                do { try broker.append(topic: "t", partition: 0, values: (40 ..< 50).map { [UInt8($0)] }) } catch { XCTFail("\(error)") }
                // Once known, the engine looks for work (as any other leader's answer makes it).
                cluster.refreshMetadata { _ in fetcher.schedulePump() }
            }
            usleep(5000)   // slow enough for the new leader to answer before the old answer is out
        }
        _ = spin(loop, turns: 30) { false }   // past the metadata's minimum interval
        fetcher.assign(tp, from: .offset(0))
        XCTAssertTrue(spin(loop) { got.count >= 50 }, "got \(got.count): \(got)")
        XCTAssertEqual(got, Array(0 ..< 50), "every record once, in order")
        XCTAssertEqual(cluster.metadata.leader(for: tp), 2, "the leader did move")
        XCTAssertNotNil(broker.counts().fetchesByNode[2], "the new leader was asked")
        fetcher.close()
    }

    /// A seek from `onError` (here, for a corrupt batch) takes effect: it is not overwritten
    /// by the rest of the answer, whose records are for the run the seek ended.
    func testASeekFromOnErrorIsKeptAndTheAnswersRecordsDropped() throws {
        let broker = try ScriptedBroker(topics: ["t": 1])
        defer { broker.stop() }
        try broker.append(topic: "t", partition: 0, values: [[0], [1]])
        try broker.append(topic: "t", partition: 0, values: [[2], [3]])
        broker.corrupt(topic: "t", partition: 0, batch: 1)
        let loop = try IOLoop()
        let cluster = try startCluster(loop, broker)
        defer { cluster.close() }
        let fetcher = makeEngine(loop, cluster, maxWait: .milliseconds(20))
        let p0 = TopicPartition("t", 0)
        var got: [Int64] = []
        var errors = 0
        fetcher.onRecords = { _, records, _ in got += records.map(\.offset) }
        fetcher.onError = { _ in
            errors += 1
            if errors == 1 { fetcher.seek(p0, to: .offset(1)) }
        }
        fetcher.assign(p0, from: .offset(0))
        XCTAssertTrue(spin(loop) { errors >= 2 && got == [1] }, "\(got), \(errors) errors")
        XCTAssertEqual(got, [1], "read again from the offset sought; the first answer's records dropped")
        fetcher.close()
    }

    /// A subscription whose partitions are all paused asks nothing and reports nothing.
    func testASubscriptionWithEveryPartitionPausedWaitsQuietly() throws {
        let broker = try ScriptedBroker(topics: ["t": 2])
        defer { broker.stop() }
        try broker.append(topic: "t", partition: 0, values: [[0]])
        let loop = try IOLoop()
        var options = SingleConsumer<[UInt8]>.Options()
        options.maxWaitTime = .milliseconds(20)
        options.retryBackoff = .milliseconds(50)
        let consumer = try SingleConsumer(loop: loop, brokers: [broker.bootstrap], deserializer: .bytes, options: options)
        var errors: [KielError] = [], messages = 0
        consumer.onError = { errors.append($0) }
        consumer.onMessages = { messages += $0.count }
        consumer.subscribe("t", start: .beginning)
        XCTAssertTrue(spin(loop) { messages == 1 })
        consumer.fetching.pause(consumer.fetching.partitions)
        let fetches = broker.counts().requests[.fetch] ?? 0
        let polls = loop.pollCount
        XCTAssertFalse(spin(loop, turns: 100) { !errors.isEmpty })
        XCTAssertLessThanOrEqual((broker.counts().requests[.fetch] ?? 0) - fetches, 1, "at most the fetch already asked")
        XCTAssertLessThan(loop.pollCount - polls, 300, "no tight loop while everything is paused")
        consumer.close()
    }
}
