import Glibc
import XCTest
@testable import KielIO

final class HandlerTests: XCTestCase {
    private var fds: [Int32] = []

    override func tearDown() {
        for fd in fds { close(fd) }
        fds = []
    }

    private func makePipe() -> (read: Int32, write: Int32) {
        var ends: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&ends), 0)
        for fd in ends { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        fds += ends
        return (ends[0], ends[1])
    }

    /// `Deadline.distantFuture` as a "never" timer, and a host asking for an endless wait:
    /// turning either into poll's milliseconds must saturate, not overflow. A ready pipe
    /// makes the turn return at once.
    func testDistantTimerAndEndlessWaitDoNotOverflowThePollTimeout() throws {
        let loop = try IOLoop()
        let p = makePipe()
        var reads = 0
        loop.addHandler(p.read, events: .read) { _ in
            var sink: UInt8 = 0
            _ = read(p.read, &sink, 1)
            reads += 1
        }
        var never = false
        let sentinel = loop.addTimeout(.distantFuture) { never = true }
        var byte: UInt8 = 1
        XCTAssertEqual(write(p.write, &byte, 1), 1)
        loop.runOnce(timeout: nil)
        XCTAssertEqual(reads, 1)
        XCTAssertEqual(write(p.write, &byte, 1), 1)
        loop.runOnce(timeout: .seconds(Int64.max))
        XCTAssertEqual(reads, 2)
        XCTAssertFalse(never)
        XCTAssertTrue(sentinel.isPending)
        loop.removeTimeout(sentinel)
        loop.removeHandler(p.read)
    }

    func testReadHandlerSeesDataAndUpdateToWrite() throws {
        let loop = try IOLoop()
        let p = makePipe()
        var seen: [IOEvents] = []
        loop.addHandler(p.read, events: .read) { events in
            var sink: UInt8 = 0
            _ = read(p.read, &sink, 1)
            seen.append(events)
        }
        loop.runOnce(timeout: .zero)
        XCTAssertEqual(seen, [])
        var byte: UInt8 = 1
        XCTAssertEqual(write(p.write, &byte, 1), 1)
        loop.runOnce(timeout: .seconds(5))
        XCTAssertEqual(seen, [.read])

        var writable = 0
        loop.addHandler(p.write, events: []) { _ in writable += 1 }
        loop.runOnce(timeout: .zero)
        XCTAssertEqual(writable, 0, "no interest, no call")
        loop.updateHandler(p.write, events: .write)
        loop.runOnce(timeout: .seconds(5))
        XCTAssertEqual(writable, 1)
        loop.removeHandler(p.write)
        loop.removeHandler(p.read)
        loop.runOnce(timeout: .zero)
        XCTAssertEqual(writable, 1)
        XCTAssertEqual(seen, [.read])
    }

    func testRemovingAnotherReadyHandlerInsideACallbackIsSafe() throws {
        let loop = try IOLoop()
        let a = makePipe(), b = makePipe()
        var byte: UInt8 = 1
        write(a.write, &byte, 1)
        write(b.write, &byte, 1)
        var calls: [Int32] = []
        // Both are ready in the same poll; whichever runs first removes the other.
        loop.addHandler(a.read, events: .read) { _ in calls.append(a.read); loop.removeHandler(b.read) }
        loop.addHandler(b.read, events: .read) { _ in calls.append(b.read); loop.removeHandler(a.read) }
        loop.runOnce(timeout: .seconds(5))
        XCTAssertEqual(calls.count, 1, "a handler removed during the turn is not called")
        loop.runOnce(timeout: .zero)
        XCTAssertEqual(calls.count, 2, "the survivor's data is still unread, so it is called again")
        XCTAssertEqual(Set(calls).count, 1, "the removed handler is never called")
    }

    func testRemovingOwnHandlerAndReaddingInsideCallback() throws {
        let loop = try IOLoop()
        let p = makePipe()
        var byte: UInt8 = 1
        write(p.write, &byte, 1)
        var first = 0, second = 0
        loop.addHandler(p.read, events: .read) { _ in
            first += 1
            loop.removeHandler(p.read)
            loop.addHandler(p.read, events: .read) { _ in second += 1 }
        }
        loop.runOnce(timeout: .seconds(5))
        XCTAssertEqual(first, 1)
        XCTAssertEqual(second, 0, "the new handler waits for the next poll")
        loop.runOnce(timeout: .seconds(5))
        XCTAssertEqual(second, 1)
    }

    func testHangUpIsReportedAsError() throws {
        let loop = try IOLoop()
        let p = makePipe()
        var seen: IOEvents = []
        loop.addHandler(p.read, events: []) { seen = $0; loop.removeHandler(p.read) }
        close(p.write)
        fds.removeAll { $0 == p.write }
        loop.runOnce(timeout: .seconds(5))
        XCTAssertTrue(seen.contains(.error), "got \(seen)")
    }
}
