import Foundation
import KielIO
import KielTestSupport
import XCTest
@testable import ZooKeeper

/// The Lock recipe between our clients, across session expiry, and against kazoo's Lock.
final class LockTests: XCTestCase {
    var h: ZKLoopHarness!

    override func setUpWithError() throws {
        h = try ZKLoopHarness()
    }

    override func tearDown() {
        h?.closeAll()
        h = nil
    }

    func testContenderOrderingFollowsKazoo() {
        let a = "0f0f__lock__0000000003", b = "abcd__lock__0000000001", c = "ffff__lock__0000000002"
        XCTAssertEqual(Lock.sequence(of: a), "0000000003")
        XCTAssertNil(Lock.sequence(of: "lock"))
        XCTAssertNil(Lock.sequence(of: "x__lock__12"))
        XCTAssertEqual(Lock.predecessor(of: a, among: [a, b, c, "other"]), c)
        XCTAssertEqual(Lock.predecessor(of: c, among: [a, b, c]), b)
        XCTAssertNil(Lock.predecessor(of: b, among: [a, b, c]))
        let lock = try? Lock(client: ZooKeeperClient(loop: h.loop, connectString: "127.0.0.1:1"), path: "/l")
        XCTAssertEqual(lock?.prefix.count, 32 + 8)
        XCTAssertTrue(lock?.prefix.hasSuffix("__lock__") ?? false)
    }

    func testOnlyOneHolderAndHandOver() throws {
        let one = try h.connect(try ZKServices.single())
        let two = try h.connect(try ZKServices.single())
        let path = h.root + "/lock"
        let first = Lock(client: one, path: path, identifier: "first")
        let second = Lock(client: two, path: path, identifier: "second")
        try h.value { first.acquire($0) }
        XCTAssertTrue(first.isAcquired)

        var secondResult: Result<Void, ZooKeeperError>?
        second.acquire { secondResult = $0 }
        try h.until("second contender queued") { second.nodePath != nil }
        // Both contenders exist; the second waits on the first.
        XCTAssertEqual(try h.value { one.getChildren(path, $0) }.count, 2)
        try h.value { two.sync(path, $0) }
        XCTAssertNil(secondResult)
        XCTAssertFalse(second.isAcquired)

        try h.value { first.release($0) }
        try h.until("second acquires") { secondResult != nil }
        XCTAssertNil(secondResult?.error)
        XCTAssertTrue(second.isAcquired)
        XCTAssertFalse(first.isAcquired)
        try h.value { second.release($0) }
        XCTAssertEqual(try h.value { one.getChildren(path, $0) }, [])
    }

    func testLockLostOnSessionExpiry() throws {
        let holder = try h.connect(try ZKServices.single(), sessionTimeout: .seconds(1))
        let waiter = try h.connect(try ZKServices.single())
        let path = h.root + "/lock"
        let held = Lock(client: holder, path: path)
        var lost = 0
        held.onLost = { lost += 1 }
        try h.value { held.acquire($0) }
        let waiting = Lock(client: waiter, path: path)
        var acquired = false
        waiting.acquire { if case .success = $0 { acquired = true } }
        try h.until("waiter queued") { waiting.nodePath != nil }

        holder.dropConnectionForTesting(blockReconnectFor: holder.negotiatedSessionTimeout * 3)
        try h.until("lock lost and taken over") { lost == 1 && acquired }
        XCTAssertFalse(held.isAcquired)
        XCTAssertTrue(waiting.isAcquired)
        // The holder can queue again in its new session.
        var again: Result<Void, ZooKeeperError>?
        held.acquire { again = $0 }
        try h.until("re-queued") { held.nodePath != nil }
        try h.value { waiting.release($0) }
        try h.until("re-acquired") { again != nil }
        XCTAssertNil(again?.error)
    }

    func testReleaseWhileWaitingCancelsTheAttempt() throws {
        let zk = try h.connect(try ZKServices.single())
        let path = h.root + "/lock"
        let holder = Lock(client: zk, path: path)
        try h.value { holder.acquire($0) }
        let waiter = Lock(client: zk, path: path)
        var outcome: Result<Void, ZooKeeperError>?
        waiter.acquire { outcome = $0 }
        try h.until("waiter queued") { waiter.nodePath != nil }
        try h.value { waiter.release($0) }
        XCTAssertEqual(outcome?.error, .closed)
        XCTAssertEqual(try h.value { zk.getChildren(path, $0) }.count, 1)
        // A second acquire on a lock object that is busy is refused.
        XCTAssertEqual(try h.result { holder.acquire($0) }.error, .badArguments)
        try h.value { holder.release($0) }
        XCTAssertEqual(try h.value { zk.getChildren(path, $0) }, [])
    }

