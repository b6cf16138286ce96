import KielIO

// The connection's timers, all derived from the session timeouts: how long a connect may take,
// when to ping, when a silent server counts as gone, and how soon to reconnect after a loss.
// The server picks the negotiated timeout; a broken or hostile one may grant 1 ms, so every
// timer derived from it has a floor.

extension ZooKeeperConnection {
    /// The shortest read timeout. A real server grants at least two of its ticks (4 s by
    /// default), so this floor only ever stands in for a nonsense grant: then 200 ms leaves a
    /// ping (sent after `minimumPingInterval`) 100 ms to come back before the connection is
    /// dropped, which a server on any usable network answers in time.
    static let minimumReadTimeout = Duration.milliseconds(200)

    /// A connection lost sooner than this after its handshake was most likely dropped by the
    /// server (or by the floored read timeout), so the reconnect backs off; losing one that
    /// lasted longer is news, and the reconnect follows at once and the backoff starts over.
    static let healthyConnection = Duration.seconds(1)

    /// Per-attempt connect (and handshake) timeout: the session timeout shared by the hosts,
    /// as the Java client does, but never under 500 ms (a TCP connect and one round trip).
    var connectTimeout: Duration {
        max(requestedTimeout / hosts.count, .milliseconds(500))
    }

    /// Silence for this long means the server is gone: two thirds of the session timeout, as
    /// in the Java client, so another server can be reached before the session expires.
    var readTimeout: Duration {
        max(negotiatedTimeout * 2 / 3, Self.minimumReadTimeout)
    }

    /// Idle for this long, send a ping: half the read timeout, so at least one ping has had
    /// half the read timeout to be answered before silence counts. At least 100 ms (half the
    /// read timeout's floor): pings at a tenth of a second are plenty for any session.
    var pingInterval: Duration { readTimeout / 2 }

    /// Wakes when the read timeout or the next ping falls due, whichever is first. Frames sent
    /// and received meanwhile only move both later, so a tick may find nothing due and sleep
    /// again; it never fires late (a fixed beat noticed silence up to a beat after the read
    /// timeout, eating into the time left to reach another server).
    func scheduleTick() {
        let due = min(lastReceive + readTimeout, lastSend + pingInterval)
        tickTimer = loop.addTimeout(due) { [weak self] in
            guard let self else { return }
            self.tickTimer = nil
            self.tick()
        }
    }

    private func tick() {
        guard wireState == .connected || wireState == .closing else { return }
        let now = loop.now
        if now - lastReceive >= readTimeout {
            connectionLost("nothing received for \(readTimeout) (two thirds of the session timeout, or the floor)")
            return
        }
        if now - lastSend >= pingInterval {
            sendSpecial(PingRequest(), xid: SpecialXid.ping)
        }
        scheduleTick()
    }

    /// How long to wait before reconnecting after an established connection was lost: at once
    /// if it had lasted (and the backoff starts over), else the next backoff step.
    func reconnectDelayAfterLoss() -> Duration {
        let lasted = establishedAt.map { loop.now - $0 } ?? .zero
        if lasted >= Self.healthyConnection {
            backoff.reset()
            return .zero
        }
        return backoff.next()
    }
}
