/// The closures a host event loop installs to drive an `IOLoop` (see `attachHost`).
struct HostHooks {
    let watch: (Int32, IOEvents) -> Void
    let deadline: (Deadline?) -> Void
}

extension IOLoop {
    /// Hands the loop to a host event loop (the libcurl `multi_socket` pattern). From now on
    /// the loop neither blocks nor owns a thread: it tells the host what it needs, and the
    /// host calls back when it happens. All calls happen on the host's thread, which becomes
    /// the loop thread.
    ///
    /// - `watch(fd, events)` is called whenever the set of descriptors changes: `events` is
    ///   what to wait for (`.read`, `.write`; errors and hang-ups always count), and an empty
    ///   set means "forget this fd" — reported before the descriptor is closed, so the host
    ///   can still `EPOLL_CTL_DEL` it. It is called at once for every current descriptor,
    ///   including the loop's wake-up eventfd (which `addCallback` from other threads signals).
    /// - `deadline(d)` is called whenever the time the loop next needs attention changes:
    ///   `nil` means no timer, a deadline at or before `loop.now` means "as soon as possible"
    ///   (callbacks are pending). Deadlines are on the loop's clock (`CLOCK_MONOTONIC`).
    ///
    /// The host calls `hostReady(fd:events:)` when a watched descriptor is ready and
    /// `hostDeadlineReached()` when the deadline passes. For example, with epoll (from the
    /// `CLinux` module), level-triggered:
    ///
    /// ```swift
    /// var next: Deadline? = nil
    /// var known = Set<Int32>()
    /// loop.attachHost(watch: { fd, events in
    ///     var ev = epoll_event()
    ///     ev.events = (events.contains(.read) ? EPOLLIN.rawValue : 0)
    ///               | (events.contains(.write) ? EPOLLOUT.rawValue : 0)
    ///     ev.data.fd = fd
    ///     if events.isEmpty {
    ///         if known.remove(fd) != nil { epoll_ctl(ep, EPOLL_CTL_DEL, fd, nil) }
    ///     } else {
    ///         epoll_ctl(ep, known.insert(fd).inserted ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &ev)
    ///     }
    /// }, deadline: { next = $0 })
    ///
    /// var ready = [epoll_event](repeating: epoll_event(), count: 64)
    /// while serving {                                   // the host's own loop
    ///     // Rounded up so a timer is not polled for just before it is due; clamped because a
    ///     // deadline weeks away does not fit epoll's Int32 milliseconds.
    ///     let wait = next.map { d -> Int32 in
    ///         let ms = ((d - loop.now) / .milliseconds(1)).rounded(.up)
    ///         return Int32(max(0, min(ms, Double(Int32.max))))
    ///     } ?? -1
    ///     let n = epoll_wait(ep, &ready, 64, wait)
    ///     for event in ready.prefix(Int(max(n, 0))) where known.contains(event.data.fd) {
    ///         var io: IOEvents = []
    ///         if event.events & EPOLLIN.rawValue != 0 { io.insert(.read) }
    ///         if event.events & EPOLLOUT.rawValue != 0 { io.insert(.write) }
    ///         if event.events & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 { io.insert(.error) }
    ///         loop.hostReady(fd: event.data.fd, events: io)
    ///     }
    ///     if let d = next, d <= loop.now { loop.hostDeadlineReached() }
    /// }
    /// ```
    public func attachHost(watch: @escaping (_ fd: Int32, _ events: IOEvents) -> Void,
                           deadline: @escaping (_ next: Deadline?) -> Void) {
        takeOwnership()
        precondition(!isRunning, "attachHost while the loop is running")
        host = HostHooks(watch: watch, deadline: deadline)
        reportedHostDeadline = .none
        for (fd, handler) in handlers.sorted(by: { $0.key < $1.key }) {
            watch(fd, handler.events)
        }
        hostSyncDeadline()
    }

    /// Stops reporting to the host (the host should drop its registrations itself);
    /// `run()` and `runOnce` may be used again afterwards.
    public func detachHost() {
        assertInLoop()
        host = nil
    }

    /// The host saw `events` on a watched descriptor. Runs its handler, then any pending
    /// callbacks and due timers, then reports changes.
    public func hostReady(fd: Int32, events: IOEvents) {
        assertInLoop()
        hostDispatch {
            if let handler = handlers[fd] {
                handler.callback(events)
            }
        }
    }

    /// The deadline last reported through `deadline` has passed: runs pending callbacks and
    /// due timers, then reports the next deadline.
    public func hostDeadlineReached() {
        assertInLoop()
        hostDispatch {}
    }

    private func hostDispatch(_ body: () -> Void) {
        hostDispatchDepth += 1
        body()
        let due = timers.popDue(now: now)
        runQueuedCallbacks()
        runTimers(due)
        hostDispatchDepth -= 1
        if hostDispatchDepth == 0 { hostSyncDeadline() }
    }

    func hostWatch(_ fd: Int32, _ events: IOEvents) {
        host?.watch(fd, events)
    }

    func hostUnwatch(_ fd: Int32) {
        host?.watch(fd, [])
    }

    /// Outside a host dispatch (e.g. setup code scheduling a timer) the host hears about a
    /// new deadline at once; inside one, once when the dispatch ends.
    func hostSyncDeadlineIfIdle() {
        guard host != nil, hostDispatchDepth == 0 else { return }
        hostSyncDeadline()
    }

    private func hostSyncDeadline() {
        guard let host else { return }
        let next: Deadline? = hasQueuedCallbacks ? now : timers.nextDeadline()
        if case .some(let reported) = reportedHostDeadline, reported == next { return }
        reportedHostDeadline = .some(next)
        host.deadline(next)
    }
}
