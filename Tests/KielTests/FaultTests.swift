import Foundation
import XCTest
@testable import Kiel

/// Faults a real broker won't produce on demand, injected by `ScriptedBroker`: no message is
/// lost or duplicated, and the delivery reports say what happened.
final class FaultTests: XCTestCase {
    var loop: IOLoop!

    override func setUpWithError() throws { loop = try IOLoop() }

    func producer(_ broker: ScriptedBroker, linger: Duration = .milliseconds(2),
                  partitioner: Partitioner = .default) throws -> Producer<String> {
        var o = Producer<String>.Options()
        o.linger = linger
        o.retryBackoff = .milliseconds(20)
        o.cluster.metadataMinInterval = .milliseconds(10)
        return try Producer(loop: loop, brokers: [broker.bootstrap], serializer: .string, partitioner: partitioner, options: o)
    }

    func produce(_ producer: Producer<String>, _ values: [String], topic: String = "t")
        throws -> [Result<RecordMetadata, KielError>] {
        try BrokerTest.produceAll(loop, producer, topic: topic, values.map { (value: $0, key: nil, headers: []) },
                                  timeout: .seconds(20))
    }

    func stored(_ broker: ScriptedBroker, partitions: Int32 = 1) throws -> [String] {
        try (0..<partitions).flatMap { try broker.values(topic: "t", partition: $0) }.map { String(decoding: $0, as: UTF8.self) }
    }

    func testConnectionCutMidResponseIsRetriedWithoutDuplicates() throws {
        let broker = try ScriptedBroker(topics: ["t": 1])
        defer { broker.stop() }
        broker.script(.produce, [.cutAfterApplying(bytes: 6)])
        let p = try producer(broker)
        let values = (0..<20).map { "m\($0)" }
        let reports = try produce(p, values)
        let offsets = try reports.map { try $0.get().offset }
        XCTAssertEqual(offsets, Array(0..<20), "every message reported once, at its one offset")
        XCTAssertEqual(try stored(broker), values, "stored once each, in order")
        XCTAssertGreaterThanOrEqual(broker.counts().duplicates, 1, "the retry really resent the applied batch")
        XCTAssertTrue(p.isIdempotent)
    }

    func testLeaderMoveAnsweredWithNotLeaderIsFollowed() throws {
        let broker = try ScriptedBroker(nodes: 2, topics: ["t": 2])
        defer { broker.stop() }
        broker.script(.produce, [.notLeaderMovingTo(2)])
        let p = try producer(broker)
        let values = (0..<30).map { "v\($0)" }
        let reports = try produce(p, values)
        XCTAssertEqual(try reports.filter { try $0.get().offset >= 0 }.count, 30)
        XCTAssertEqual(Set(try stored(broker, partitions: 2)), Set(values))
        XCTAssertEqual(try stored(broker, partitions: 2).count, 30, "none duplicated")
        XCTAssertGreaterThanOrEqual(broker.counts().producesByNode[2] ?? 0, 1, "the new leader got the retry")
    }

    func testRetriableErrorsThenSuccess() throws {
        let broker = try ScriptedBroker(topics: ["t": 1])
        defer { broker.stop() }
        broker.script(.produce, [.error(BrokerError.notEnoughReplicas), .error(BrokerError.requestTimedOut)])
        let p = try producer(broker)
        let values = (0..<10).map { "r\($0)" }
        let reports = try produce(p, values)
        XCTAssertEqual(try reports.map { try $0.get().offset }, Array(0..<10))
        XCTAssertEqual(try stored(broker), values)
    }

    func testTopicWithoutALeaderYetIsWaitedFor() throws {
        let broker = try ScriptedBroker(topics: ["t": 1])
        defer { broker.stop() }
        broker.script(.metadata, [.error(BrokerError.leaderNotAvailable), .error(BrokerError.leaderNotAvailable)])
        let p = try producer(broker)
        let reports = try produce(p, ["early"])
        XCTAssertEqual(try reports.map { try $0.get().offset }, [0])
        XCTAssertGreaterThanOrEqual(broker.counts().requests[.metadata] ?? 0, 3)
    }

