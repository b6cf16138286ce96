import KielIO
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
