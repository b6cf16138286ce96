import CLinux
import Foundation
import Glibc
import XCTest
@testable import KielIO

/// A minimal epoll host: the way a service with its own event loop embeds an IOLoop.
final class EpollHost {
    let epollFD: Int32
    let loop: IOLoop
    private(set) var watched: [Int32: IOEvents] = [:]
    private(set) var deadline: Deadline?
    private(set) var readyCalls = 0

    init(loop: IOLoop) {
        self.loop = loop
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        loop.attachHost(watch: { [unowned self] fd, events in self.watch(fd, events) },
                        deadline: { [unowned self] in self.deadline = $0 })
    }

    deinit { close(epollFD) }

    private func watch(_ fd: Int32, _ events: IOEvents) {
        var event = epoll_event()
        event.events = (events.contains(.read) ? EPOLLIN.rawValue : 0)
            | (events.contains(.write) ? EPOLLOUT.rawValue : 0)
        event.data.fd = fd
        if events.isEmpty {
            if watched.removeValue(forKey: fd) != nil { epoll_ctl(epollFD, EPOLL_CTL_DEL, fd, nil) }
            return
        }
        let op = watched[fd] == nil ? EPOLL_CTL_ADD : EPOLL_CTL_MOD
        XCTAssertEqual(epoll_ctl(epollFD, op, fd, &event), 0, "epoll_ctl errno \(errno)")
        watched[fd] = events
    }

    /// One round of the host's own loop: wait in epoll, hand readiness and deadlines over.
    func iterate(maxWait: Duration = .seconds(1)) {
        var wait = maxWait
        if let deadline { wait = min(wait, deadline - loop.now) }
        let millis = wait <= .zero ? 0 : Int32(clamping: (wait.nanoseconds + 999_999) / 1_000_000)
        var events = [epoll_event](repeating: epoll_event(), count: 16)
        let count = epoll_wait(epollFD, &events, Int32(events.count), millis)
        for index in 0..<Int(max(count, 0)) {
            let event = events[index]
            var ready: IOEvents = []
            if event.events & EPOLLIN.rawValue != 0 { ready.insert(.read) }
            if event.events & EPOLLOUT.rawValue != 0 { ready.insert(.write) }
            if event.events & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 { ready.insert(.error) }
            readyCalls += 1
            loop.hostReady(fd: event.data.fd, events: ready)
        }
        if let deadline, deadline <= loop.now { loop.hostDeadlineReached() }
    }

    func iterate(until condition: () -> Bool, file: StaticString = #filePath, line: UInt = #line) {
        let giveUp = Deadline.now() + .seconds(20)
        while !condition() {
            if Deadline.now() > giveUp { return XCTFail("host loop never got there", file: file, line: line) }
            iterate()
        }
    }
}

final class HostDrivenTests: XCTestCase {
    func testEpollHostDrivesFramedEchoTimerAndCrossThreadCallback() throws {
        let server = try LoopbackServer.echo()
        let loop = try IOLoop()
        let host = EpollHost(loop: loop)
        XCTAssertEqual(host.watched[loop.waker.fd], .read, "the wake-up eventfd is handed to the host")

        var stream: FramedStream?
        var failure: IOError?
        let recorder = StreamRecorder()
        let payloads = [pattern(10), pattern(70_000, seed: 3), [0xAB]]
        FramedStream.connect(loop: loop, host: server.host, port: server.port, timeout: .seconds(10)) { result in
            switch result {
            case .success(let connected):
                stream = connected
                recorder.attach(connected)
                for payload in payloads { connected.send(payload) }
            case .failure(let error):
                failure = error
            }
        }
        var timerFired = false
        loop.callLater(.milliseconds(30)) { timerFired = true }
        XCTAssertNotNil(host.deadline, "setup code's timer and callback reach the host at once")

        let crossThread = UncheckedBox(false)
        let started = DispatchSemaphore(value: 0)
        Thread {
            started.wait()
            loop.addCallback { crossThread.value = true }
        }.start()
        started.signal()

        host.iterate { (recorder.frames.count == payloads.count && timerFired && crossThread.value) || failure != nil }
        XCTAssertNil(failure)
        XCTAssertEqual(recorder.frames, payloads)
        XCTAssertTrue(timerFired)
        XCTAssertTrue(crossThread.value)
        XCTAssertGreaterThan(host.readyCalls, 0)

        let streamFD = try XCTUnwrap(stream).fileDescriptor
        XCTAssertEqual(host.watched[streamFD], .read, "write interest only while output is pending")
        stream?.close()
        XCTAssertNil(host.watched[streamFD], "the host is told before the fd is closed")
        host.iterate { recorder.closes.count == 1 }
        XCTAssertNil(recorder.closes.first ?? IOError.closed)
        XCTAssertEqual(Array(host.watched.keys), [loop.waker.fd])
    }

    func testHostHearsDeadlineChanges() throws {
        let clock = TestClock()
        let loop = try IOLoop(clock: .manual(clock))
        var reports: [Deadline?] = []
        loop.attachHost(watch: { _, _ in }, deadline: { reports.append($0) })
        XCTAssertEqual(reports, [nil])
        let handle = loop.callLater(.seconds(5)) {}
        XCTAssertEqual(reports.last, loop.now + .seconds(5))
        loop.removeTimeout(handle)
        XCTAssertEqual(reports.last, .some(nil))
        var ran = false
        loop.callSoon { ran = true }
        XCTAssertLessThanOrEqual(try XCTUnwrap(reports.last ?? nil), loop.now, "pending callbacks mean: now")
        loop.hostDeadlineReached()
        XCTAssertTrue(ran)
        XCTAssertEqual(reports.last, .some(nil))
        loop.callLater(.seconds(1)) { ran = false }
        clock.advance(by: .seconds(1))
        loop.hostDeadlineReached()
        XCTAssertFalse(ran)
        loop.detachHost()
    }
}
