import Foundation
import XCTest
@testable import KielIO

final class UtilityTests: XCTestCase {
    func testBackoffGrowsWithinJitterAndCapsAndResets() {
        var backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(1), multiplier: 2, jitter: 0.2)
        var generator = SplitMix(seed: 7)
        let bases: [Double] = [100, 200, 400, 800, 1000, 1000]
        for base in bases {
            let ms = Double(backoff.next(using: &generator).nanoseconds) / 1e6
            XCTAssertGreaterThanOrEqual(ms, base * 0.8 - 0.001)
            XCTAssertLessThanOrEqual(ms, min(base * 1.2, 1000) + 0.001)
        }
        backoff.reset()
        let first = Double(backoff.next(using: &generator).nanoseconds) / 1e6
        XCTAssertLessThanOrEqual(first, 120.001)
        var plain = Backoff(initial: .seconds(1), maximum: .seconds(4), jitter: 0)
        XCTAssertEqual([plain.next(), plain.next(), plain.next(), plain.next()],
                       [.seconds(1), .seconds(2), .seconds(4), .seconds(4)])
    }

    /// An effectively uncapped backoff: the delay saturates at the maximum instead of
    /// trapping when it no longer fits Int64 nanoseconds.
    func testBackoffWithAHugeMaximumSaturates() {
        var backoff = Backoff(initial: .seconds(1), maximum: .seconds(Int64.max), jitter: 0.2)
        var generator = SplitMix(seed: 11)
        var last = Duration.zero
        for _ in 0..<80 { last = backoff.next(using: &generator) }
        XCTAssertGreaterThan(last, .seconds(1 << 32))
        XCTAssertLessThanOrEqual(last, backoff.maximum)
    }

    /// Nanoseconds and milliseconds share one conversion: whole units toward zero, saturating
    /// at Int64's bounds whether the seconds or the fraction pushes past them.
    func testDurationConversionsTruncateAndSaturate() {
        XCTAssertEqual(Duration.milliseconds(1500).nanoseconds, 1_500_000_000)
        XCTAssertEqual(Duration.milliseconds(1500).milliseconds, 1500)
        XCTAssertEqual(Duration.microseconds(1999).milliseconds, 1)
        XCTAssertEqual(Duration.microseconds(-1500).milliseconds, -1)
        XCTAssertEqual(Duration.nanoseconds(-7).nanoseconds, -7)
        XCTAssertEqual(Duration.seconds(Int64.max).nanoseconds, .max)
        XCTAssertEqual(Duration.seconds(Int64.max).milliseconds, .max)
        XCTAssertEqual(Duration.seconds(Int64.min).nanoseconds, .min)
        XCTAssertEqual(Duration.seconds(Int64.min).milliseconds, .min)
        // The seconds fit, the fraction tips the sum over.
        let edge = Duration(secondsComponent: 9_223_372_036, attosecondsComponent: 999_999_999_000_000_000)
        XCTAssertEqual(edge.nanoseconds, .max)
        XCTAssertEqual(edge.milliseconds, 9_223_372_036_999)
        XCTAssertEqual(Duration.seconds(1).unsignedNanoseconds, 1_000_000_000)
        XCTAssertEqual(Duration.seconds(-1).unsignedNanoseconds, 0)
    }

    func testKielLogIsSilentByDefaultAndLazyBelowLevel() {
        let seen = UncheckedBox<[String]>([])
        var built = 0
        func message(_ text: String) -> String { built += 1; return text }
        KielLog.info(message("dropped"))
        XCTAssertEqual(built, 0, "no handler: the message is never built")
        KielLog.setHandler(level: .warning) { level, text in seen.value.append("\(level):\(text)") }
        defer { KielLog.setHandler(level: .debug, nil) }
        KielLog.debug(message("too low"))
        KielLog.warning(message("kept"))
        KielLog.error(message("also"))
        XCTAssertEqual(built, 2)
        XCTAssertEqual(seen.value, ["warning:kept", "error:also"])
        XCTAssertTrue(KielLog.isEnabled(.error))
        XCTAssertFalse(KielLog.isEnabled(.info))
    }

    func testLoopBoundCarriesValueThroughSendableClosure() throws {
        let loop = try IOLoop()
        var box = LoopBound([1, 2], loop: loop)
        box.value.append(3)
        let copy = box
        let result = try loop.runUntilComplete(timeout: .seconds(10)) { (done: @escaping (Result<[Int], any Error>) -> Void) in
            let doneBox = LoopBound(done, loop: loop)
            let thread = Thread {
                loop.addCallback { doneBox.value(.success(copy.value)) }
            }
            thread.start()
        }
        XCTAssertEqual(result, [1, 2, 3])
    }
}
