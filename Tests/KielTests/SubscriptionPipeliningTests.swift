import Foundation
import XCTest
@testable import Kiel

/// A subscription asks for the next records before it hands over the last ones, so the broker
/// gathers an answer while `onMessages` runs. What the callback does to the consumer (unsubscribe,
/// seek, pause) must make that answer stale: nothing skipped, doubled or out of order.
final class SubscriptionPipeliningTests: XCTestCase {
    private let tp = TopicPartition("t", 0)

    private func spin(_ loop: IOLoop, seconds: Double, until condition: () -> Bool = { false }) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if condition() { return true }
            loop.runOnce(timeout: .milliseconds(5))
        }
        return condition()
    }

    /// A broker with `t`/0 holding offsets 0..<100, holding each Fetch for `wait` seconds.
    private func makeBroker(wait: TimeInterval) throws -> ScriptedBroker {
        let broker = try ScriptedBroker(topics: ["t": 1])
        try broker.append(topic: "t", partition: 0, values: (0..<100).map { [UInt8(truncatingIfNeeded: $0)] })
        broker.fetchWait = wait
        return broker
    }

    private func makeConsumer(_ loop: IOLoop, _ broker: ScriptedBroker,
                              deserializer: Deserializer<[UInt8]> = .bytes) throws -> SingleConsumer<[UInt8]> {
        var options = SingleConsumer<[UInt8]>.Options()
        options.maxWaitTime = .milliseconds(100)
        return try SingleConsumer(loop: loop, brokers: [broker.bootstrap], deserializer: deserializer, options: options)
    }

    /// Reads the first hundred; the callback that brings them appends the second hundred (the
    /// Fetch already out comes back with it) and `stop`s the consumer. Checks nothing more
    /// arrives meanwhile, runs `whileStopped`, then `restart`, and returns every offset
    /// delivered once the second hundred is in.
    private func stopAfterFirstHundred(_ what: String, stop: @escaping (SingleConsumer<[UInt8]>) -> Void,
                                       whileStopped: (SingleConsumer<[UInt8]>) -> Void = { _ in },
                                       restart: (SingleConsumer<[UInt8]>) -> Void) throws -> [Int64] {
        let broker = try makeBroker(wait: 0.3)
        defer { broker.stop() }
        let loop = try IOLoop()
        let consumer = try makeConsumer(loop, broker)
        defer { consumer.close() }
        var offsets: [Int64] = []
        consumer.onMessages = { messages in
            offsets += messages.map(\.offset)
            if offsets.count == 100 {
                self.appendSecondHundred(broker)
                stop(consumer)
            }
        }
        consumer.subscribe("t", start: .beginning)
        XCTAssertTrue(spin(loop, seconds: 10) { offsets.count == 100 })
        _ = spin(loop, seconds: 0.8)
        XCTAssertEqual(offsets.count, 100, "nothing delivered \(what)")
        whileStopped(consumer)
        restart(consumer)
        XCTAssertTrue(spin(loop, seconds: 10) { offsets.count >= 200 })
        _ = spin(loop, seconds: 0.3)
        return offsets
    }

    /// Subscribes from the beginning and unsubscribes at the first error. Checks that nothing
    /// was delivered and the position went back to 0, subscribes again, and returns what was
    /// delivered and how many errors came once `done` says so.
    private func unsubscribeAtFirstError(_ consumer: SingleConsumer<[UInt8]>, _ loop: IOLoop,
                                         until done: @escaping ([Int64], Int) -> Bool) -> (offsets: [Int64], errors: Int) {
        var offsets: [Int64] = []
        var errors = 0
        consumer.onMessages = { offsets += $0.map(\.offset) }
        consumer.onError = { _ in
            errors += 1
            if errors == 1 { consumer.unsubscribe("t") }
        }
        consumer.subscribe("t", start: .beginning)
        XCTAssertTrue(spin(loop, seconds: 10) { errors == 1 })
        _ = spin(loop, seconds: 0.3)
        XCTAssertEqual(offsets, [], "unsubscribed while the answer was absorbed")
        XCTAssertEqual(consumer.fetching.position(tp), 0, "its records were given back")
        consumer.subscribe("t")
        XCTAssertTrue(spin(loop, seconds: 10) { done(offsets, errors) })
        _ = spin(loop, seconds: 0.3)
        return (offsets, errors)
    }

    private func appendSecondHundred(_ broker: ScriptedBroker) {
        XCTAssertNoThrow(try broker.append(topic: "t", partition: 0, values: (100..<200).map { [UInt8(truncatingIfNeeded: $0)] }))
    }

    func testTheNextFetchIsOnTheWireWhileTheCallbackRuns() throws {
        let broker = try makeBroker(wait: 0.2)
        defer { broker.stop() }
        let loop = try IOLoop()
        let consumer = try makeConsumer(loop, broker)
        defer { consumer.close() }
        func fetches() -> Int { broker.counts().fetchesByNode.values.reduce(0, +) }
        var seenInsideCallback: Int?
        var offsets: [Int64] = []
        consumer.onMessages = { messages in
            offsets += messages.map(\.offset)
            guard seenInsideCallback == nil else { return }
            // The loop does not run in here: only a request sent before the call can arrive.
            let giveUp = Date().addingTimeInterval(5)
            while fetches() < 2 && Date() < giveUp { usleep(1000) }
            seenInsideCallback = fetches()
        }
        consumer.subscribe("t", start: .beginning)
        XCTAssertTrue(spin(loop, seconds: 10) { offsets.count == 100 })
        XCTAssertEqual(seenInsideCallback, 2, "the second Fetch reached the broker before the first callback returned")
        XCTAssertEqual(offsets, Array(0..<100))
    }

    func testUnsubscribingFromTheCallbackLeavesTheNextAnswerForTheNextSubscription() throws {
        let offsets = try stopAfterFirstHundred("after unsubscribe", stop: { $0.unsubscribe("t") }, whileStopped: {
            XCTAssertEqual($0.fetching.position(self.tp), 100, "the answer on its way did not move the position")
        }, restart: { $0.subscribe("t") })
        XCTAssertEqual(offsets, Array(0..<200))
    }

    func testASeekFromTheCallbackDropsTheAnswerOnItsWay() throws {
        let broker = try makeBroker(wait: 0.3)
        defer { broker.stop() }
        let loop = try IOLoop()
        let consumer = try makeConsumer(loop, broker)
        defer { consumer.close() }
        var offsets: [Int64] = []
        var sought = false
        consumer.onMessages = { messages in
            offsets += messages.map(\.offset)
            if !sought {
                sought = true
                self.appendSecondHundred(broker)
                consumer.seek("t", to: .offset(50))
            }
        }
        consumer.subscribe("t", start: .beginning)
        XCTAssertTrue(spin(loop, seconds: 10) { offsets.count >= 250 })
        _ = spin(loop, seconds: 0.5)
        XCTAssertEqual(offsets, Array(0..<100) + Array(50..<200))
    }

    func testPausingFromTheCallbackHoldsTheAnswerOnItsWayBack() throws {
        let offsets = try stopAfterFirstHundred("while paused", stop: { $0.fetching.pause([self.tp]) },
                                                restart: { $0.fetching.resume([self.tp]) })
        XCTAssertEqual(offsets, Array(0..<200))
    }
    /// An error handler that unsubscribes while an answer is absorbed (a corrupt batch after
    /// good ones): the good records are not delivered then, and not skipped either.
    func testUnsubscribingFromADecodeErrorGivesTheAnswersRecordsBack() throws {
        let broker = try ScriptedBroker(topics: ["t": 1])
        defer { broker.stop() }
        try broker.append(topic: "t", partition: 0, values: (0..<10).map { [UInt8($0)] })
        try broker.append(topic: "t", partition: 0, values: (10..<20).map { [UInt8($0)] })
        broker.corrupt(topic: "t", partition: 0, batch: 1)
        let loop = try IOLoop()
        let consumer = try makeConsumer(loop, broker)
        defer { consumer.close() }
        let (offsets, _) = unsubscribeAtFirstError(consumer, loop) { $0.count >= 10 && $1 >= 2 }
        XCTAssertEqual(offsets, Array(0..<10))
    }

    /// A value that fails to deserialize, and a handler that unsubscribes because of it: the
    /// round is not delivered, and a later subscription reads it again from where it began.
    func testUnsubscribingFromADeserializationErrorGivesTheRoundBack() throws {
        let broker = try makeBroker(wait: 0)
        defer { broker.stop() }
        let loop = try IOLoop()
        let failOn: UInt8 = 42
        let strict = Deserializer<[UInt8]>(view: { bytes in
            if bytes.first == failOn { throw KielError.invalidArgument("value 42") }
            return Array(bytes)
        })
        let consumer = try makeConsumer(loop, broker, deserializer: strict)
        defer { consumer.close() }
        let (offsets, errors) = unsubscribeAtFirstError(consumer, loop) { offsets, _ in offsets.count >= 99 }
        XCTAssertEqual(offsets, Array(0..<42) + Array(43..<100), "every record but the one that failed, once")
        XCTAssertEqual(errors, 2, "the failing value is reported again when read again")
    }
}
