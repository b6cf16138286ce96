import Foundation
import KielIO
import KielTestSupport
import XCTest
@testable import ZooKeeper

/// The Party and SharedSet recipes against a real server, and as kazoo/kiel see them.
final class PartyAndSharedSetTests: XCTestCase {
    var h: ZKLoopHarness!

    override func setUpWithError() throws {
        h = try ZKLoopHarness()
    }

    override func tearDown() {
        h?.closeAll()
        h = nil
    }

    func testMembersJoinAndLeave() throws {
        let one = try h.connect(try ZKServices.single())
        let two = try h.connect(try ZKServices.single())
        let path = h.root + "/members"
        var seen: [[String]] = []
        let alice = Party(client: one, path: path, memberName: "alice") { seen.append($0) }
        let bob = Party(client: two, path: path, memberName: "bob")
        try h.value { alice.start($0) }
        try h.until("empty party reported") { seen == [[]] }
        try h.value { alice.join($0) }
        try h.value { bob.join($0) }
        try h.until("both members") { seen.last == ["alice", "bob"] }
        try h.value { bob.leave($0) }
        try h.until("bob left") { seen.last == ["alice"] }
        try h.value { bob.leave($0) }  // leaving twice is fine

        // kazoo sees the members as plain children of the party node.
        let listed = try ZKServices.runPython("""
        import sys, json
        from kazoo.client import KazooClient
        zk = KazooClient(hosts=sys.argv[1]); zk.start()
        print(json.dumps(sorted(zk.get_children(sys.argv[2]))))
        zk.stop()
        """, [try ZKServices.single(), path])
        XCTAssertEqual(listed, "[\"alice\"]\n")

        // A member whose session closes leaves by itself.
        let _: Void = try h.wait { done in one.close { done(.success(())) } }
        XCTAssertEqual(try h.value { two.getChildren(path, $0) }, [])
    }

    /// join answers once even when the caller keeps no reference to the party.
    func testJoinAnswersAfterThePartyIsLetGo() throws {
        let zk = try h.connect(try ZKServices.single())
        let path = h.root + "/unheld"
        var answers: [ZooKeeperError?] = []
        do {
            Party(client: zk, path: path, memberName: "solo").join { answers.append($0.error) }
        }
        try h.until("join answered") { !answers.isEmpty }
        XCTAssertEqual(answers, [nil])
        XCTAssertEqual(try h.value { zk.getChildren(path, $0) }, ["solo"])
    }

    func testStaleNodeFromAnOlderSessionIsTakenOver() throws {
        let old = try h.connect(try ZKServices.single())
        let fresh = try h.connect(try ZKServices.single())
        let path = h.root + "/members"
        try h.value { old.create(path + "/worker-1", mode: .ephemeral, makeParents: true, $0) }
        let party = Party(client: fresh, path: path, memberName: "worker-1")
        try h.value { party.start($0) }
        try h.value { party.join($0) }
        let stat = try XCTUnwrap(try h.value { fresh.exists(path + "/worker-1", $0) })
        XCTAssertEqual(stat.ephemeralOwner, fresh.sessionID)
        // Joining again in the same session is a no-op.
        try h.value { party.join($0) }
        XCTAssertEqual(try h.value { fresh.exists(path + "/worker-1", $0) }, stat)
    }

    func testPartyRejoinsAfterSessionExpiry() throws {
        let member = try h.connect(try ZKServices.single(), sessionTimeout: .seconds(1))
        let observer = try h.connect(try ZKServices.single())
        let path = h.root + "/members"
        let party = Party(client: member, path: path, memberName: "phoenix")
        var memberViews: [[String]] = []
        party.onChange = { memberViews.append($0) }
        try h.value { party.start($0) }
        try h.value { party.join($0) }
        let firstOwner = try XCTUnwrap(try h.value { observer.exists(path + "/phoenix", $0) }).ephemeralOwner

        var changes: [StateChange] = []
        member.addStateListener { changes.append($0) }
        member.dropConnectionForTesting(blockReconnectFor: member.negotiatedSessionTimeout * 3)
        try h.until("expired and reconnected") { changes.count >= 3 }
        XCTAssertEqual(changes.prefix(2), [.suspended, .lost(.expired)])
        try h.eventually("member node re-created by the new session") { answer in
            observer.exists(path + "/phoenix") { result in
                let owner = (try? result.get())??.ephemeralOwner
                answer(owner != nil && owner != firstOwner && owner == member.sessionID)
            }
        }
        // The observer can see the node before the member's own re-armed watch reports it.
        try h.until("the member sees itself again") { party.members == ["phoenix"] }
        // The re-armed watch still reports changes.
        try h.value { observer.create(path + "/late", mode: .ephemeral, $0) }
        try h.until("watch after rejoin") { memberViews.last == ["late", "phoenix"] }
    }