    func testPipelinedBatchesKeepTheirOrderWhenOneIsRetried() throws {
        let broker = try ScriptedBroker(topics: ["t": 1])
        defer { broker.stop() }
        // The first request is slow, so later batches pile up behind it; the second fails
        // retriably after a pause in which a third goes out, so that one arrives out of order
        // and must be sent again.
        broker.script(.produce, [.delay(0.15), .delayedError(0.1, BrokerError.notEnoughReplicas)])
        let p = try producer(broker, linger: .milliseconds(1))
        let values = (0..<40).map { "p\($0)" }
        let reports: [Result<RecordMetadata, KielError>] = try BrokerTest.run(loop, timeout: .seconds(20)) { done in
            var reports = [Result<RecordMetadata, KielError>?](repeating: nil, count: values.count)
            func send(_ i: Int) {
                guard i < values.count else {
                    return p.flush { done(.success(reports.map { $0 ?? .failure(.closed) })) }
                }
                do { try p.produce("t", values[i]) { reports[i] = $0 } } catch { return done(.failure(error)) }
                // A few records per batch, batches a few milliseconds apart.
                if i % 4 == 3 { self.loop.callLater(.milliseconds(8)) { send(i + 1) } } else { send(i + 1) }
            }
            p.connect { _ in send(0) }
        }
        XCTAssertEqual(try reports.map { try $0.get().offset }, Array(0..<40), "reported once each, in order")
        XCTAssertEqual(try stored(broker), values, "stored once each, in order")
        XCTAssertGreaterThan(broker.counts().outOfOrder, 0, "batches really were in flight behind the failed one")
    }

    func testNonRetriableErrorIsReportedToEverySender() throws {
        let broker = try ScriptedBroker(topics: ["t": 1])
        defer { broker.stop() }
        broker.script(.produce, [.error(BrokerError.messageTooLarge)])
        let p = try producer(broker, linger: .milliseconds(50))
        let reports = try produce(p, ["a", "b", "c"])
        XCTAssertEqual(reports.count, 3)
        for report in reports {
            guard case .broker(let error)? = report.failureValue else { return XCTFail("\(report)") }
            XCTAssertEqual(error.code, .messageTooLarge)
            XCTAssertEqual(error.name, "MESSAGE_TOO_LARGE")
            XCTAssertEqual(error.topic, "t")
            XCTAssertEqual(error.partition, 0)
        }
        XCTAssertEqual(try stored(broker), [])
        // The producer carries on.
        XCTAssertEqual(try produce(p, ["d"]).map { try $0.get().offset }, [0])
    }

    func testGarbageAnswerFailsTheFetchAndTheConnectionRecovers() throws {
        let broker = try ScriptedBroker(topics: ["t": 1])
        defer { broker.stop() }
        try broker.append(topic: "t", partition: 0, values: [Array("x".utf8), Array("y".utf8)])
        broker.script(.fetch, [.garbage])
        var o = SingleConsumer<String>.Options()
        o.maxWaitTime = .milliseconds(50)
        let consumer = try SingleConsumer(loop: loop, brokers: [broker.bootstrap], deserializer: .string, options: o)
        let first: SingleConsumer<String>.Batch = try BrokerTest.run(loop) { done in
            consumer.consume("t", start: .beginning) { done(.success($0)) }
        }
        guard case .protocolViolation? = first.failureValue else { return XCTFail("\(first)") }
        let messages = try BrokerTest.consume(loop, consumer, topic: "t", start: .beginning, count: 2)
        XCTAssertEqual(messages.map(\.value), ["x", "y"])
        XCTAssertEqual(messages.map(\.offset), [0, 1])
    }

