import Foundation
import Glibc
import XCTest
@testable import KielIO

final class CallbackTests: XCTestCase {
    func testCallbacksAddedDuringACallbackRunNextTurn() throws {
        let loop = try IOLoop(clock: .manual(TestClock()))
        var order: [String] = []
        loop.callSoon {
            order.append("first")
            loop.callSoon { order.append("third") }
        }
        loop.callSoon { order.append("second") }
        loop.runOnce(timeout: .zero)
        XCTAssertEqual(order, ["first", "second"])
        loop.runOnce(timeout: .zero)
        XCTAssertEqual(order, ["first", "second", "third"])
    }

    func testSelfRequeueingCallbackDoesNotStarveTimers() throws {
        let clock = TestClock()
        let loop = try IOLoop(clock: .manual(clock))
        var spins = 0
        var timerFired = false
        func again() {
            spins += 1
            if !timerFired { loop.callSoon(again) }
        }
        loop.callSoon(again)
        loop.callLater(.seconds(1)) { timerFired = true }
        clock.advance(by: .seconds(1))
        loop.runOnce(timeout: .zero)
        XCTAssertTrue(timerFired)
        XCTAssertEqual(spins, 1)
    }

    func testAddCallbackFromAnotherThreadWakesASleepingLoop() throws {
        let loop = try IOLoop()
        // Without the wake-up, poll() would sleep for the hour.
        let hour = loop.callLater(.seconds(3600)) { XCTFail("the hour passed") }
        let thread = Thread {
            usleep(20_000)
            loop.addCallback { loop.stop() }
        }
        thread.start()
        loop.run()
        loop.removeTimeout(hour)
        XCTAssertTrue(hour.isPending == false)
    }

    func testStopFromAnotherThread() throws {
        let loop = try IOLoop()
        loop.callLater(.seconds(3600)) {}
        let thread = Thread {
            usleep(20_000)
            loop.stop()
        }
        thread.start()
        loop.run()
        XCTAssertFalse(loop.isRunning)
    }

    func testManyThreadsAddCallbacksAllRun() throws {
        let loop = try IOLoop()
        let counter = LoopBound(0, loop: loop)
        let box = UncheckedBox(counter)
        for _ in 0..<4 {
            Thread {
                for _ in 0..<250 { loop.addCallback { box.value.value += 1 } }
            }.start()
        }
        spin(loop) { box.value.value == 1000 }
        XCTAssertEqual(box.value.value, 1000)
    }

    func testRunUntilCompleteReportsTimeout() throws {
        let clock = TestClock()
        let loop = try IOLoop(clock: .manual(clock))
        XCTAssertThrowsError(try loop.runUntilComplete(timeout: .seconds(5)) { (_: @escaping (Result<Int, any Error>) -> Void) in
            // Another thread moves virtual time while the loop sleeps; advancing wakes it.
            Thread {
                usleep(10_000)
                clock.advance(by: .seconds(5))
            }.start()
        }) { error in
            XCTAssertEqual(error as? LoopTimeoutError, LoopTimeoutError(timeout: .seconds(5)))
        }
    }

    func testRunUntilCompletePassesValueAndError() throws {
        let loop = try IOLoop()
        let immediate = try loop.runUntilComplete(timeout: .seconds(5)) { (done: @escaping (Result<String, any Error>) -> Void) in
            done(.success("now"))
        }
        XCTAssertEqual(immediate, "now")
        let later = try loop.runUntilComplete(timeout: .seconds(5)) { (done: @escaping (Result<String, any Error>) -> Void) in
            loop.callSoon { done(.success("later")) }
        }
        XCTAssertEqual(later, "later")
        XCTAssertThrowsError(try loop.runUntilComplete(timeout: .seconds(5)) { (done: @escaping (Result<String, any Error>) -> Void) in
            loop.callSoon { done(.failure(IOError.closed)) }
        }) { XCTAssertEqual($0 as? IOError, .closed) }
        XCTAssertTrue(loop.timers.nextDeadline() == nil, "the timeout timer is cancelled")
    }

    func testRunOnceRunsOneTurnAndReturns() throws {
        let loop = try IOLoop()
        var turns = 0
        func tick() { turns += 1; loop.callSoon(tick) }
        loop.callSoon(tick)
        loop.runOnce(timeout: .seconds(3600))
        XCTAssertEqual(turns, 1, "pending callbacks make the poll non-blocking")
        loop.runOnce(timeout: nil)
        XCTAssertEqual(turns, 2)
        // With nothing pending, runOnce waits at most its timeout.
        let idle = try IOLoop()
        idle.runOnce(timeout: .milliseconds(1))
        idle.runOnce(timeout: .zero)
    }

    func testLoopThreadIsTheThreadThatRunsIt() throws {
        let loop = try IOLoop()
        XCTAssertTrue(loop.isInLoopThread)
        let seen = UncheckedBox<[Bool]>([])
        let done = DispatchSemaphore(value: 0)
        Thread {
            seen.value.append(loop.isInLoopThread)
            loop.runOnce(timeout: .zero)
            seen.value.append(loop.isInLoopThread)
            done.signal()
        }.start()
        done.wait()
        XCTAssertEqual(seen.value, [false, true])
        XCTAssertFalse(loop.isInLoopThread)
        loop.runOnce(timeout: .zero)
        XCTAssertTrue(loop.isInLoopThread)
    }
}

/// Test-only escape hatch for state that the test itself synchronises.
final class UncheckedBox<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}

final class RunUntilCompleteStopTests: XCTestCase {
    func testStopBeforeDoneThrowsLoopStopped() throws {
        let loop = try IOLoop()
        XCTAssertThrowsError(try loop.runUntilComplete(timeout: .seconds(3600)) { (_: @escaping (Result<Int, any Error>) -> Void) in
            loop.callSoon { loop.stop() }
        }) { XCTAssertEqual($0 as? LoopStoppedError, LoopStoppedError()) }
        // The loop is usable afterwards.
        let value = try loop.runUntilComplete(timeout: .seconds(10)) { (done: @escaping (Result<Int, any Error>) -> Void) in
            loop.callSoon { done(.success(1)) }
        }
        XCTAssertEqual(value, 1)
    }

    /// The operation of a stopped run completes later, during the next run: its `done` must
    /// not stop that run.
    func testDoneAfterStopDoesNotStopTheNextRun() throws {
        let loop = try IOLoop()
        var stale: ((Result<Int, any Error>) -> Void)?
        XCTAssertThrowsError(try loop.runUntilComplete(timeout: .seconds(3600)) { (done: @escaping (Result<Int, any Error>) -> Void) in
            stale = done
            loop.callSoon { loop.stop() }
        }) { XCTAssertEqual($0 as? LoopStoppedError, LoopStoppedError()) }
        let value = try loop.runUntilComplete(timeout: .seconds(10)) { (done: @escaping (Result<Int, any Error>) -> Void) in
            loop.callSoon {
                stale?(.success(0))
                loop.callSoon { done(.success(2)) }
            }
        }
        XCTAssertEqual(value, 2)
    }
}
