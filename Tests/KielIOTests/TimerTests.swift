import XCTest
@testable import KielIO

final class TimerTests: XCTestCase {
    func testTimersFireInDeadlineOrderWithFIFOTies() throws {
        let clock = TestClock()
        let loop = try IOLoop(clock: .manual(clock))
        var fired: [String] = []
        loop.callLater(.seconds(3)) { fired.append("c") }
        loop.callLater(.seconds(1)) { fired.append("a1") }
        loop.callLater(.seconds(2)) { fired.append("b") }
        loop.callLater(.seconds(1)) { fired.append("a2") }
        loop.runOnce(timeout: .zero)
        XCTAssertEqual(fired, [], "nothing is due before the clock moves")
        clock.advance(by: .seconds(1))
        loop.runOnce(timeout: .zero)
        XCTAssertEqual(fired, ["a1", "a2"])
        clock.advance(by: .seconds(5))
        loop.runOnce(timeout: .zero)
        XCTAssertEqual(fired, ["a1", "a2", "b", "c"])
    }

    func testCancelledTimerNeverFiresAndCancelAfterFiringIsHarmless() throws {
        let clock = TestClock()
        let loop = try IOLoop(clock: .manual(clock))
        var fired: [Int] = []
        let first = loop.callLater(.seconds(1)) { fired.append(1) }
        let second = loop.callLater(.seconds(2)) { fired.append(2) }
        loop.removeTimeout(second)
        loop.removeTimeout(second)
        XCTAssertFalse(second.isPending)
        clock.advance(by: .seconds(3))
        loop.runOnce(timeout: .zero)
        XCTAssertEqual(fired, [1])
        XCTAssertFalse(first.isPending)
        loop.removeTimeout(first)
        XCTAssertEqual(loop.timers.cancelledCount, 0, "cancelling a fired timeout must not count")
    }

    func testTimerCancelledByEarlierTimerInSameBatchDoesNotRun() throws {
        let clock = TestClock()
        let loop = try IOLoop(clock: .manual(clock))
        var fired: [Int] = []
        var later: TimeoutHandle?
        loop.callLater(.seconds(1)) { fired.append(1); loop.removeTimeout(later!) }
        later = loop.callLater(.seconds(2)) { fired.append(2) }
        clock.advance(by: .seconds(5))
        loop.runOnce(timeout: .zero)
        XCTAssertEqual(fired, [1])
        // The cancelled timeout had already left the heap with its batch: nothing to compact.
        XCTAssertEqual(loop.timers.cancelledCount, 0)
        XCTAssertEqual(loop.timers.liveCount, 0)
    }

    func testDueTimersAreCollectedBeforeAnyRuns() throws {
        let clock = TestClock()
        let loop = try IOLoop(clock: .manual(clock))
        var fired: [String] = []
        loop.callLater(.seconds(1)) {
            fired.append("outer")
            loop.callLater(.zero) { fired.append("inner") }
        }
        clock.advance(by: .seconds(1))
        loop.runOnce(timeout: .zero)
        XCTAssertEqual(fired, ["outer"], "a timeout scheduled by a running timeout waits a turn")
        loop.runOnce(timeout: .zero)
        XCTAssertEqual(fired, ["outer", "inner"])
    }

    /// Tornado's turn: due timers are collected first, then the queued callbacks run, then the
    /// collected timers; a timer a callback schedules for "now" waits a turn.
    func testCallbacksRunBeforeTheTimersDueAtTheStartOfTheTurn() throws {
        let clock = TestClock()
        let loop = try IOLoop(clock: .manual(clock))
        var order: [String] = []
        loop.callLater(.seconds(1)) { order.append("timer") }
        loop.callSoon {
            order.append("callback")
            loop.callLater(.zero) { order.append("timer added by the callback") }
        }
        clock.advance(by: .seconds(1))
        loop.runOnce(timeout: .zero)
        XCTAssertEqual(order, ["callback", "timer"])
        loop.runOnce(timeout: .zero)
        XCTAssertEqual(order, ["callback", "timer", "timer added by the callback"])
    }

    func testHeapOrdersManyRandomDeadlines() throws {
        let clock = TestClock()
        let loop = try IOLoop(clock: .manual(clock))
        var generator = SplitMix(seed: 42)
        var fired: [UInt64] = []
        var expected: [UInt64] = []
        for _ in 0..<2000 {
            let ms = generator.next() % 10_000
            expected.append(ms)
            loop.callLater(.milliseconds(Int64(ms))) { fired.append(ms) }
        }
        clock.advance(by: .seconds(11))
        loop.runOnce(timeout: .zero)
        XCTAssertEqual(fired, expected.sorted())
    }

    func testCancellationsAreCompactedWhenTheyDominate() throws {
        let clock = TestClock()
        let loop = try IOLoop(clock: .manual(clock))
        var handles: [TimeoutHandle] = []
        for index in 0..<3000 {
            handles.append(loop.callLater(.seconds(Int64(10 + index))) {})
        }
        for handle in handles.dropLast(100) { loop.removeTimeout(handle) }
        XCTAssertEqual(loop.timers.entries.count, 3000, "cancellation itself is lazy")
        loop.runOnce(timeout: .zero)
        XCTAssertEqual(loop.timers.entries.count, 100, "the heap is rebuilt without cancelled entries")
        XCTAssertEqual(loop.timers.cancelledCount, 0)
        var fired = 0
        for handle in handles.suffix(100) { XCTAssertTrue(handle.isPending) }
        loop.callLater(.seconds(100_000)) { fired += 1 }
        clock.advance(by: .seconds(200_000))
        loop.runOnce(timeout: .zero)
        XCTAssertEqual(fired, 1)
        XCTAssertTrue(loop.timers.isEmpty)
    }

    func testRealClockTimerFires() throws {
        let loop = try IOLoop()
        let value = try loop.runUntilComplete(timeout: .seconds(10)) { (done: @escaping (Result<Int, any Error>) -> Void) in
            loop.callLater(.milliseconds(5)) { done(.success(7)) }
        }
        XCTAssertEqual(value, 7)
    }

    func testTestClockMovesOnlyWhenTold() throws {
        let clock = TestClock()
        let loop = try IOLoop(clock: .manual(clock))
        let start = loop.now
        loop.runOnce(timeout: .milliseconds(5))
        XCTAssertEqual(loop.now, start)
        clock.advance(to: start + .seconds(2))
        XCTAssertEqual(loop.now - start, .seconds(2))
        clock.advance(to: start)
        XCTAssertEqual(loop.now - start, .seconds(2), "never backwards")
    }

    func testDeadlineArithmeticSaturates() {
        let start = Deadline(uptimeNanoseconds: 10)
        XCTAssertEqual((start + .nanoseconds(-100)).uptimeNanoseconds, 0)
        XCTAssertEqual(Deadline.distantFuture + .seconds(1), .distantFuture)
        XCTAssertEqual((start + .seconds(1)) - start, .seconds(1))
        XCTAssertEqual(start - (start + .seconds(1)), .seconds(-1))
    }
}

/// A tiny seeded generator so "random" tests are reproducible.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
