import KielIO
#if canImport(Glibc)
import Glibc
#endif
import XCTest
@testable import ZooKeeper

/// Pings, read-timeout detection and bad replies, against a scripted server.
final class ScriptedServerTests: XCTestCase {
    var h: ZKLoopHarness!
    var server: ScriptedServer!

    override func setUpWithError() throws {
        h = try ZKLoopHarness()
        server = try ScriptedServer(loop: h.loop)
    }

    override func tearDown() {
        h?.closeAll()
        server?.shutdown()
        h = nil
        server = nil
    }

    func testPingsKeepAnIdleSessionAlive() throws {
        let zk = try h.connect(server.connectString, sessionTimeout: .milliseconds(600))
        var changes: [StateChange] = []
        zk.addStateListener { changes.append($0) }
        XCTAssertEqual(zk.negotiatedSessionTimeout, .milliseconds(600))
        try h.until("several pings") { self.server.pings >= 3 }
        XCTAssertEqual(changes, [])
        XCTAssertEqual(zk.state, .connected)
        XCTAssertEqual(server.connectRequests.count, 1)
    }

    func testSilentServerIsDetectedAndTheSessionResumed() throws {
        let zk = try h.connect(server.connectString, sessionTimeout: .milliseconds(600))
        var changes: [StateChange] = []
        zk.addStateListener { changes.append($0) }
        server.answerPings = false
        let silent = ContinuousClock.now
        var suspendedAfter: Duration?
        zk.addStateListener { if $0 == .suspended { suspendedAfter = ContinuousClock.now - silent } }
        try h.until("read timeout noticed and reconnected") { changes.count >= 2 }
        print("zookeeper read timeout: server silent → suspended after \(suspendedAfter!) "
            + "(negotiated timeout 600 ms)")
        XCTAssertEqual(changes, [.suspended, .reconnected])
        XCTAssertEqual(server.connectRequests.count, 2)
        XCTAssertEqual(server.connectRequests[1].sessionID, server.sessionID)
        XCTAssertEqual(server.connectRequests[1].password, [UInt8](repeating: 7, count: 16))
        XCTAssertGreaterThan(server.pings, 0)
    }

    /// In virtual time: the read timeout counts from the last frame received, to the
    /// millisecond, not from the next beat of a periodic check (which let a silent connection
    /// go unnoticed for up to 5/6 of the session timeout, and left the reconnect as little as
    /// 1/6 of it before the servers expire the session).
    func testSilenceIsNoticedTwoThirdsOfTheSessionTimeoutAfterTheLastFrame() throws {
        let clock = TestClock()
        let v = try ZKLoopHarness(clock: .manual(clock))
        let server = try ScriptedServer(loop: v.loop)
        defer {
            v.closeAll()
            server.shutdown()
        }
        let zk = try v.connect(server.connectString, sessionTimeout: .milliseconds(600))
        server.onRequest = { xid, _, fd in
            var w = JuteWriter()
            ReplyHeader(xid: xid, zxid: 0, err: -101).encode(into: &w)  // noNode
            server.send(fd, w.bytes)
        }
        var suspendedAt: Deadline?
        zk.addStateListener { if $0 == .suspended { suspendedAt = v.loop.now } }
        // Virtual time moves in 10 ms steps; sockets and due timers run after each.
        func advance(until done: () -> Bool, limit: Duration) {
            let end = v.loop.now + limit
            while !done() && v.loop.now < end {
                clock.advance(by: .milliseconds(10))
                for _ in 0..<3 { v.loop.runOnce(timeout: .zero) }
            }
        }
        // Pings answered: the session stays up, pinged every third of the timeout.
        advance(until: { false }, limit: .milliseconds(1000))
        XCTAssertNil(suspendedAt)
        XCTAssertGreaterThanOrEqual(server.pings, 4)
        let pings = server.pings
        // A frame off the beat of the connection's own timers, then silence.
        clock.advance(by: .milliseconds(50))
        XCTAssertNil(try v.value { zk.exists("/x", $0) })
        server.answerPings = false
        let lastFrame = v.loop.now
        advance(until: { suspendedAt != nil }, limit: .seconds(2))
        XCTAssertEqual(suspendedAt.map { $0 - lastFrame }, .milliseconds(400), "read timeout is 2/3 of 600 ms")
        XCTAssertGreaterThan(server.pings, pings, "pinged while waiting")
    }

