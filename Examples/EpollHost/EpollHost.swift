import CLinux
import Glibc
import KielIO

/// The service's own event loop: one epoll set on the main thread. Its own descriptors carry
/// a handler; the descriptors and the deadline the IOLoop asks for are forwarded to the loop.
/// Main thread only.
final class EpollHost {
    let loop: IOLoop
    private let epollFD: Int32
    private var ownHandlers: [Int32: () -> Void] = [:]
    private var loopFDs: [Int32: IOEvents] = [:]
    private var loopDeadline: Deadline?

    init(loop: IOLoop) throws {
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epollFD >= 0 else { throw SystemCallError(call: "epoll_create1", errno: errno) }
        self.loop = loop
        // From here on the loop never blocks and never owns a thread: it reports what it
        // needs through these two hooks, and this thread becomes its loop thread.
        loop.attachHost(watch: { [unowned self] fd, events in self.watchForLoop(fd, events) },
                        deadline: { [unowned self] next in self.loopDeadline = next })
    }

    deinit { close(epollFD) }

    var loopDescriptorCount: Int { loopFDs.count }

    /// Watches one of the service's own descriptors for reading.
    func watch(_ fd: Int32, _ onReadable: @escaping () -> Void) {
        ownHandlers[fd] = onReadable
        control(EPOLL_CTL_ADD, fd, EPOLLIN.rawValue)
    }

    /// Forgets one of the service's own descriptors; call before closing it.
    func unwatch(_ fd: Int32) {
        if ownHandlers.removeValue(forKey: fd) != nil { control(EPOLL_CTL_DEL, fd, 0) }
    }

    /// The loop's `watch` hook: an empty set means "forget it" and comes before the close.
    private func watchForLoop(_ fd: Int32, _ events: IOEvents) {
        log("the loop asks to watch fd \(fd) for \(events)")
        if events.isEmpty {
            if loopFDs.removeValue(forKey: fd) != nil { control(EPOLL_CTL_DEL, fd, 0) }
            return
        }
        let op = loopFDs.updateValue(events, forKey: fd) == nil ? EPOLL_CTL_ADD : EPOLL_CTL_MOD
        control(op, fd, (events.contains(.read) ? EPOLLIN.rawValue : 0)
                        | (events.contains(.write) ? EPOLLOUT.rawValue : 0))
    }

    private func control(_ op: Int32, _ fd: Int32, _ mask: UInt32) {
        var event = epoll_event()
        event.events = mask
        event.data.fd = fd
        if epoll_ctl(epollFD, op, fd, &event) != 0 { log("epoll_ctl(\(op), fd \(fd)) failed: errno \(errno)") }
    }

    /// The service's main loop: one epoll_wait for everything, until `end`.
    func run(until end: Deadline) {
        var ready = [epoll_event](repeating: epoll_event(), count: 32)
        while loop.now < end {
            // Sleep until the loop's deadline at the latest; "at or before now" means callbacks
            // are pending, so don't sleep at all.
            let wakeUp = min(end, loopDeadline ?? end)
            let wait = wakeUp - loop.now
            // Round up: waking a hair early would only spin.
            let millis = wait <= .zero ? 0 : Int32(min((wait / .milliseconds(1)).rounded(.up), 3_600_000))
            let count = epoll_wait(epollFD, &ready, Int32(ready.count), millis)
            if count < 0 && errno != EINTR { return log("epoll_wait failed: errno \(errno)") }
            for event in ready.prefix(Int(max(count, 0))) {
                let fd = event.data.fd
                if let own = ownHandlers[fd] {
                    own()
                } else if loopFDs[fd] != nil {    // still watched: an earlier handler may have closed it
                    loop.hostReady(fd: fd, events: Self.ioEvents(event.events))
                }
            }
            if let due = loopDeadline, due <= loop.now { loop.hostDeadlineReached() }
        }
    }

    private static func ioEvents(_ mask: UInt32) -> IOEvents {
        var events: IOEvents = []
        if mask & EPOLLIN.rawValue != 0 { events.insert(.read) }
        if mask & EPOLLOUT.rawValue != 0 { events.insert(.write) }
        if mask & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 { events.insert(.error) }
        return events
    }
}

