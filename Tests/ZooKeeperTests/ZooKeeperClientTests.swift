import KielIO
import XCTest
@testable import ZooKeeper

/// Every operation and its errors against a real single ZooKeeper server.
final class ZooKeeperClientTests: XCTestCase {
    var h: ZKLoopHarness!
    var zk: ZooKeeperClient!

    override func setUpWithError() throws {
        h = try ZKLoopHarness()
        zk = try h.connect(try ZKServices.single())
        try h.value { zk.ensurePath(h.root, $0) }
    }

    override func tearDown() {
        h?.closeAll()
        h = nil
        zk = nil
    }

    func testSessionIsEstablished() {
        XCTAssertEqual(zk.state, .connected)
        XCTAssertEqual(zk.wireState, .connected)
        XCTAssertNotEqual(zk.sessionID, 0)
        XCTAssertGreaterThan(zk.negotiatedSessionTimeout, .zero)
        XCTAssertGreaterThan(zk.lastZxid, 0)
    }

    func testCreateGetSetDelete() throws {
        let path = h.root + "/node"
        XCTAssertEqual(try h.value { zk.create(path, data: Array("v1".utf8), $0) }, path)
        let (data, stat) = try h.value { zk.getData(path, $0) }
        XCTAssertEqual(data, Array("v1".utf8))
        XCTAssertEqual(stat.version, 0)
        XCTAssertEqual(stat.dataLength, 2)
        XCTAssertEqual(stat.ephemeralOwner, 0)

        let stat2 = try h.value { zk.setData(path, data: Array("v2".utf8), version: 0, $0) }
        XCTAssertEqual(stat2.version, 1)
        XCTAssertEqual(try h.result { zk.setData(path, data: [], version: 0, $0) }.error, .badVersion)
        XCTAssertEqual(try h.value { zk.getData(path, $0) }.data, Array("v2".utf8))

        XCTAssertEqual(try h.result { zk.delete(path, version: 0, $0) }.error, .badVersion)
        try h.value { zk.delete(path, version: 1, $0) }
        XCTAssertNil(try h.value { zk.exists(path, $0) })
    }

    func testErrors() throws {
        let missing = h.root + "/missing"
        XCTAssertEqual(try h.result { zk.getData(missing, $0) }.error, .noNode)
        XCTAssertEqual(try h.result { zk.delete(missing, $0) }.error, .noNode)
        XCTAssertEqual(try h.result { zk.setData(missing, data: [], $0) }.error, .noNode)
        XCTAssertEqual(try h.result { zk.getChildren(missing, $0) }.error, .noNode)
        XCTAssertEqual(try h.result { zk.create(missing + "/child", $0) }.error, .noNode)

        let parent = h.root + "/parent"
        try h.value { zk.create(parent + "/child", makeParents: true, $0) }
        XCTAssertEqual(try h.result { zk.create(parent, $0) }.error, .nodeExists)
        XCTAssertEqual(try h.result { zk.delete(parent, $0) }.error, .notEmpty)

        let ephemeral = h.root + "/eph"
        try h.value { zk.create(ephemeral, mode: .ephemeral, $0) }
        XCTAssertEqual(try h.result { zk.create(ephemeral + "/c", $0) }.error, .noChildrenForEphemerals)

        XCTAssertEqual(try h.result { zk.create(h.root + "/noacl", acl: [], $0) }.error, .invalidACL)
        XCTAssertEqual(try h.result { zk.create("relative", $0) }.error, .badArguments)
        XCTAssertEqual(try h.result { zk.getData(h.root + "/", $0) }.error, .badArguments)
    }

    func testEphemeralAndSequential() throws {
        let base = h.root + "/seq"
        try h.value { zk.ensurePath(base, $0) }
        let first = try h.value { zk.create(base + "/n-", mode: .persistentSequential, $0) }
        let second = try h.value { zk.create(base + "/n-", mode: .ephemeralSequential, $0) }
        XCTAssertTrue(first.hasPrefix(base + "/n-"))
        XCTAssertEqual(first.count, (base + "/n-").count + 10)
        XCTAssertGreaterThan(second, first)
        let stat = try XCTUnwrap(try h.value { zk.exists(second, $0) })
        XCTAssertEqual(stat.ephemeralOwner, zk.sessionID)

        // Another session sees the ephemeral until ours closes.
        let other = try h.connect(try ZKServices.single())
        XCTAssertNotNil(try h.value { other.exists(second, $0) })
        let _: Void = try h.wait { done in zk.close { done(.success(())) } }
        XCTAssertNil(try h.value { other.exists(second, $0) })
        XCTAssertNotNil(try h.value { other.exists(first, $0) })
        XCTAssertEqual(try h.result { zk.getData(first, $0) }.error, .closed)
    }

    func testChildrenAndStat() throws {
        let base = h.root + "/kids"
        for name in ["c", "a", "b"] {
            try h.value { zk.create(base + "/" + name, makeParents: true, $0) }
        }
        XCTAssertEqual(try h.value { zk.getChildren(base, $0) }.sorted(), ["a", "b", "c"])
        let (children, stat) = try h.value { zk.getChildrenWithStat(base, $0) }
        XCTAssertEqual(children.sorted(), ["a", "b", "c"])
        XCTAssertEqual(stat.numChildren, 3)
        XCTAssertEqual(try h.value { zk.sync(base, $0) }, base)
    }

    func testEnsurePathIsIdempotent() throws {
        let deep = h.root + "/x/y/z"
        try h.value { zk.ensurePath(deep, $0) }
        try h.value { zk.ensurePath(deep, $0) }
        XCTAssertNotNil(try h.value { zk.exists(deep, $0) })
    }

