import CLinux
import Glibc
import Kiel

/// The host program's own event loop: one epoll set on the main thread. Its own descriptors
/// carry handlers; the descriptors and deadline the IOLoop asks for (host-driven mode,
/// `attachHost`) are forwarded to the IOLoop. No other thread. Main thread only.
final class HostLoop {
    let loop: IOLoop
    private let epollFD: Int32
    private var own: [Int32: (UInt32) -> Void] = [:]
    private var loopFDs: Set<Int32> = []
    private var loopDeadline: Deadline?
    var running = true

    init(loop: IOLoop) throws {
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epollFD >= 0 else { throw KielError.invalidArgument("epoll_create1 failed: errno \(errno)") }
        self.loop = loop
        loop.attachHost(watch: { [unowned self] fd, events in
            if events.isEmpty {
                if self.loopFDs.remove(fd) != nil { self.control(EPOLL_CTL_DEL, fd, 0) }
                return
            }
            let op = self.loopFDs.insert(fd).inserted ? EPOLL_CTL_ADD : EPOLL_CTL_MOD
            self.control(op, fd, (events.contains(.read) ? EPOLLIN.rawValue : 0)
                                 | (events.contains(.write) ? EPOLLOUT.rawValue : 0))
        }, deadline: { [unowned self] next in self.loopDeadline = next })
    }

    deinit { close(epollFD) }

    /// Watches one of the host's own descriptors (`mask`: EPOLLIN/EPOLLOUT bits).
    func watch(_ fd: Int32, mask: UInt32 = EPOLLIN.rawValue, _ handler: @escaping (UInt32) -> Void) {
        let op = own.updateValue(handler, forKey: fd) == nil ? EPOLL_CTL_ADD : EPOLL_CTL_MOD
        control(op, fd, mask)
    }

    func unwatch(_ fd: Int32) {
        if own.removeValue(forKey: fd) != nil { control(EPOLL_CTL_DEL, fd, 0) }
    }

    private func control(_ op: Int32, _ fd: Int32, _ mask: UInt32) {
        var event = epoll_event()
        event.events = mask
        event.data.fd = fd
        _ = epoll_ctl(epollFD, op, fd, &event)
    }

    /// One epoll_wait for everything, until `running` is cleared or `end` passes.
    func run(until end: Deadline) {
        var ready = [epoll_event](repeating: epoll_event(), count: 64)
        while running && loop.now < end {
            let wake = min(end, loopDeadline ?? end)
            let wait = wake - loop.now
            let millis = wait <= .zero ? 0 : Int32(min((wait / .milliseconds(1)).rounded(.up), 60_000))
            let n = epoll_wait(epollFD, &ready, Int32(ready.count), millis)
            if n < 0 && errno != EINTR { return }
            for event in ready.prefix(Int(max(n, 0))) {
                let fd = event.data.fd
                if let handler = own[fd] {
                    handler(event.events)
                } else if loopFDs.contains(fd) {
                    var io: IOEvents = []
                    if event.events & EPOLLIN.rawValue != 0 { io.insert(.read) }
                    if event.events & EPOLLOUT.rawValue != 0 { io.insert(.write) }
                    if event.events & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 { io.insert(.error) }
                    loop.hostReady(fd: fd, events: io)
                }
            }
            if let due = loopDeadline, due <= loop.now { loop.hostDeadlineReached() }
        }
    }
}
