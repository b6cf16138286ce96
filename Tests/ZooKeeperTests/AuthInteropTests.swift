import Foundation
import KielIO
import KielTestSupport
import XCTest
@testable import ZooKeeper

/// Digest credentials and ACLs against the real server, checked from the other side with
/// kazoo; credentials re-sent after the fault proxy cuts the connection; a refused scheme
/// reported once and never retried; the recipes' nodes carrying the ACL they were given.
final class AuthInteropTests: XCTestCase {
    var h: ZKLoopHarness!
    var proxies: [FaultProxy] = []

    static let alice = ZooKeeperCredentials.digest(user: "alice", password: "s3cret")

    override func setUpWithError() throws {
        h = try ZKLoopHarness()
    }

    override func tearDown() {
        h?.closeAll()
        for proxy in proxies { proxy.stop() }
        proxies = []
        h = nil
    }

    /// A started client with `credentials`, once its first session is up.
    func client(_ connectString: String, _ credentials: [ZooKeeperCredentials]) throws -> ZooKeeperClient {
        let zk = try ZooKeeperClient(loop: h.loop, connectString: connectString)
        h.clients.append(zk)
        for credential in credentials { zk.addAuth(credential) }
        let _: Void = try h.wait { done in
            zk.addStateListener { if case .connected = $0 { done(.success(())) } }
            zk.start()
        }
        return zk
    }

    func proxy(_ plan: [Int: String] = [:]) throws -> FaultProxy {
        var faults = FaultProxy.Faults()
        faults.plan = plan
        let proxy = try FaultProxy(upstream: try TestServices.zookeeper(), faults: faults)
        proxies.append(proxy)
        return proxy
    }