    /// Released before its node is known, a lock answers on a later turn and deletes a node
    /// of ours whose create was applied but not answered (made by hand here), which would
    /// otherwise hold the lock for the rest of the session.
    func testReleaseBeforeTheNodeIsKnownDeletesStrays() throws {
        let zk = try h.connect(try ZKServices.single())
        let path = h.root + "/stray-lock"
        let lock = Lock(client: zk, path: path)
        try h.value {
            zk.create(PathRules.join(path, lock.prefix), mode: .ephemeralSequential, makeParents: true, $0)
        }
        var outcome: Result<Void, ZooKeeperError>?
        lock.acquire { outcome = $0 }
        var returned = false
        var answeredInside = false
        var released: Result<Void, ZooKeeperError>?
        lock.release { result in
            answeredInside = !returned
            released = result
        }
        returned = true
        try h.until("released") { released != nil }
        XCTAssertFalse(answeredInside)
        XCTAssertNil(released?.error)
        XCTAssertEqual(outcome?.error, .closed)
        XCTAssertEqual(try h.value { zk.getChildren(path, $0) }, [])
        // Nothing of ours is left to wait behind: the same lock can be taken again.
        try h.value { lock.acquire($0) }
        XCTAssertTrue(lock.isAcquired)
        try h.value { lock.release($0) }
    }

    /// kazoo holds the lock; ours must wait until kazoo releases it.
    func testKazooHolderExcludesUs() throws {
        let zk = try h.connect(try ZKServices.single())
        let path = h.root + "/interop-lock"
        try h.value { zk.ensurePath(h.root, $0) }
        let python = runInBackground("""
        import sys, time
        from kazoo.client import KazooClient
        hosts, path, root = sys.argv[1:4]
        zk = KazooClient(hosts=hosts); zk.start()
        lock = zk.Lock(path, "kazoo")
        lock.acquire()
        zk.create(root + "/kazoo-holding")
        deadline = time.time() + 60
        while not zk.exists(root + "/release") and time.time() < deadline:
            time.sleep(0.02)
        lock.release()
        print("released", flush=True)
        zk.stop()
        """, args: [try ZKServices.single(), path, h.root])

        try h.eventually("kazoo holds the lock") { answer in
            zk.exists(self.h.root + "/kazoo-holding") {
                if case .success(_?) = $0 { answer(true) } else { answer(false) }
            }
        }
        let ours = Lock(client: zk, path: path, identifier: "swift")
        var result: Result<Void, ZooKeeperError>?
        ours.acquire { result = $0 }
        try h.until("our contender queued") { ours.nodePath != nil }
        let children = try h.value { zk.getChildren(path, $0) }
        XCTAssertEqual(children.count, 2)
        XCTAssertTrue(children.allSatisfy { Lock.sequence(of: $0) != nil }, "\(children)")
        try h.value { zk.sync(path, $0) }
        XCTAssertNil(result, "acquired while kazoo holds the lock")

        try h.value { zk.create(h.root + "/release", $0) }
        try h.until("acquired after kazoo released") { result != nil }
        XCTAssertNil(result?.error)
        XCTAssertEqual(try python.wait(h), "released\n")
        XCTAssertEqual(try h.value { zk.getChildren(path, $0) }, [ours.nodePath!.split(separator: "/").last.map(String.init)!])
        try h.value { ours.release($0) }
    }

    /// We hold the lock; kazoo must wait, and kazoo sees us as the first contender.
    func testWeExcludeKazoo() throws {
        let zk = try h.connect(try ZKServices.single())
        let path = h.root + "/interop-lock"
        let ours = Lock(client: zk, path: path, identifier: "swift-holder")
        try h.value { ours.acquire($0) }
        let python = runInBackground("""
        import sys, json
        from kazoo.client import KazooClient
        hosts, path, root = sys.argv[1:4]
        zk = KazooClient(hosts=hosts); zk.start()
        lock = zk.Lock(path, "kazoo")
        before = lock.contenders()
        lock.acquire(timeout=60)
        got = zk.exists(root + "/swift-released") is not None
        lock.release()
        print(json.dumps({"before": before, "released_first": got}), flush=True)
        zk.stop()
        """, args: [try ZKServices.single(), path, h.root])

        try h.eventually("kazoo queued behind us") { answer in
            zk.getChildren(path) { answer((try? $0.get())?.count == 2) }
        }
        // Mark the release before doing it: kazoo must see the mark when it gets the lock.
        try h.value { zk.create(h.root + "/swift-released", $0) }
        try h.value { ours.release($0) }
        let output = try python.wait(h)
        let report = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
        XCTAssertEqual(report?["before"] as? [String], ["swift-holder"])
        XCTAssertEqual(report?["released_first"] as? Bool, true)
    }

    // MARK: helpers

    final class BackgroundPython: @unchecked Sendable {
        private let lock = NSLock()
        private var outcome: Result<String, any Error>?
        func finish(_ result: Result<String, any Error>) { lock.withLock { outcome = result } }
        var result: Result<String, any Error>? { lock.withLock { outcome } }

        /// Runs the loop until the script has exited; returns its output.
        func wait(_ h: ZKLoopHarness) throws -> String {
            try h.until("python script to finish", timeout: .seconds(90)) { self.result != nil }
            return try result!.get()
        }
    }

    /// Runs a kazoo script on another thread so the loop keeps running meanwhile.
    func runInBackground(_ code: String, args: [String]) -> BackgroundPython {
        let box = BackgroundPython()
        Thread.detachNewThread {
            box.finish(Result { try TestServices.runPython(code: code, args: args, timeout: 90) })
        }
        return box
    }
}
