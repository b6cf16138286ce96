import XCTest
@testable import KielIO

final class PeriodicCallbackTests: XCTestCase {
    func testTicksStayOnScheduleWhenCallbacksRunLate() throws {
        let clock = TestClock()
        let loop = try IOLoop(clock: .manual(clock))
        let origin = loop.now
        var ticks: [Duration] = []
        let periodic = PeriodicCallback(loop: loop, interval: .seconds(10)) { ticks.append(loop.now - origin) }
        periodic.start()
        XCTAssertTrue(periodic.isRunning)
        // Each tick is observed 3 s late; the next is still due on the 10 s grid.
        for step in 1...3 {
            clock.advance(to: origin + .seconds(Int64(10 * step + 3)))
            loop.runOnce(timeout: .zero)
        }
        XCTAssertEqual(ticks, [.seconds(13), .seconds(23), .seconds(33)])
        XCTAssertEqual(loop.timers.nextDeadline(), origin + .seconds(40))
    }

    func testMissedTicksAreSkippedNotBurst() throws {
        let clock = TestClock()
        let loop = try IOLoop(clock: .manual(clock))
        let origin = loop.now
        var count = 0
        let periodic = PeriodicCallback(loop: loop, interval: .seconds(1)) { count += 1 }
        periodic.start()
        clock.advance(by: .milliseconds(5500))
        loop.runOnce(timeout: .zero)
        loop.runOnce(timeout: .zero)
        XCTAssertEqual(count, 1, "five missed ticks collapse into one call")
        XCTAssertEqual(loop.timers.nextDeadline(), origin + .seconds(6))
        clock.advance(to: origin + .seconds(6))
        loop.runOnce(timeout: .zero)
        XCTAssertEqual(count, 2)
    }

    func testStopFromInsideCallbackAndRestart() throws {
        let clock = TestClock()
        let loop = try IOLoop(clock: .manual(clock))
        var count = 0
        var periodic: PeriodicCallback!
        periodic = PeriodicCallback(loop: loop, interval: .seconds(1)) {
            count += 1
            if count == 2 { periodic.stop() }
        }
        periodic.start()
        for _ in 0..<5 {
            clock.advance(by: .seconds(1))
            loop.runOnce(timeout: .zero)
        }
        XCTAssertEqual(count, 2)
        XCTAssertFalse(periodic.isRunning)
        XCTAssertTrue(loop.timers.isEmpty || loop.timers.nextDeadline() == nil)
        periodic.start()
        clock.advance(by: .seconds(1))
        loop.runOnce(timeout: .zero)
        XCTAssertEqual(count, 3)
        periodic.stop()
    }
}
