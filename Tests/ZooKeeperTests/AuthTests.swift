import KielIO
import XCTest
@testable import ZooKeeper

/// Authentication and ACLs against a real server.
final class AuthTests: XCTestCase {
    var h: ZKLoopHarness!

    override func setUpWithError() throws {
        h = try ZKLoopHarness()
    }

    override func tearDown() {
        h?.closeAll()
        h = nil
    }

    func testDigestAuthAndACLs() throws {
        let alice = try ZooKeeperClient(loop: h.loop, connectString: try ZKServices.single())
        h.clients.append(alice)
        // Credentials given before the first connection go out with it.
        var early: Result<Void, ZooKeeperError>?
        alice.addAuth(scheme: "digest", credentials: Array("alice:secret".utf8)) { early = $0 }
        alice.start()
        try h.until("auth answered") { early != nil }
        XCTAssertNil(early?.error)

        let anonymous = try h.connect(try ZKServices.single())
        let alsoAlice = try h.connect(try ZKServices.single())
        try h.value { alsoAlice.addAuth(scheme: "digest", credentials: Array("alice:secret".utf8), $0) }

        try h.value { alice.ensurePath(h.root, $0) }
        let node = h.root + "/private"
        try h.value { alice.create(node, data: [1], acl: ACL.creatorAll, $0) }
        XCTAssertEqual(try h.result { anonymous.getData(node, $0) }.error, .noAuth)
        XCTAssertEqual(try h.value { alsoAlice.getData(node, $0) }.data, [1])
        let (acl, stat) = try h.value { alice.getACL(node, $0) }
        XCTAssertEqual(acl.count, 1)
        XCTAssertEqual(acl.first?.scheme, "digest")
        XCTAssertTrue(acl.first?.id.hasPrefix("alice:") ?? false)
        XCTAssertEqual(acl.first?.permissions, .all)

        // Let everyone read; writing still needs the credentials.
        let newACL = acl + ACL.readUnsafe
        XCTAssertEqual(try h.result { anonymous.setACL(node, acl: ACL.openUnsafe, $0) }.error, .noAuth)
        XCTAssertEqual(try h.result { alice.setACL(node, acl: newACL, version: stat.aversion + 1, $0) }.error,
                       .badVersion)
        try h.value { alice.setACL(node, acl: newACL, version: stat.aversion, $0) }
        XCTAssertEqual(try h.value { anonymous.getData(node, $0) }.data, [1])
        XCTAssertEqual(try h.result { anonymous.setData(node, data: [2], $0) }.error, .noAuth)

        // Credentials are per connection: they must be sent again after a reconnect.
        var changes: [StateChange] = []
        alice.addStateListener { changes.append($0) }
        alice.dropConnectionForTesting(blockReconnectFor: .zero)
        try h.until("reconnected") { changes.contains(.reconnected) }
        try h.value { alice.setData(node, data: [3], $0) }
        XCTAssertEqual(try h.value { anonymous.getData(node, $0) }.data, [3])
    }

    func testUnknownSchemeEndsTheSessionWithAuthFailed() throws {
        let zk = try h.connect(try ZKServices.single())
        var changes: [StateChange] = []
        zk.addStateListener { changes.append($0) }
        let result = try h.result { zk.addAuth(scheme: "no-such-scheme", credentials: [1, 2, 3], $0) }
        XCTAssertEqual(result.error, .authFailed)
        XCTAssertEqual(changes, [.lost(.authFailed)])
        XCTAssertEqual(zk.wireState, .authFailed)
        XCTAssertEqual(zk.state, .lost)
        XCTAssertEqual(try h.result { zk.exists("/", $0) }.error, .authFailed)
    }
}