    func testKazooSharesTheDigestIdentityBothWays() throws {
        let server = try ZKServices.single()
        let alice = try client(server, [Self.alice])
        let anonymous = try client(server, [])
        let bob = try client(server, [.digest(user: "bob", password: "s3cret")])
        try h.value { anonymous.ensurePath(h.root, $0) }
        let ours = h.root + "/swift-made", theirs = h.root + "/kazoo-made"
        try h.value { alice.create(ours, data: Array("from swift".utf8), acl: ACL.creatorAll, $0) }

        // kazoo, with the same credentials and without: reads ours, makes its own.
        let output = try ZKServices.runPython("""
        import json, sys
        from kazoo.client import KazooClient
        from kazoo.exceptions import NoAuthError
        from kazoo.security import CREATOR_ALL_ACL, make_digest_acl_credential
        hosts, ours, theirs = sys.argv[1:4]
        report = {"identity": make_digest_acl_credential("alice", "s3cret")}
        zk = KazooClient(hosts=hosts, auth_data=[("digest", "alice:s3cret")]); zk.start()
        report["read"] = zk.get(ours)[0].decode()
        zk.create(theirs, b"from kazoo", acl=CREATOR_ALL_ACL)
        zk.stop()
        anonymous = KazooClient(hosts=hosts); anonymous.start()
        try:
            anonymous.get(ours); report["anonymous"] = "read"
        except NoAuthError:
            report["anonymous"] = "noauth"
        anonymous.stop()
        print(json.dumps(report))
        """, [server, ours, theirs])
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: String])
        XCTAssertEqual(report["read"], "from swift")
        XCTAssertEqual(report["anonymous"], "noauth")

        // The server wrote the same digest identity for both creators.
        let identity = try XCTUnwrap(report["identity"])
        XCTAssertEqual(try h.value { alice.getACL(ours, $0) }.acl,
                       [ACL(permissions: .all, scheme: "digest", id: identity)])
        XCTAssertEqual(try h.value { alice.getACL(theirs, $0) }.acl,
                       [ACL(permissions: .all, scheme: "digest", id: identity)])
        XCTAssertEqual(try h.value { alice.getData(theirs, $0) }.data, Array("from kazoo".utf8))
        for (who, zk) in [("anonymous", anonymous), ("bob", bob)] {
            XCTAssertEqual(try h.result { zk.getData(ours, $0) }.error, .noAuth, who)
            XCTAssertEqual(try h.result { zk.setData(theirs, data: [0], $0) }.error, .noAuth, who)
        }
        // A session without credentials can't make a node only its creator may use.
        XCTAssertEqual(try h.result { anonymous.create(h.root + "/nobody", acl: ACL.creatorAll, $0) }.error,
                       .invalidACL)
    }

    func testCredentialsAreSentAgainAfterTheProxyCutsTheConnection() throws {
        // The first connection is cut inside the big setData below; the second one passes.
        let proxy = try proxy([0: "cut:up:60000"])
        let zk = try client(proxy.address, [Self.alice])
        let anonymous = try client(try ZKServices.single(), [])
        try h.value { anonymous.ensurePath(h.root, $0) }
        let node = h.root + "/guarded"
        try h.value { zk.create(node, data: [1], acl: ACL.creatorAllWorldRead, $0) }
        let session = zk.sessionID
        var changes: [StateChange] = []
        zk.addStateListener { changes.append($0) }

        let big = [UInt8](repeating: 0x61, count: 100_000)
        XCTAssertEqual(try h.result { zk.setData(node, data: big, $0) }.error, .connectionLoss)
        try h.until("reconnected") { changes.contains(.reconnected) }
        XCTAssertEqual(changes, [.suspended, .reconnected])
        XCTAssertEqual(zk.sessionID, session)

        // Writing needs alice's identity, which the new connection has only if it was re-sent.
        try h.value { zk.setData(node, data: [2], $0) }
        XCTAssertEqual(try h.value { anonymous.getData(node, $0) }.data, [2], "the world may read")
        XCTAssertEqual(try h.result { anonymous.setData(node, data: [3], $0) }.error, .noAuth)
        let stats = try proxy.stats()
        XCTAssertEqual(stats.faults["cut"], 1, "\(stats)\n\(proxy.log())")
        XCTAssertEqual(stats.connections, 2)
    }

    func testARefusedSchemeIsReportedOnceAndNeverRetried() throws {
        let proxy = try proxy()
        let zk = try ZooKeeperClient(loop: h.loop, connectString: proxy.address)
        h.clients.append(zk)
        var changes: [StateChange] = []
        zk.addStateListener { changes.append($0) }
        var authAnswers: [Result<Void, ZooKeeperError>] = []
        var queuedAnswers: [Result<Stat?, ZooKeeperError>] = []
        zk.addAuth(ZooKeeperCredentials(scheme: "no-such-scheme", bytes: Array("alice:s3cret".utf8))) {
            authAnswers.append($0)
        }
        zk.exists("/") { queuedAnswers.append($0) }
        zk.start()
        try h.until("auth answered") { !authAnswers.isEmpty }
        // Give a reconnect loop (its first retry would come within 50 ms) the chance to show.
        h.spin(.seconds(1))

        XCTAssertEqual(authAnswers.map(\.error), [.authFailed])
        XCTAssertEqual(queuedAnswers.map(\.error), [.authFailed])
        XCTAssertEqual(changes.count, 2, "\(changes)")
        XCTAssertEqual(changes.last, .lost(.authFailed))
        XCTAssertEqual(zk.wireState, .authFailed)
        XCTAssertEqual(zk.state, .lost)
        XCTAssertEqual(zk.sessionID, 0)
        XCTAssertEqual(try proxy.stats().connections, 1, "no reconnecting after the refusal")
        // Later calls fail at once, with the same error.
        XCTAssertEqual(try h.result { zk.getData("/", $0) }.error, .authFailed)
        XCTAssertEqual(try h.result { zk.addAuth(Self.alice, $0) }.error, .authFailed)
        XCTAssertEqual(changes.count, 2)
        XCTAssertEqual(try proxy.stats().connections, 1)
    }

    /// A node the session may not create under still counts as there for `ensurePath`, so
    /// ancestors made restrictive beforehand don't stand in the way of a path below them.
    func testEnsurePathGoesThroughAncestorsItMayNotCreateUnder() throws {
        let server = try ZKServices.single()
        let alice = try client(server, [Self.alice])
        let anonymous = try client(server, [])
        try h.value { anonymous.ensurePath(h.root, $0) }
        let guarded = h.root + "/guarded"
        try h.value { alice.create(guarded, acl: ACL.creatorAllWorldRead, $0) }
        try h.value { alice.create(guarded + "/open", $0) }
        try h.value { anonymous.ensurePath(guarded + "/open/below", $0) }
        XCTAssertNotNil(try h.value { alice.exists(guarded + "/open/below", $0) })
        XCTAssertEqual(try h.result { anonymous.ensurePath(guarded + "/missing/below", $0) }.error, .noAuth)
    }

    func testRecipesCreateTheirNodesWithTheirACL() throws {
        let server = try ZKServices.single()
        let alice = try client(server, [Self.alice])
        let anonymous = try client(server, [])
        try h.value { anonymous.ensurePath(h.root, $0) }
        let partyPath = h.root + "/party", setPath = h.root + "/set", lockPath = h.root + "/lock"

        let party = Party(client: alice, path: partyPath, memberName: "a", acl: ACL.creatorAll)
        try h.value { party.start($0) }
        try h.value { party.join($0) }
        let set = SharedSet(client: alice, path: setPath, acl: ACL.creatorAllWorldRead)
        try h.value { set.start($0) }
        try h.value { set.add(["t:0"], $0) }
        let lock = Lock(client: alice, path: lockPath, acl: ACL.creatorAll)
        try h.value { lock.acquire($0) }
        let contender = try XCTUnwrap(lock.nodePath)

        let identity = try XCTUnwrap(h.value { alice.getACL(partyPath, $0) }.acl.first?.id)
        XCTAssertTrue(identity.hasPrefix("alice:"), identity)
        let creator = ACL(permissions: .all, scheme: "digest", id: identity)
        for path in [partyPath, party.memberPath, lockPath, contender] {
            XCTAssertEqual(try h.value { alice.getACL(path, $0) }.acl, [creator], path)
        }
        for path in [setPath, set.lockPath] {
            XCTAssertEqual(try h.value { alice.getACL(path, $0) }.acl, [creator, .anyone(.read)], path)
        }
        XCTAssertEqual(try h.result { anonymous.getChildren(partyPath, $0) }.error, .noAuth)
        XCTAssertEqual(try h.result { anonymous.create(lockPath + "/intruder", $0) }.error, .noAuth)
        XCTAssertEqual(try h.value { anonymous.getData(setPath, $0) }.data, Array("[\"t:0\"]".utf8))
        XCTAssertEqual(try h.result { anonymous.setData(setPath, data: [], $0) }.error, .noAuth)
        try h.value { lock.release($0) }
        try h.value { party.leave($0) }
    }
}