    func testCorruptBatchIsReportedAfterTheGoodOnesBeforeIt() throws {
        let broker = try ScriptedBroker(topics: ["t": 1])
        defer { broker.stop() }
        try broker.append(topic: "t", partition: 0, values: [Array("good-0".utf8), Array("good-1".utf8)])
        try broker.append(topic: "t", partition: 0, values: [Array("bad".utf8)])
        broker.corrupt(topic: "t", partition: 0, batch: 1)
        var o = SingleConsumer<String>.Options()
        o.maxWaitTime = .milliseconds(50)
        let consumer = try SingleConsumer(loop: loop, brokers: [broker.bootstrap], deserializer: .string, options: o)
        var errors: [KielError] = []
        consumer.onError = { errors.append($0) }
        let messages = try BrokerTest.consume(loop, consumer, topic: "t", start: .beginning, count: 2)
        XCTAssertEqual(messages.map(\.value), ["good-0", "good-1"])
        guard case .protocolViolation(let what)? = errors.first else { return XCTFail("\(errors)") }
        XCTAssertTrue(what.lowercased().contains("crc"), what)
        XCTAssertEqual(consumer.positions[TopicPartition("t", 0)], 2, "stopped before the bad batch")
    }

    func testOffsetOutOfRangeRecoversToTheBeginning() throws {
        let broker = try ScriptedBroker(topics: ["t": 1])
        defer { broker.stop() }
        try broker.append(topic: "t", partition: 0, values: (0..<5).map { Array("o\($0)".utf8) })
        var o = SingleConsumer<String>.Options()
        o.maxWaitTime = .milliseconds(50)
        let consumer = try SingleConsumer(loop: loop, brokers: [broker.bootstrap], deserializer: .string, options: o)
        var errors: [KielError] = []
        consumer.onError = { errors.append($0) }
        let messages = try BrokerTest.consume(loop, consumer, topic: "t", start: .offset(500), count: 5)
        XCTAssertEqual(messages.map(\.value), (0..<5).map { "o\($0)" })
        guard case .broker(let e)? = errors.first else { return XCTFail("\(errors)") }
        XCTAssertEqual(e.name, "OFFSET_OUT_OF_RANGE")
    }

    func testEveryRequestInFlightGetsExactlyOneErrorWhenTheConnectionDies() throws {
        let broker = try ScriptedBroker(topics: ["t": 1])
        defer { broker.stop() }
        broker.script(.metadata, [.delay(0.2), .closeWithoutAnswer])
        let connection = BrokerConnection(loop: loop, address: try BrokerAddress(parsing: broker.bootstrap))
        var completions = [Int](repeating: 0, count: 8)
        var results = [Result<MetadataResponse, KielError>?](repeating: nil, count: 8)
        try BrokerTest.run(loop) { (done: @escaping (Result<Void, any Error>) -> Void) in
            for i in 0..<8 {
                connection.send(MetadataRequest(topics: nil)) { result in
                    completions[i] += 1
                    results[i] = result.map(\.response)
                    if completions.allSatisfy({ $0 > 0 }) {
                        // Give any second completion a chance to show up before checking.
                        self.loop.callLater(.milliseconds(200)) { done(.success(())) }
                    }
                }
            }
        }
        XCTAssertEqual(completions, [Int](repeating: 1, count: 8))
        // The first was answered (after its delay); the second killed the connection, and every
        // request behind it failed with the connection error.
        XCTAssertNotNil(try results[0]?.get())
        for result in results.dropFirst() {
            guard case .connection? = result?.failureValue else { return XCTFail("\(String(describing: result))") }
        }
        // A new request reconnects after the backoff.
        let again: MetadataResponse = try BrokerTest.run(loop) { done in
            connection.send(MetadataRequest(topics: nil)) { done($0.map(\.response).mapError { $0 }) }
        }
        XCTAssertEqual(again.brokers.count, 1)
        connection.close()
    }

    func testCloseFailsOwedRequestsOnceOnALaterTurn() throws {
        let broker = try ScriptedBroker(topics: ["t": 1])
        defer { broker.stop() }
        broker.script(.metadata, [.delay(0.3)])
        let connection = BrokerConnection(loop: loop, address: try BrokerAddress(parsing: broker.bootstrap))
        var outcomes: [Result<MetadataResponse, KielError>] = []
        try BrokerTest.run(loop) { (done: @escaping (Result<Void, any Error>) -> Void) in
            for _ in 0..<3 {
                connection.send(MetadataRequest(topics: nil)) { outcomes.append($0.map(\.response)) }
            }
            self.loop.callLater(.milliseconds(100)) {
                connection.close()
                XCTAssertTrue(outcomes.isEmpty, "nothing completes inside close()")
                self.loop.callLater(.milliseconds(400)) { done(.success(())) }
            }
        }
        XCTAssertEqual(outcomes.count, 3)
        for outcome in outcomes {
            guard case .closed? = outcome.failureValue else { return XCTFail("\(outcome)") }
        }
        XCTAssertEqual(connection.state, .closed)
    }

