import XCTest
@testable import KielIO

final class EarliestDeadlineTimerTests: XCTestCase {
    func testMovesEarlierNeverLaterAndFiresOnce() throws {
        let clock = TestClock()
        let loop = try IOLoop(clock: .manual(clock))
        var fired: [UInt64] = []
        let timer = EarliestDeadlineTimer(loop: loop) { fired.append(loop.now.uptimeNanoseconds) }
        let start = loop.now.uptimeNanoseconds
        let second: UInt64 = 1_000_000_000
        timer.arm(at: start + 3 * second)
        timer.arm(at: start + 5 * second)
        XCTAssertEqual(timer.armedAt, start + 3 * second, "a later deadline leaves the earlier one")
        timer.arm(at: start + 2 * second)
        XCTAssertEqual(timer.armedAt, start + 2 * second, "an earlier deadline moves it")
        XCTAssertEqual(loop.timers.liveCount, 1, "one timer in the heap, the replaced one cancelled")
        clock.advance(by: .seconds(2))
        loop.runOnce(timeout: .zero)
        XCTAssertEqual(fired, [start + 2 * second])
        XCTAssertNil(timer.armedAt)
        clock.advance(by: .seconds(5))
        loop.runOnce(timeout: .zero)
        XCTAssertEqual(fired.count, 1, "fires once, then waits to be armed again")
    }

    func testDisarmCancelsAndCancelTimeoutClearsTheHandle() throws {
        let clock = TestClock()
        let loop = try IOLoop(clock: .manual(clock))
        var fired = 0
        let timer = EarliestDeadlineTimer(loop: loop) { fired += 1 }
        timer.arm(at: loop.now.uptimeNanoseconds + 1_000)
        timer.disarm()
        var retry: TimeoutHandle? = loop.callLater(.seconds(1)) { fired += 1 }
        loop.cancelTimeout(&retry)
        XCTAssertNil(retry)
        loop.cancelTimeout(&retry)
        clock.advance(by: .seconds(2))
        loop.runOnce(timeout: .zero)
        XCTAssertEqual(fired, 0)
    }
}