    func testMulti() throws {
        let base = h.root + "/txn"
        try h.value { zk.create(base, data: Array("0".utf8), $0) }
        let results = try h.value {
            zk.multi([
                .check(path: base, version: 0),
                .create(path: base + "/a", data: Array("a".utf8)),
                .setData(path: base, data: Array("1".utf8), version: 0),
                .create(path: base + "/s-", data: [], mode: .persistentSequential),
            ], $0)
        }
        XCTAssertEqual(results.count, 4)
        XCTAssertEqual(results[0], .check)
        XCTAssertEqual(results[1], .create(path: base + "/a"))
        guard case .setData(let stat) = results[2] else { return XCTFail("\(results[2])") }
        XCTAssertEqual(stat.version, 1)
        guard case .create(let seq) = results[3] else { return XCTFail("\(results[3])") }
        XCTAssertTrue(seq.hasPrefix(base + "/s-"))

        // A failing op rolls back the whole transaction.
        let failed = try h.result {
            zk.multi([
                .create(path: base + "/b"),
                .delete(path: base + "/missing"),
                .setData(path: base, data: Array("2".utf8)),
            ], $0)
        }
        XCTAssertEqual(failed.error, .transactionFailed(index: 1, reason: .noNode))
        XCTAssertNil(try h.value { zk.exists(base + "/b", $0) })
        XCTAssertEqual(try h.value { zk.getData(base, $0) }.data, Array("1".utf8))

        XCTAssertEqual(try h.result { zk.multi([.check(path: base, version: 0)], $0) }.error,
                       .transactionFailed(index: 0, reason: .badVersion))
        try h.value { zk.multi([.delete(path: base + "/a"), .delete(path: base + "/" + seq.split(separator: "/").last!)], $0) }
        XCTAssertEqual(try h.value { zk.getChildren(base, $0) }, [])
    }

    func testCompletionsNeverRunSynchronously() throws {
        var returned = false
        var ranEarly = false
        zk.getData("bad path") { _ in ranEarly = !returned }
        returned = true
        let _: Void = try h.wait { done in
            zk.sync("/") { _ in done(.success(())) }
        }
        XCTAssertFalse(ranEarly)

        // After close, calls fail with .closed on a later turn.
        let _: Void = try h.wait { done in zk.close { done(.success(())) } }
        var closedReturned = false
        let error: ZooKeeperError? = try h.wait { done in
            zk.exists("/") { result in
                XCTAssertTrue(closedReturned)
                done(.success(result.error))
            }
            closedReturned = true
        }
        XCTAssertEqual(error, .closed)
    }

    func testPipelinedRequestsAnswerInOrderExactlyOnce() throws {
        let base = h.root + "/pipe"
        try h.value { zk.ensurePath(base, $0) }
        var answers: [Int] = []
        let _: Void = try h.wait { done in
            for i in 0..<200 {
                zk.create(base + "/n\(i)") { result in
                    XCTAssertNil(result.error)
                    answers.append(i)
                    if answers.count == 200 { done(.success(())) }
                }
            }
        }
        XCTAssertEqual(answers, Array(0..<200))
        XCTAssertEqual(try h.value { zk.getChildren(base, $0) }.count, 200)
    }

    /// With requests always overlapping the in-flight queue never runs empty; an answered
    /// request must still be let go (its completion and what that holds).
    func testAnsweredRequestsAreReleasedWhileOthersStayInFlight() throws {
        final class Token {}
        weak var released: Token?
        do {
            let token = Token()
            released = token
            zk.exists("/") { _ in withExtendedLifetime(token) {} }
        }
        var remaining = 200
        let _: Void = try h.wait { done in
            // Two chains, each sending its next request from the previous one's answer, so one
            // is always in flight while the other is answered.
            func next(_: Result<Stat?, ZooKeeperError>) {
                remaining -= 1
                if remaining == 0 { done(.success(())) }
                if remaining > 0 { zk.exists("/", next) }
            }
            zk.exists("/", next)
            zk.exists("/", next)
        }
        XCTAssertNil(released)
    }

    func testCloseFailsQueuedRequestsOnceAndAnswersInFlightOnes() throws {
        let fresh = try ZooKeeperClient(loop: h.loop, connectString: try ZKServices.single())
        var order: [String] = []
        fresh.start()
        for i in 0..<5 {
            fresh.exists("/") { order.append("\(i):\($0.error.map { "\($0)" } ?? "ok")") }
        }
        var closeReturned = false
        let _: Void = try h.wait { done in
            fresh.close {
                order.append("closed")
                done(.success(()))
            }
            closeReturned = true
        }
        XCTAssertTrue(closeReturned)
        XCTAssertEqual(order, ["0:closed", "1:closed", "2:closed", "3:closed", "4:closed", "closed"])

        // Requests already sent when close() is called are answered before the session ends.
        var answers: [ZooKeeperError?] = []
        var changes: [StateChange] = []
        zk.addStateListener { changes.append($0) }
        for _ in 0..<5 { zk.exists("/") { answers.append($0.error) } }
        let _: Void = try h.wait { done in zk.close { done(.success(())) } }
        XCTAssertEqual(answers.count, 5)
        XCTAssertEqual(answers.compactMap { $0 }, [])
        XCTAssertEqual(changes, [.lost(.closed)])
        XCTAssertEqual(zk.state, .lost)
        XCTAssertEqual(zk.wireState, .closed)
    }
}