    func testARequestTimeoutClosesTheConnectionAndTheNextRequestGoesOnANewOne() throws {
        let broker = try ScriptedBroker(topics: ["t": 1])
        defer { broker.stop() }
        broker.script(.metadata, [.delay(0.5)])
        let connection = BrokerConnection(loop: loop, address: try BrokerAddress(parsing: broker.bootstrap))
        let slow: Result<MetadataResponse, KielError> = try BrokerTest.run(loop) { done in
            connection.send(MetadataRequest(topics: nil), timeout: .milliseconds(100)) { done(.success($0.map(\.response))) }
        }
        guard case .timeout? = slow.failureValue else { return XCTFail("\(slow)") }
        let next: MetadataResponse = try BrokerTest.run(loop) { done in
            connection.send(MetadataRequest(topics: ["t"])) { done($0.map(\.response).mapError { $0 }) }
        }
        XCTAssertEqual(next.topics.map(\.name), ["t"])
        XCTAssertEqual(broker.handshakes().count, 2, "the late answer is not waited for on the old connection")
        connection.close()
    }

    func testARequestWaitingBehindATimedOutOneGoesOnANewConnection() throws {
        let broker = try ScriptedBroker(topics: ["t": 1])
        defer { broker.stop() }
        broker.script(.metadata, [.delay(3)])
        var options = BrokerConnection.Options()
        options.maxInFlight = 1
        let connection = BrokerConnection(loop: loop, address: try BrokerAddress(parsing: broker.bootstrap),
                                          options: options)
        var outcomes: [Result<MetadataResponse, KielError>] = []
        try BrokerTest.run(loop) { (done: @escaping (Result<Void, any Error>) -> Void) in
            connection.send(MetadataRequest(topics: nil), timeout: .milliseconds(100)) { outcomes.append($0.map(\.response)) }
            // Waits behind the hung one; it must not wait for the broker's late answer.
            connection.send(MetadataRequest(topics: ["t"]), timeout: .seconds(2)) {
                outcomes.append($0.map(\.response))
                done(.success(()))
            }
        }
        XCTAssertEqual(outcomes.count, 2)
        guard case .timeout? = outcomes[0].failureValue else { return XCTFail("\(outcomes[0])") }
        XCTAssertEqual(try outcomes[1].get().topics.map(\.name), ["t"])
        XCTAssertEqual(broker.handshakes().count, 2, "the answer came on a new connection")
        connection.close()
    }

    func testPartitionsLedByDifferentBrokersAreProducedAndFetchedPerLeader() throws {
        let broker = try ScriptedBroker(nodes: 3, topics: ["t": 6], spread: true)
        defer { broker.stop() }
        // Per-record random placement: the sticky default would put these few in one batch.
        let p = try producer(broker, partitioner: .murmur2Random)
        let values = (0..<60).map { "s\($0)" }
        let reports = try produce(p, values)
        XCTAssertEqual(Set(try reports.map { try $0.get().partition }).count, 6, "random placement reached every partition")
        XCTAssertEqual(Set(broker.counts().producesByNode.keys), [1, 2, 3], "each leader got its partitions' batches")
        var o = SingleConsumer<String>.Options()
        o.maxWaitTime = .milliseconds(20)
        let consumer = try SingleConsumer(loop: loop, brokers: [broker.bootstrap], deserializer: .string, options: o)
        let messages = try BrokerTest.consume(loop, consumer, topic: "t", start: .beginning, count: 60)
        XCTAssertEqual(Set(messages.map(\.value)), Set(values))
        XCTAssertEqual(messages.count, 60)
        XCTAssertEqual(Set(broker.counts().fetchesByNode.keys), [1, 2, 3], "one fetch per leader")
    }