    func testSharedSetAddRemoveReplace() throws {
        let one = try h.connect(try ZKServices.single())
        let two = try h.connect(try ZKServices.single())
        let path = h.root + "/partitions"
        var seen: [Set<String>] = []
        let reader = SharedSet(client: one, path: path) { seen.append($0) }
        let writer = SharedSet(client: two, path: path)
        try h.value { reader.start($0) }
        try h.value { writer.start($0) }
        try h.until("initial empty set") { seen == [[]] }

        try h.value { writer.add(["t:1", "t:0"], $0) }
        try h.until("added") { seen.last == ["t:0", "t:1"] }
        XCTAssertEqual(try h.value { one.getData(path, $0) }.data, Array("[\"t:0\", \"t:1\"]".utf8))
        // Concurrent writers under the lock never lose an update.
        var done = 0
        for i in 0..<5 {
            reader.add(["r:\(i)"]) { XCTAssertNil($0.error); done += 1 }
            writer.add(["w:\(i)"]) { XCTAssertNil($0.error); done += 1 }
        }
        try h.until("concurrent adds") { done == 10 }
        XCTAssertEqual(try h.value { reader.read($0) }.count, 12)
        try h.value { writer.remove(["t:0", "absent"], $0) }
        XCTAssertFalse(try h.value { reader.read($0) }.contains("t:0"))
        let version = try h.value { one.exists(path, $0) }!.version
        try h.value { writer.remove(["absent"], $0) }  // no change, no write
        XCTAssertEqual(try h.value { one.exists(path, $0) }!.version, version)
        try h.value { writer.replace(with: ["only"], $0) }
        try h.until("replaced") { seen.last == ["only"] }
        // The lock lives under the set's node, as in kiel, and is free again.
        XCTAssertEqual(try h.value { one.getChildren(path, $0) }, ["lock"])
        XCTAssertEqual(try h.value { one.getChildren(path + "/lock", $0) }, [])

        // Deleted and re-created: reported as empty, then watched again.
        try h.value { two.multi([.delete(path: path + "/lock"), .delete(path: path)], $0) }
        try h.until("deletion reported") { seen.last == [] }
        try h.value { two.create(path, data: Array("[\"back\"]".utf8), $0) }
        try h.until("re-creation reported") { seen.last == ["back"] }
    }

    /// kiel (Python) writes the set with kazoo's Lock and json.dumps; we read it, and kiel's
    /// json.loads reads what we wrote.
    /// The node is deleted and comes back between the set's read (no node) and its exists
    /// check: later changes are still reported once each.
    func testSharedSetNodeBackBeforeItsExistsCheckReportsChangesOnce() throws {
        let zk = try h.connect(try ZKServices.single())
        let path = h.root + "/set-back"
        var reports: [Set<String>] = []
        var recreateOnEmpty = false
        let set = SharedSet(client: zk, path: path) { items in
            reports.append(items)
            guard items.isEmpty, recreateOnEmpty else { return }
            recreateOnEmpty = false
            // Sent before the set's exists check, so that check finds the node.
            zk.create(path, data: SharedSet.encode(["a"])) { _ in }
        }
        try h.value { set.start($0) }
        try h.until("first report") { reports.count == 1 }
        recreateOnEmpty = true
        try h.value { zk.delete(path, $0) }
        try h.until("the node back") { reports.last == ["a"] }
        try h.value { zk.setData(path, data: SharedSet.encode(["b"]), $0) }
        try h.until("the change") { reports.last == ["b"] }
        h.spin(.milliseconds(300))
        XCTAssertEqual(reports, [[], [], ["a"], ["b"]])
    }

    func testSharedSetInteropWithKielsFormat() throws {
        let zk = try h.connect(try ZKServices.single())
        let path = h.root + "/shared"
        var seen: [Set<String>] = []
        let set = SharedSet(client: zk, path: path) { seen.append($0) }
        try h.value { set.start($0) }
        try h.value { set.add(["é", "a\"b", "plain"], $0) }
        let python = try ZKServices.runPython("""
        import sys, json
        from kazoo.client import KazooClient
        zk = KazooClient(hosts=sys.argv[1]); zk.start()
        path = sys.argv[2]
        with zk.Lock(path + "/lock"):
            items = set(json.loads(zk.get(path)[0] or "[]"))
            before = sorted(items)
            items.update({"from-kiel"})
            zk.set(path, json.dumps(list(items)).encode())
        print(json.dumps(before))
        zk.stop()
        """, [try ZKServices.single(), path])
        XCTAssertEqual(try JSONSerialization.jsonObject(with: Data(python.utf8)) as? [String],
                       ["a\"b", "plain", "é"])
        try h.until("kiel's write seen") { seen.last?.contains("from-kiel") == true }
        XCTAssertEqual(seen.last, ["é", "a\"b", "plain", "from-kiel"])
    }

    func testSharedSetJSONMatchesPython() {
        XCTAssertEqual(String(decoding: SharedSet.encode(["b", "a"]), as: UTF8.self), "[\"a\", \"b\"]")
        XCTAssertEqual(String(decoding: SharedSet.encode([]), as: UTF8.self), "[]")
        XCTAssertEqual(String(decoding: SharedSet.encode(["é\n\"\\😀"]), as: UTF8.self),
                       "[\"\\u00e9\\n\\\"\\\\\\ud83d\\ude00\"]")
        XCTAssertEqual(try SharedSet.decode(Array("[\"x\", \"\\u00e9\"]".utf8)).get(), ["x", "é"])
        XCTAssertEqual(try SharedSet.decode([]).get(), [])
        XCTAssertEqual(try SharedSet.decode(Array("null".utf8)).get(), [])
        XCTAssertNotNil(SharedSet.decode(Array("{\"a\": 1}".utf8)).error)
        XCTAssertNotNil(SharedSet.decode(Array("[1]".utf8)).error)
        XCTAssertNotNil(SharedSet.decode(Array("[".utf8)).error)
    }
}