    func testReplyToNoRequestDropsTheConnection() throws {
        let zk = try h.connect(server.connectString, sessionTimeout: .milliseconds(600))
        var changes: [StateChange] = []
        zk.addStateListener { changes.append($0) }
        server.onRequest = { xid, _, fd in
            var w = JuteWriter()
            ReplyHeader(xid: xid + 1000, zxid: 5, err: 0).encode(into: &w)
            self.server.send(fd, w.bytes)
        }
        let result = try h.result { zk.exists("/x", $0) }
        XCTAssertEqual(result.error, .connectionLoss)
        try h.until("reconnected") { changes.contains(.reconnected) }
        XCTAssertEqual(changes, [.suspended, .reconnected])
    }

    func testUndecodableReplyIsAProtocolError() throws {
        let zk = try h.connect(server.connectString)
        server.onRequest = { xid, _, fd in
            var w = JuteWriter()
            ReplyHeader(xid: xid, zxid: 5, err: 0).encode(into: &w)
            w.writeInt32(1_000_000)  // a data length far past the frame
            self.server.send(fd, w.bytes)
        }
        let result = try h.result { zk.getData("/x", $0) }
        guard case .failure(.protocol) = result else {
            return XCTFail("expected a protocol error")
        }
        XCTAssertEqual(zk.lastZxid, 5)
    }

    func testOversizedReplyLengthDropsTheConnectionAtOnce() throws {
        // A long session timeout: only the length check, not the read timeout, can end this.
        server.sessionTimeoutMs = 120_000
        let zk = try h.connect(server.connectString, sessionTimeout: .seconds(120))
        var changes: [StateChange] = []
        zk.addStateListener { changes.append($0) }
        server.onRequest = { _, _, fd in
            // Only a length prefix far above the limit; the rest never comes.
            var w = JuteWriter()
            w.writeInt32(Int32(ZooKeeperConnection.maxReplySize + 1))
            _ = w.bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            self.server.onRequest = nil
        }
        let result = try h.result(.seconds(20)) { zk.exists("/x", $0) }
        XCTAssertEqual(result.error, .connectionLoss)
        try h.until("reconnected", timeout: .seconds(20)) { changes.contains(.reconnected) }
        XCTAssertEqual(changes, [.suspended, .reconnected])
    }

    func testRequestMadeBeforeAnySessionTimesOutOnce() throws {
        let address = server.connectString
        server.shutdown()  // nothing listens on the port any more
        server = nil
        let (zk, seen) = try startAndAsk(address)
        h.spin(.milliseconds(300))
        XCTAssertEqual(seen.answers, [.timeout])
        XCTAssertEqual(seen.changes, [])
        XCTAssertEqual(zk.state, .lost)
    }

    func testNoSessionGrantedIsAFailedAttemptNotAnExpiry() throws {
        server.sessionTimeoutMs = 0  // "expired" although we asked for a new session
        let (_, seen) = try startAndAsk(server.connectString)
        XCTAssertEqual(seen.answers, [.timeout])
        XCTAssertEqual(seen.changes, [])
        XCTAssertGreaterThan(server.connectRequests.count, 0)
        XCTAssertEqual(Set(server.connectRequests.map(\.sessionID)), [0])
    }

    final class Seen {
        var changes: [StateChange] = []
        var answers: [ZooKeeperError?] = []
    }

    /// Starts a client (300 ms session timeout) without waiting for a session, sends one
    /// exists at once, and waits for its answer.
    private func startAndAsk(_ address: String) throws -> (ZooKeeperClient, Seen) {
        let zk = try ZooKeeperClient(loop: h.loop, connectString: address,
                                     sessionTimeout: .milliseconds(300))
        h.clients.append(zk)
        let seen = Seen()
        zk.addStateListener { seen.changes.append($0) }
        zk.start()
        zk.exists("/") { seen.answers.append($0.error) }
        try h.until("answered") { !seen.answers.isEmpty }
        return (zk, seen)
    }