    func testMetadataIsRefreshedOnAPeriod() throws {
        let broker = try ScriptedBroker(topics: ["t": 1])
        defer { broker.stop() }
        var options = Cluster.Options()
        options.metadataMaxAge = .milliseconds(50)
        options.metadataMinInterval = .milliseconds(10)
        let cluster = try Cluster(loop: loop, hosts: [broker.bootstrap], options: options)
        // The start, then one every 50 ms: the third comes within a few hundred milliseconds.
        try BrokerTest.run(loop, timeout: .seconds(10)) { (done: @escaping (Result<Void, any Error>) -> Void) in
            cluster.start { _ in }
            func check() {
                if (broker.counts().requests[.metadata] ?? 0) >= 3 { return done(.success(())) }
                self.loop.callLater(.milliseconds(10), check)
            }
            check()
        }
        XCTAssertNotNil(cluster.connection(forNode: 1))
        cluster.close()
        XCTAssertNil(cluster.connection(forNode: 1), "a closed cluster opens no new connections")
        XCTAssertNil(cluster.anyBrokerConnection())
    }

    func testHandshakeFallsBackWhenTheBrokerRefusesTheApiVersionsVersion() throws {
        let broker = try ScriptedBroker(topics: ["t": 1])
        defer { broker.stop() }
        broker.script(.apiVersions, [.error(BrokerError.unsupportedVersion)])
        let connection = BrokerConnection(loop: loop, address: try BrokerAddress(parsing: broker.bootstrap))
        let answer: MetadataResponse = try BrokerTest.run(loop) { done in
            connection.send(MetadataRequest(topics: ["t"])) { done($0.map(\.response).mapError { $0 }) }
        }
        XCTAssertEqual(answer.topics.map(\.name), ["t"])
        XCTAssertEqual(broker.handshakes(), [3, 2], "asked v3, was refused, asked v2 on the same connection")
        XCTAssertEqual(connection.state, .ready)
        connection.close()
    }

    func testABrokerThatNeverAnswersTheHandshakeIsGivenUpOnAndTheNextConnectionWorks() throws {
        let broker = try ScriptedBroker(topics: ["t": 1])
        defer { broker.stop() }
        broker.script(.apiVersions, [.delay(2)])
        var options = BrokerConnection.Options()
        options.connectTimeout = .milliseconds(200)
        options.reconnectBackoffInitial = .milliseconds(10)
        let connection = BrokerConnection(loop: loop, address: try BrokerAddress(parsing: broker.bootstrap),
                                          options: options)
        let first: Result<MetadataResponse, KielError> = try BrokerTest.run(loop) { done in
            connection.send(MetadataRequest(topics: ["t"])) { done(.success($0.map(\.response))) }
        }
        guard case .connection? = first.failureValue else { return XCTFail("\(first)") }
        let second: MetadataResponse = try BrokerTest.run(loop) { done in
            connection.send(MetadataRequest(topics: ["t"])) { done($0.map(\.response).mapError { $0 }) }
        }
        XCTAssertEqual(second.topics.map(\.name), ["t"])
        XCTAssertEqual(broker.handshakes().count, 2, "a new connection, a new handshake")
        connection.close()
    }

    func testAConsumeLoopDoesNotKeepAReleasedConsumerAlive() throws {
        let broker = try ScriptedBroker(topics: ["t": 1])
        defer { broker.stop() }
        var o = SingleConsumer<String>.Options()
        o.maxWaitTime = .milliseconds(20)
        var consumer: SingleConsumer<String>? = try SingleConsumer(loop: loop, brokers: [broker.bootstrap],
                                                                   deserializer: .string, options: o)
        weak let released = consumer
        try BrokerTest.run(loop) { (done: @escaping (Result<Void, any Error>) -> Void) in
            consumer?.subscribe("t", start: .beginning)
            self.loop.callLater(.milliseconds(200)) {
                XCTAssertGreaterThan(broker.counts().requests[.fetch] ?? 0, 0, "the loop was fetching")
                consumer = nil
                self.loop.callLater(.milliseconds(300)) { done(.success(())) }
            }
        }
        XCTAssertNil(released, "released by its owner, the consumer is gone and its loop with it")
        let fetches = broker.counts().requests[.fetch] ?? 0
        try BrokerTest.run(loop) { (done: @escaping (Result<Void, any Error>) -> Void) in
            self.loop.callLater(.milliseconds(200)) { done(.success(())) }
        }
        XCTAssertEqual(broker.counts().requests[.fetch] ?? 0, fetches, "no fetches after it was released")
    }

