import XCTest
@testable import Kiel

final class RequestQueueTests: XCTestCase {
    func enqueue(_ q: inout RequestQueue<String>, _ name: String, deadline: UInt64 = 100) {
        q.enqueue(deadline: deadline, handler: name)
    }

    func testPipeliningIsBoundedAndIdsAreSequential() {
        var q = RequestQueue<String>(maxInFlight: 2)
        for name in ["a", "b", "c"] { enqueue(&q, name) }
        let first = q.takeSendable()
        XCTAssertEqual(first.map(\.handler), ["a", "b"])
        XCTAssertEqual(first.map(\.correlationID), [0, 1])
        XCTAssertTrue(q.takeSendable().isEmpty, "two in flight already")
        guard case .deliver(let a) = q.answer(correlationID: 0) else { return XCTFail() }
        XCTAssertEqual(a.handler, "a")
        let next = q.takeSendable()
        XCTAssertEqual(next.map(\.handler), ["c"])
        XCTAssertEqual(next.map(\.correlationID), [2])
    }

    func testAnInFlightRequestPastItsDeadlineIsDueAndTheWaitingOnesAreKept() {
        var q = RequestQueue<String>(maxInFlight: 2)
        enqueue(&q, "a", deadline: 10)
        enqueue(&q, "b", deadline: 20)
        enqueue(&q, "c", deadline: 5)
        _ = q.takeSendable()
        XCTAssertFalse(q.hasInFlightDue(now: 9))
        XCTAssertFalse(q.hasInFlightDue(now: 5), "c timed out waiting, not on the wire")
        XCTAssertTrue(q.hasInFlightDue(now: 10))
        XCTAssertEqual(q.failAll(keepWaiting: true).map(\.handler), ["a", "b"])
        XCTAssertEqual(q.takeSendable().map(\.handler), ["c"], "the waiting one goes out next")
    }

    func testOutOfOrderAnswerIsAViolation() {
        var q = RequestQueue<String>(maxInFlight: 5)
        enqueue(&q, "a")
        enqueue(&q, "b")
        _ = q.takeSendable()
        guard case .unexpected(let expected) = q.answer(correlationID: 1) else { return XCTFail() }
        XCTAssertEqual(expected, 0)
        var empty = RequestQueue<String>(maxInFlight: 1)
        guard case .unexpected(nil) = empty.answer(correlationID: 0) else { return XCTFail() }
    }

    func testTimedOutRequestsAreHandedBackOnceAndTheirLateAnswersDropped() {
        var q = RequestQueue<String>(maxInFlight: 1)
        enqueue(&q, "a", deadline: 10)
        enqueue(&q, "b", deadline: 10)
        enqueue(&q, "c", deadline: 50)
        _ = q.takeSendable()
        XCTAssertEqual(q.nextDeadline, 10)
        XCTAssertEqual(Set(q.expire(now: 10).compactMap(\.handler)), ["a", "b"])
        XCTAssertTrue(q.expire(now: 20).isEmpty, "nothing handed back twice")
        XCTAssertEqual(q.nextDeadline, 50)
        guard case .discard = q.answer(correlationID: 0) else { return XCTFail() }
        XCTAssertEqual(q.takeSendable().map(\.handler), ["c"])
    }

    func testFailAllHandsBackEachOwedRequestExactlyOnce() {
        var q = RequestQueue<String>(maxInFlight: 2)
        for name in ["a", "b", "c", "d"] { enqueue(&q, name, deadline: name == "b" ? 5 : 100) }
        _ = q.takeSendable()
        _ = q.expire(now: 5)   // b timed out already
        XCTAssertEqual(q.failAll().compactMap(\.handler), ["a", "c", "d"])
        XCTAssertTrue(q.isIdle)
        XCTAssertTrue(q.failAll().isEmpty)
    }

    func testFailAllCanKeepTheWaitingLineForTheNextConnection() {
        var q = RequestQueue<String>(maxInFlight: 1)
        enqueue(&q, "a")
        enqueue(&q, "b")
        _ = q.takeSendable()
        XCTAssertEqual(q.failAll(keepWaiting: true).compactMap(\.handler), ["a"])
        XCTAssertEqual(q.takeSendable().map(\.handler), ["b"])
    }

    func testForgetRemovesAnswerlessSends() {
        var q = RequestQueue<String>(maxInFlight: 2)
        enqueue(&q, "acks0")
        enqueue(&q, "next")
        let sent = q.takeSendable()
        XCTAssertEqual(q.forget(correlationID: sent[0].correlationID)?.handler, "acks0")
        guard case .deliver(let e) = q.answer(correlationID: sent[1].correlationID) else { return XCTFail() }
        XCTAssertEqual(e.handler, "next")
    }
}
