import XCTest
import KielTestSupport
@testable import Kiel
@testable import ZooKeeper

/// The ZooKeeper side of a group against a real server: the party, the shared set, partition
/// claims that exclude each other and free up on release or session expiry, and the rejoin
/// after an expiry.
final class ZooKeeperGroupCoordinationTests: XCTestCase {
    private var loop: IOLoop!
    private var events: [String: [GroupCoordinationEvent]] = [:]
    private var coordinations: [ZooKeeperGroupCoordination] = []

    override func tearDown() {
        var stopped = 0
        for coordination in coordinations { coordination.stop { stopped += 1 } }
        if loop != nil { _ = spin(seconds: 5) { stopped == self.coordinations.count } }
        coordinations = []
        loop = nil
        super.tearDown()
    }

    private func spin(seconds: Double, until condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            loop.runOnce(timeout: .milliseconds(10))
            if condition() { return true }
        }
        return condition()
    }

    /// Runs one operation to its completion.
    private func wait<T>(_ what: String, _ start: (@escaping (Result<T, KielError>) -> Void) -> Void) throws -> T {
        var outcome: Result<T, KielError>?
        start { outcome = $0 }
        XCTAssertTrue(spin(seconds: 20) { outcome != nil }, "\(what) never completed")
        return try XCTUnwrap(outcome, what).get()
    }

    private func member(_ name: String, group: GroupLayout, zk: String) throws -> ZooKeeperGroupCoordination {
        let client = try ZooKeeperClient(loop: loop, connectString: zk, sessionTimeout: .seconds(1))
        let coordination = ZooKeeperGroupCoordination(client: client, layout: group, member: name)
        coordination.onEvent = { [unowned self] event in self.events[name, default: []].append(event) }
        coordinations.append(coordination)
        try wait("start \(name)") { coordination.start($0) }
        return coordination
    }

    private func lastMembers(_ name: String) -> [String]? {
        for event in (events[name] ?? []).reversed() {
            if case .members(let list) = event { return list.sorted() }
        }
        return nil
    }

    private func lastPartitions(_ name: String) -> Set<String>? {
        for event in (events[name] ?? []).reversed() {
            if case .partitions(let list) = event { return Set(list) }
        }
        return nil
    }

    func testPartyClaimsAndRejoinAfterExpiry() throws {
        let (host, port) = try TestServices.zookeeper()
        let zk = "\(host):\(port)"
        let group = try XCTUnwrap(GroupLayout(group: TestServices.uniqueName("coord")))
        loop = try IOLoop()
        let a = try member("box:a", group: group, zk: zk)
        let b = try member("box:b", group: group, zk: zk)
        XCTAssertEqual(events["box:a"]?.contains(.joined), true)
        XCTAssertTrue(spin(seconds: 10) { self.lastMembers("box:a") == ["box:a", "box:b"] && self.lastMembers("box:b") == ["box:a", "box:b"] })

        // The shared set: both members see what either adds.
        try wait("add") { a.addPartitions(["t:0", "t:1"], $0) }
        try wait("add more") { b.addPartitions(["t:1", "t:2"], $0) }
        XCTAssertTrue(spin(seconds: 10) { self.lastPartitions("box:a") == ["t:0", "t:1", "t:2"] && self.lastPartitions("box:b") == ["t:0", "t:1", "t:2"] })

        // Claims exclude each other; only the owner's release frees one, and the waiter hears of it.
        let t0 = TopicPartition("t", 0)
        let t1 = TopicPartition("t", 1)
        XCTAssertEqual(try wait("a claims t:0") { a.claim(t0, $0) }, .acquired)
        XCTAssertEqual(try wait("a claims t:1") { a.claim(t1, $0) }, .acquired)
        XCTAssertEqual(try wait("a claims t:0 again") { a.claim(t0, $0) }, .acquired)
        XCTAssertEqual(try wait("b claims t:0") { b.claim(t0, $0) }, .heldByOther("box:a"))
        try wait("b releases what isn't its") { b.release(t0, $0) }
        XCTAssertEqual(try wait("b claims t:0 once more") { b.claim(t0, $0) }, .heldByOther("box:a"))
        try wait("a releases t:0") { a.release(t0, $0) }
        XCTAssertTrue(spin(seconds: 10) { self.events["box:b"]?.contains(.claimFreed(t0)) == true })
        XCTAssertEqual(try wait("b claims t:0 now") { b.claim(t0, $0) }, .acquired)

        // a's session expires: its claims go, it rejoins with a new session.
        XCTAssertEqual(try wait("b claims t:1") { b.claim(t1, $0) }, .heldByOther("box:a"))
        let session = a.client.sessionID
        events["box:a"] = []
        a.client.dropConnectionForTesting(blockReconnectFor: .seconds(3))
        XCTAssertTrue(spin(seconds: 20) { self.events["box:b"]?.contains(.claimFreed(t1)) == true }, "a's claim vanished")
        XCTAssertTrue(spin(seconds: 20) { self.events["box:a"]?.contains(.joined) == true }, "a rejoined")
        let seen = events["box:a"] ?? []
        XCTAssertEqual(Array(seen.prefix(2)), [.suspended, .expired])
        XCTAssertNotEqual(a.client.sessionID, session)
        XCTAssertTrue(spin(seconds: 10) { self.lastMembers("box:a") == ["box:a", "box:b"] && self.lastMembers("box:b") == ["box:a", "box:b"] })
        XCTAssertEqual(try wait("b claims t:1 after the expiry") { b.claim(t1, $0) }, .acquired)

        // Stopping leaves the party at once.
        var stopped = false
        a.stop { stopped = true }
        XCTAssertTrue(spin(seconds: 10) { stopped && self.lastMembers("box:b") == ["box:b"] })
        coordinations.removeAll { $0 === a }
    }
}