    func testAProducerReleasedRightAfterCloseStillDeliversEveryReport() throws {
        let broker = try ScriptedBroker(topics: ["t": 1])
        defer { broker.stop() }
        var p: Producer<String>? = try producer(broker, linger: .milliseconds(50))
        weak let released = p
        var reports: [Result<RecordMetadata, KielError>] = []
        try BrokerTest.run(loop, timeout: .seconds(20)) { (done: @escaping (Result<Void, any Error>) -> Void) in
            do {
                for i in 0..<5 { try p?.produce("t", "r\(i)") { reports.append($0) } }
            } catch {
                return done(.failure(error))
            }
            p?.close { done(.success(())) }
            p = nil
        }
        XCTAssertEqual(try reports.map { try $0.get().offset }, [0, 1, 2, 3, 4])
        XCTAssertEqual(try stored(broker), ["r0", "r1", "r2", "r3", "r4"])
        XCTAssertNil(released, "closed and flushed, it lets go of itself")
    }

    func testASequenceErrorBumpsTheEpochOfTheSameProducerID() throws {
        let broker = try ScriptedBroker(topics: ["t": 1])
        defer { broker.stop() }
        let p = try producer(broker)
        _ = try produce(p, ["first"])
        let before = try XCTUnwrap(broker.lastProducer)
        broker.script(.produce, [.error(BrokerError.unknownProducerId)])
        let reports = try produce(p, ["second", "third"])
        XCTAssertEqual(try reports.map { try $0.get().offset }, [1, 2])
        XCTAssertEqual(broker.epochBumps, 1)
        let after = try XCTUnwrap(broker.lastProducer)
        XCTAssertEqual(after.id, before.id, "the same producer id")
        XCTAssertEqual(after.epoch, before.epoch + 1, "one epoch later")
        XCTAssertTrue(p.isIdempotent)
        XCTAssertEqual(try stored(broker), ["first", "second", "third"])
    }

    func testLosingIdempotenceAfterASequenceErrorSendsWithoutTheOldProducerID() throws {
        let broker = try ScriptedBroker(topics: ["t": 1])
        defer { broker.stop() }
        let p = try producer(broker)
        _ = try produce(p, ["first"])
        XCTAssertTrue(p.isIdempotent)
        // The broker lost our sequence; asked for the next epoch and then for a new producer
        // id, it refuses both for good.
        broker.script(.produce, [.error(BrokerError.outOfOrderSequenceNumber)])
        broker.script(.initProducerId, [.error(KafkaErrorCode.clusterAuthorizationFailed.rawValue),
                                        .error(KafkaErrorCode.clusterAuthorizationFailed.rawValue)])
        let reports = try produce(p, ["second"])
        XCTAssertEqual(try reports.map { try $0.get().offset }, [1])
        XCTAssertFalse(p.isIdempotent)
        XCTAssertEqual(broker.counts().outOfOrder, 0, "the resend carried no stale producer id")
        XCTAssertEqual(try stored(broker), ["first", "second"])
    }

    func testATopicAskedForDuringARefreshIsLookedUpByName() throws {
        let broker = try ScriptedBroker(topics: ["t": 1])
        defer { broker.stop() }
        broker.script(.metadata, [.delay(0.2)])
        var options = Cluster.Options()
        options.allowAutoTopicCreation = true
        options.metadataMinInterval = .milliseconds(10)
        let cluster = try Cluster(loop: loop, hosts: [broker.bootstrap], options: options)
        let partitions: [Int32] = try BrokerTest.run(loop) { done in
            cluster.start { _ in }
            // Asked while the start's refresh (for every topic, creating none) is on the wire.
            self.loop.callLater(.milliseconds(100)) {
                cluster.partitions(of: "fresh") { done($0.mapError { $0 }) }
            }
        }
        XCTAssertEqual(partitions, [0], "auto-created by a refresh that named it")
        cluster.close()
    }

