import KielIO
import KielTestSupport
import XCTest
@testable import ZooKeeper

/// Connection loss, failover across the ensemble and session expiry, against real servers.
final class SessionTests: XCTestCase {
    var h: ZKLoopHarness!

    override func setUpWithError() throws {
        h = try ZKLoopHarness()
    }

    override func tearDown() {
        h?.closeAll()
        h = nil
    }

    func testInFlightRequestsFailWithConnectionLossExactlyOnce() throws {
        let zk = try h.connect(try ZKServices.single())
        var changes: [StateChange] = []
        zk.addStateListener { changes.append($0) }
        let session = zk.sessionID
        var answers = [Int](repeating: 0, count: 100)
        var errors: [ZooKeeperError?] = []
        for i in 0..<100 {
            zk.exists("/") { result in
                answers[i] += 1
                errors.append(result.error)
            }
        }
        zk.dropConnectionForTesting(blockReconnectFor: .zero)
        try h.until("all answered and reconnected") {
            errors.count == 100 && changes.contains(.reconnected)
        }
        XCTAssertEqual(answers, [Int](repeating: 1, count: 100))
        XCTAssertEqual(Set(errors.map { $0 }), [.connectionLoss])
        XCTAssertEqual(changes, [.suspended, .reconnected])
        XCTAssertEqual(zk.sessionID, session)
        XCTAssertNotNil(try h.value { zk.exists("/", $0) })
        h.spin(.milliseconds(100))
        XCTAssertEqual(answers, [Int](repeating: 1, count: 100))
    }

    func testRequestsMadeWhileSuspendedRunAfterReconnecting() throws {
        let zk = try h.connect(try ZKServices.single())
        try h.value { zk.ensurePath(h.root, $0) }
        var changes: [StateChange] = []
        zk.addStateListener { changes.append($0) }
        zk.dropConnectionForTesting(blockReconnectFor: .milliseconds(300))
        XCTAssertEqual(zk.state, .suspended)
        let created = try h.value { zk.create(h.root + "/later", $0) }
        XCTAssertEqual(created, h.root + "/later")
        XCTAssertEqual(changes, [.suspended, .reconnected])
    }

    func testFailoverKeepsSessionEphemeralsAndWatches() throws {
        let ensemble = try ZKServices.ensemble()
        let ports = ensemble.split(separator: ",").map { Int($0.split(separator: ":").last!)! }
        let zk = try h.connect(ensemble, sessionTimeout: .seconds(8))
        let other = try h.connect(ensemble)
        var changes: [StateChange] = []
        zk.addStateListener { changes.append($0) }
        let session = zk.sessionID
        let eph = h.root + "/eph"
        let watched = h.root + "/watched"
        try h.value { zk.ensurePath(h.root, $0) }
        try h.value { zk.create(eph, mode: .ephemeral, $0) }
        try h.value { zk.create(watched, $0) }
        var events: [WatchEvent] = []
        try h.value { zk.getData(watched, watch: { events.append($0) }, $0) }
        XCTAssertNil(try h.value { zk.exists(h.root + "/born", watch: { events.append($0) }, $0) })
        try h.value { zk.getChildren(h.root, watch: { events.append($0) }, $0) }

        let host = try XCTUnwrap(zk.connectedHost)
        let node = try XCTUnwrap(ports.firstIndex(of: host.port)) + 1
        let stopped = ContinuousClock.now
        try TestServices.zookeeperControl(stop: node)
        defer { try? TestServices.zookeeperControl(start: node) }
        var reconnectedAfter: Duration?
        zk.addStateListener { if $0 == .reconnected { reconnectedAfter = ContinuousClock.now - stopped } }
        try h.until("reconnected after node \(node) stopped") { changes.contains(.reconnected) }
        print("zookeeper failover: node \(node) stopped → same session back after \(reconnectedAfter!)")
        XCTAssertEqual(changes, [.suspended, .reconnected])
        XCTAssertEqual(zk.sessionID, session)
        XCTAssertNotEqual(zk.connectedHost?.port, host.port)

        // The ephemeral survived and is still ours; the re-armed watches fire.
        let stat = try XCTUnwrap(try h.value { other.exists(eph, $0) })
        XCTAssertEqual(stat.ephemeralOwner, session)
        try h.value { other.setData(watched, data: [1], $0) }
        try h.value { other.create(h.root + "/born", $0) }
        try h.until("re-armed watches") { events.count == 3 }
        XCTAssertEqual(Set(events.map { "\($0.kind) \($0.path)" }), [
            "nodeDataChanged \(watched)", "nodeCreated \(h.root)/born", "nodeChildrenChanged \(h.root)",
        ])

        try TestServices.zookeeperControl(start: node)
        XCTAssertNotNil(try h.value { zk.exists(eph, $0) })
    }