    /// A server may negotiate any session timeout, 1 ms included: the derived timers keep
    /// their floors, so the client neither pings nor reconnects in a tight loop.
    func testATinyNegotiatedTimeoutDoesNotMakeTheClientSpin() throws {
        server.sessionTimeoutMs = 1
        let zk = try h.connect(server.connectString, sessionTimeout: .milliseconds(600))
        var changes: [StateChange] = []
        zk.addStateListener { changes.append($0) }
        XCTAssertEqual(zk.negotiatedSessionTimeout, .milliseconds(1))
        h.spin(.seconds(1))
        print("zookeeper 1 ms session: \(server.connectRequests.count) connects, \(server.pings) pings in 1 s")
        // A ping at most every 100 ms, answered within the 200 ms read timeout: one connection.
        XCTAssertEqual(server.connectRequests.count, 1)
        XCTAssertLessThanOrEqual(server.pings, 11)
        XCTAssertGreaterThanOrEqual(server.pings, 3)
        XCTAssertEqual(changes, [])
    }

    /// The same server gone silent after each handshake: every connection dies at the read
    /// timeout, and the reconnects back off instead of following at once.
    func testReconnectsToAServerThatDropsEachSessionBackOff() throws {
        server.sessionTimeoutMs = 1
        server.answerPings = false
        _ = try h.connect(server.connectString, sessionTimeout: .milliseconds(600))
        h.spin(.seconds(3))
        let times = server.connectTimes
        let gaps = zip(times.dropFirst(), times).map { $0 - $1 }
        print("zookeeper 1 ms session, silent server: \(times.count) connects in 3 s, gaps \(gaps)")
        XCTAssertGreaterThanOrEqual(times.count, 3)
        XCTAssertLessThanOrEqual(times.count, 8)
        if let first = gaps.first, let last = gaps.last {
            XCTAssertGreaterThan(last, first * 2, "the gaps grow")
        }
    }

    func testExpiredAnswerToAResumeIsReported() throws {
        let zk = try h.connect(server.connectString, sessionTimeout: .milliseconds(600))
        var changes: [StateChange] = []
        zk.addStateListener { changes.append($0) }
        server.expireResumes = true
        zk.dropConnectionForTesting(blockReconnectFor: .zero)
        try h.until("expiry") { changes.contains(.lost(.expired)) }
        XCTAssertEqual(Array(changes.prefix(2)), [.suspended, .lost(.expired)])
        try h.until("new session") { changes.count >= 3 }
        XCTAssertEqual(changes[2], .connected(sessionID: server.sessionID))
        XCTAssertEqual(server.connectRequests.last?.sessionID, 0)
    }
}

/// Every addAuth completion runs once, also when the client closes before the server answers.
final class ScriptedServerAuthTests: XCTestCase {
    func testCloseAnswersAuthNotYetSentOrNotYetAnswered() throws {
        let h = try ZKLoopHarness()
        let server = try ScriptedServer(loop: h.loop)
        defer { server.shutdown() }

        // Given before start and never sent.
        let unstarted = try ZooKeeperClient(loop: h.loop, connectString: server.connectString)
        var early: [ZooKeeperError?] = []
        unstarted.addAuth(scheme: "digest", credentials: Array("a:b".utf8)) { early.append($0.error) }
        let _: Void = try h.wait { done in unstarted.close { done(.success(())) } }
        h.spin(.milliseconds(50))
        XCTAssertEqual(early, [.closed])

        // Sent on a live connection; the server never answers it (nor the closeSession).
        let zk = try h.connect(server.connectString, sessionTimeout: .milliseconds(600))
        var sent: [ZooKeeperError?] = []
        zk.addAuth(scheme: "digest", credentials: Array("a:b".utf8)) { sent.append($0.error) }
        h.spin(.milliseconds(50))
        XCTAssertEqual(sent, [])
        let _: Void = try h.wait { done in zk.close { done(.success(())) } }
        h.spin(.milliseconds(50))
        XCTAssertEqual(sent, [.closed])
        h.clients = []
    }
}