    func testAConsumeLoopBacksOffWhileEveryPartitionAnswersWithAnError() throws {
        let broker = try ScriptedBroker(topics: ["t": 1])
        defer { broker.stop() }
        broker.script(.fetch, [ScriptedBroker.Action](repeating: .error(BrokerError.notLeaderOrFollower), count: 200))
        var o = SingleConsumer<String>.Options()
        o.retryBackoff = .milliseconds(100)
        let consumer = try SingleConsumer(loop: loop, brokers: [broker.bootstrap], deserializer: .string, options: o)
        var errors = 0
        var fetchesAtFirstError = 0
        consumer.onError = { _ in
            if errors == 0 { fetchesAtFirstError = broker.counts().requests[.fetch] ?? 0 }
            errors += 1
        }
        // From the first error on (however long the start took), 500 ms hold about five fetches.
        try BrokerTest.run(loop, timeout: .seconds(10)) { (done: @escaping (Result<Void, any Error>) -> Void) in
            consumer.subscribe("t", start: .beginning)
            func check() {
                guard errors > 0 else {
                    self.loop.callLater(.milliseconds(10), check)
                    return
                }
                self.loop.callLater(.milliseconds(500)) { done(.success(())) }
            }
            check()
        }
        consumer.unsubscribe("t")
        let fetches = (broker.counts().requests[.fetch] ?? 0) - fetchesAtFirstError
        XCTAssertGreaterThan(errors, 0)
        XCTAssertLessThanOrEqual(fetches, 10, "one fetch per backoff, not a tight loop")
    }

    func testForeverTimeoutsDoNotTrap() throws {
        let broker = try ScriptedBroker(topics: ["t": 1])
        defer { broker.stop() }
        var o = Producer<String>.Options()
        o.linger = .milliseconds(1)
        o.ackTimeout = .seconds(Int64.max)
        o.deliveryTimeout = .seconds(Int64.max)
        let p = try Producer(loop: loop, brokers: [broker.bootstrap], serializer: .string, options: o)
        XCTAssertEqual(try produce(p, ["x"]).map { try $0.get().offset }, [0])
        var c = SingleConsumer<String>.Options()
        c.maxWaitTime = .seconds(Int64.max)
        let consumer = try SingleConsumer(loop: loop, brokers: [broker.bootstrap], deserializer: .string, options: c)
        XCTAssertEqual(try BrokerTest.consume(loop, consumer, topic: "t", start: .beginning, count: 1).map(\.value), ["x"])
    }

    func testRecordsProducedWhileConnectingAreSentWithoutAnotherProduce() throws {
        let broker = try ScriptedBroker(topics: ["t": 1])
        defer { broker.stop() }
        let p = try producer(broker, linger: .milliseconds(1))
        let report: Result<RecordMetadata, KielError> = try BrokerTest.run(loop, timeout: .seconds(10)) { done in
            p.connect { _ in }
            // Accepted while metadata and the producer id are still being fetched.
            do { try p.produce("t", "early") { done(.success($0)) } } catch { done(.failure(error)) }
        }
        XCTAssertEqual(try report.get().offset, 0)
        XCTAssertEqual(try stored(broker), ["early"])
    }

    func testBootstrapHostsAreTriedInOrder() throws {
        let broker = try ScriptedBroker(topics: ["t": 3])
        defer { broker.stop() }
        let cluster = try Cluster(loop: loop, hosts: ["127.0.0.1:1", broker.bootstrap])
        let metadata: ClusterMetadata = try BrokerTest.run(loop) { done in cluster.start { done($0.mapError { $0 }) } }
        XCTAssertEqual(metadata.partitions(of: "t"), [0, 1, 2])
        cluster.close()
        let dead = try Cluster(loop: loop, hosts: ["127.0.0.1:1"])
        let failed: Result<ClusterMetadata, KielError> = try BrokerTest.run(loop) { done in
            dead.start { done(.success($0)) }
        }
        guard case .noBrokersAvailable(let why)? = failed.failureValue else { return XCTFail("\(failed)") }
        XCTAssertTrue(why.contains("127.0.0.1:1"), why)
        dead.close()
    }
}