    func testExpiryIsReportedAndANewSessionFollows() throws {
        let zk = try h.connect(try ZKServices.single(), sessionTimeout: .seconds(1))
        let other = try h.connect(try ZKServices.single())
        var changes: [StateChange] = []
        zk.addStateListener { changes.append($0) }
        try h.value { zk.ensurePath(h.root, $0) }
        let eph = h.root + "/eph"
        try h.value { zk.create(eph, mode: .ephemeral, $0) }
        var events: [WatchEvent] = []
        try h.value { zk.getData(h.root, watch: { events.append($0) }, $0) }
        let old = zk.sessionID
        let timeout = zk.negotiatedSessionTimeout

        let dropped = ContinuousClock.now
        var expiredAfter: Duration?
        zk.addStateListener { if $0 == .lost(.expired) { expiredAfter = ContinuousClock.now - dropped } }
        zk.dropConnectionForTesting(blockReconnectFor: timeout * 3)
        // The servers delete the ephemeral once the session times out.
        try h.eventually("ephemeral removed by expiry") { answer in
            other.exists(eph) {
                if case .success(nil) = $0 { answer(true) } else { answer(false) }
            }
        }
        let removedAfter = ContinuousClock.now - dropped
        try h.until("expiry then a new session") {
            changes.count >= 3
        }
        print("zookeeper expiry: negotiated timeout \(timeout); cut off → servers removed the ephemeral after "
            + "\(removedAfter), expiry reported on reconnecting after \(expiredAfter!)")
        XCTAssertEqual(changes.count, 3)
        XCTAssertEqual(Array(changes.prefix(2)), [.suspended, .lost(.expired)])
        guard case .connected(let newSession) = changes[2] else { return XCTFail("\(changes)") }
        XCTAssertNotEqual(newSession, old)
        XCTAssertEqual(zk.sessionID, newSession)
        XCTAssertEqual(events, [WatchEvent(kind: .sessionExpired, path: h.root)])
        XCTAssertNil(try h.value { zk.exists(eph, $0) })
    }

    /// Killing the leader makes every follower drop its clients during the election; the
    /// session must survive that too.
    func testSessionSurvivesALeaderElection() throws {
        let ensemble = try ZKServices.ensemble()
        let zk = try h.connect(ensemble, sessionTimeout: .seconds(10))
        try h.value { zk.ensurePath(h.root, $0) }
        try h.value { zk.create(h.root + "/eph", mode: .ephemeral, $0) }
        let session = zk.sessionID
        let status = try TestServices.zookeeperStatus()
        let leaderLine = try XCTUnwrap(status.split(separator: "\n").first { $0.hasSuffix("leader") },
                                       status)
        let leader = try XCTUnwrap(Int(leaderLine.split(separator: " ")[0]))
        var changes: [StateChange] = []
        zk.addStateListener { changes.append($0) }
        let stopped = ContinuousClock.now
        try TestServices.zookeeperControl(stop: leader)
        defer { try? TestServices.zookeeperControl(start: leader) }
        // The servers left serve again once they have elected a new leader.
        try h.eventually("the ephemeral readable after the election", timeout: .seconds(60)) { answer in
            zk.exists(self.h.root + "/eph") { answer((try? $0.get())??.ephemeralOwner == session) }
        }
        print("zookeeper leader election: leader node \(leader) stopped → session usable after "
            + "\(ContinuousClock.now - stopped), changes \(changes)")
        XCTAssertEqual(zk.sessionID, session)
        XCTAssertFalse(changes.contains(.lost(.expired)))
        try TestServices.zookeeperControl(start: leader)
    }
}
