import Foundation
import KielIO
import KielTestSupport
import XCTest
@testable import ZooKeeper

/// The client and its recipes against the real single server, through the seeded fault proxy
/// (`scripts/faultproxy.py`): cuts, resets, stalls and silences, each striking inside a frame,
/// keep the session, its ephemeral nodes and its watches; every operation in flight is answered
/// exactly once; Lock and Party end where they would have without the fault.
///
/// Faults are placed by byte counts on purpose: a node of `bigSize` bytes (or a path thousands
/// of characters long) makes one request or reply so large that the count lands inside it,
/// whatever small frames went before.
final class ZooKeeperFaultTests: XCTestCase {
    var h: ZKLoopHarness!
    var proxies: [FaultProxy] = []

    static let bigSize = 100_000
    /// Requested, and granted by the test servers (tickTime 200, maxSessionTimeout 30 s).
    static let sessionTimeout = Duration.seconds(6)

    override func setUpWithError() throws {
        h = try ZKLoopHarness()
    }

    override func tearDown() {
        h?.closeAll()
        for proxy in proxies { proxy.stop() }
        proxies = []
        h = nil
    }

    /// A client connected through a new proxy whose connections meet `plan`'s fates, and a
    /// client connected directly, to look and to change things behind the first one's back.
    func clients(_ plan: [Int: String], sessionTimeout: Duration = sessionTimeout)
        throws -> (zk: ZooKeeperClient, other: ZooKeeperClient, proxy: FaultProxy) {
        var faults = FaultProxy.Faults()
        faults.plan = plan
        let proxy = try FaultProxy(upstream: try TestServices.zookeeper(), faults: faults)
        proxies.append(proxy)
        let zk = try h.connect(proxy.address, sessionTimeout: sessionTimeout)
        XCTAssertEqual(zk.negotiatedSessionTimeout, sessionTimeout)
        let other = try h.connect(try ZKServices.single())
        try h.value { other.ensurePath(h.root, $0) }
        return (zk, other, proxy)
    }

    /// Counts the answers of every operation started through `once`, so a test can check at
    /// the end that none was answered twice.
    final class Answers {
        var counts: [(String, Int)] = []
    }
    let answers = Answers()

    /// Starts an operation, waits for its answer and returns it; `answers` remembers how many
    /// times it was answered. The loop sleeps until the answer (no polling for it), so
    /// `pollCount` meanwhile counts only what the client's own sockets and timers woke it for.
    func once<T>(_ what: String, timeout: Duration = .seconds(20),
                 _ operation: (@escaping (Result<T, ZooKeeperError>) -> Void) -> Void) throws -> Result<T, ZooKeeperError> {
        let index = answers.counts.count
        answers.counts.append((what, 0))
        do {
            return try h.wait(timeout) { done in
                operation { [answers] result in
                    answers.counts[index].1 += 1
                    done(.success(result))  // a second answer is counted, and ignored here
                }
            }
        } catch is LoopTimeoutError {
            throw ZKTestFailure("no answer: \(what)")
        }
    }

    /// Lets late answers arrive, then checks that every operation was answered exactly once.
    func assertEachAnsweredOnce(file: StaticString = #filePath, line: UInt = #line) {
        h.spin(.milliseconds(200))
        for (what, count) in answers.counts where count != 1 {
            XCTFail("\(what): answered \(count) times", file: file, line: line)
        }
    }

    func testSessionKeptThroughCutsResetsAndStallsInsideFrames() throws {
        // Connection by connection: a reply cut, a request cut, both again with a reset, a
        // request stalled past the read timeout (but within the session timeout), and a reply
        // stalled for less than the read timeout.
        let plan = [0: "cut:down:50001", 1: "cut:up:50001", 2: "reset:down:50007", 3: "reset:up:50007",
                    4: "stall:up:50011:5300", 5: "stall:down:50011:1500"]
        let (zk, other, proxy) = try clients(plan)
        let big = h.root + "/big"
        try h.value { other.create(big, data: [UInt8](repeating: 0x61, count: Self.bigSize), $0) }
        let eph = h.root + "/eph"
        try h.value { zk.create(eph, data: [1], mode: .ephemeral, $0) }
        let session = zk.sessionID
        var changes: [StateChange] = []
        zk.addStateListener { changes.append($0) }
        func resumed(_ n: Int) throws {
            try h.until("resumed \(n) times") { changes.filter { $0 == .reconnected }.count == n }
        }
        let otherData = [UInt8](repeating: 0x62, count: Self.bigSize)
        let pollsBefore = h.loop.pollCount

        XCTAssertEqual(try once("getData, reply cut") { zk.getData(big, $0) }.error, .connectionLoss)
        try resumed(1)
        XCTAssertEqual(try once("setData, request cut") { zk.setData(big, data: otherData, $0) }.error, .connectionLoss)
        try resumed(2)
        // Half a request is no request: the server never applied it.
        XCTAssertEqual(try h.value { other.exists(big, $0) }?.version, 0)
        XCTAssertEqual(try once("getData, reply reset") { zk.getData(big, $0) }.error, .connectionLoss)
        try resumed(3)
        XCTAssertEqual(try once("setData, request reset") { zk.setData(big, data: otherData, $0) }.error, .connectionLoss)
        try resumed(4)
        XCTAssertEqual(try h.value { other.exists(big, $0) }?.version, 0)
        // Stalled past the read timeout: the client gives up on the connection and resumes.
        XCTAssertEqual(try once("setData, request stalled 5.3 s") { zk.setData(big, data: otherData, $0) }.error,
                       .connectionLoss)
        try resumed(5)
        // Stalled for less than the read timeout: nothing to notice, the answer just comes late.
        let late = try once("getData, reply stalled 1.5 s") { zk.getData(big, $0) }
        XCTAssertEqual((try? late.get())?.data.count, Self.bigSize)
        let polls = h.loop.pollCount - pollsBefore

        XCTAssertEqual(changes, Array(repeating: [StateChange.suspended, .reconnected], count: 5).flatMap { $0 })
        XCTAssertEqual(zk.sessionID, session)
        XCTAssertEqual(try h.value { other.exists(eph, $0) }?.ephemeralOwner, session, "the ephemeral node survived")
        assertEachAnsweredOnce()
        let stats = try proxy.stats()
        XCTAssertEqual(stats.faults["cut"], 2, "\(stats)\n\(proxy.log())")
        XCTAssertEqual(stats.faults["reset"], 2)
        XCTAssertEqual(stats.faults["stall"], 2)
        XCTAssertEqual(stats.connections, 6)
        // Waiting calmly is a few polls per timer and frame; spinning would be many thousands a second.
        XCTAssertLessThan(polls, 1_000, "the loop spun")
        print("zookeeper through cuts, resets and stalls: session kept, \(changes.count / 2) resumptions, "
            + "\(polls) polls; proxy: \(stats)")
    }

    /// Data, exist and child watches armed before a reply is cut fire for changes another
    /// client made while we were away: SetWatches re-arms them with the last zxid we saw.
    func testWatchesFireForChangesMadeWhileCutOff() throws {
        // The reconnect is held up for 2.5 s (stalled from its first byte, still under the
        // handshake timeout) so that the changes certainly happen while we are cut off.
        let (zk, other, proxy) = try clients([0: "cut:down:50001", 1: "stall:down:0:2500"])
        let big = h.root + "/big", data = h.root + "/data", born = h.root + "/born", quiet = h.root + "/quiet"
        try h.value { other.create(big, data: [UInt8](repeating: 0x61, count: Self.bigSize), $0) }
        try h.value { other.create(data, $0) }
        try h.value { other.create(quiet, $0) }
        var events: [WatchEvent] = []
        try h.value { zk.getData(data, watch: { events.append($0) }, $0) }
        try h.value { zk.getData(quiet, watch: { events.append($0) }, $0) }
        XCTAssertNil(try h.value { zk.exists(born, watch: { events.append($0) }, $0) })
        try h.value { zk.getChildren(h.root, watch: { events.append($0) }, $0) }
        var changes: [StateChange] = []
        zk.addStateListener { changes.append($0) }
        let session = zk.sessionID

        var changedWhile: ConnectionState?
        let cut = try once("getData, reply cut") { done in
            zk.getData(big) { result in
                // Cut off now: change three watched nodes behind our back.
                other.setData(data, data: [1]) { _ in
                    other.create(born) { _ in changedWhile = zk.state }
                }
                done(result)
            }
        }
        XCTAssertEqual(cut.error, .connectionLoss)
        try h.until("changes made") { changedWhile != nil }
        XCTAssertEqual(changedWhile, .suspended, "the changes were made while we were cut off")
        try h.until("three watches fired") { events.count >= 3 }
        XCTAssertEqual(Set(events.map { "\($0.kind) \($0.path)" }), [
            "nodeDataChanged \(data)", "nodeCreated \(born)", "nodeChildrenChanged \(h.root)",
        ])
        XCTAssertEqual(changes, [.suspended, .reconnected])
        XCTAssertEqual(zk.sessionID, session)
        // Each fired once, and the quiet node's watch is still armed: it fires on its change.
        try h.value { other.setData(quiet, data: [1], $0) }
        try h.until("quiet watch") { events.count >= 4 }
        try h.value { zk.sync(h.root, $0) }
        try h.value { other.setData(data, data: [2], $0) }
        try h.value { zk.sync(data, $0) }
        XCTAssertEqual(events.count, 4, "\(events)")
        XCTAssertEqual(events.last, WatchEvent(kind: .nodeDataChanged, path: quiet))
        assertEachAnsweredOnce()
        print("zookeeper watches across a cut: \(events.count) events, changes \(changes); proxy: \(try proxy.stats())")
    }

    /// A blackholed connection (sockets open, nothing moves) in either direction is noticed
    /// once nothing was received for two thirds of the session timeout; the client resumes the
    /// session through a new connection, having polled only as its timers asked.
    func testSilentConnectionIsNoticedAndTheSessionResumed() throws {
        let (zk, other, proxy) = try clients([0: "blackhole:up:50001", 1: "blackhole:down:50001"])
        let timeout = zk.negotiatedSessionTimeout
        let big = h.root + "/big", watched = h.root + "/watched", eph = h.root + "/eph"
        try h.value { other.create(big, data: [UInt8](repeating: 0x61, count: Self.bigSize), $0) }
        try h.value { other.create(watched, $0) }
        try h.value { zk.create(eph, mode: .ephemeral, $0) }
        let session = zk.sessionID
        var changes: [StateChange] = []
        var suspendedAt: ContinuousClock.Instant?
        zk.addStateListener {
            changes.append($0)
            if $0 == .suspended { suspendedAt = ContinuousClock.now }
        }
        var events: [WatchEvent] = []
        var report: [String] = []
        for (round, direction) in ["up", "down"].enumerated() {
            try h.value { zk.getData(watched, watch: { events.append($0) }, $0) }
            let pollsBefore = h.loop.pollCount
            let start = ContinuousClock.now
            let silenced = try once("big \(direction), blackholed", timeout: timeout * 2) { done in
                if direction == "up" {
                    zk.setData(big, data: [UInt8](repeating: 0x62, count: Self.bigSize)) { done($0.map { _ in () }) }
                } else {
                    zk.getData(big) { done($0.map { _ in () }) }
                }
                // Into the silence: a change that fires our watch once we are back.
                other.setData(watched, data: [UInt8(round)]) { _ in }
            }
            let noticed = suspendedAt.map { $0 - start }
            let polls = h.loop.pollCount - pollsBefore
            XCTAssertEqual(silenced.error, .connectionLoss)
            try h.until("resumed after the \(direction) blackhole") { changes.count == 2 * (round + 1) }
            try h.until("watch fired") { events.count == round + 1 }
            // A handful of pings and timer wake-ups; a loop spinning on the silent socket would
            // poll hundreds of thousands of times in those seconds.
            XCTAssertLessThan(polls, 200, "the loop spun while the connection was silent")
            let ratio = noticed.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 }
                .map { $0 / (Double(timeout.components.seconds)) } ?? .nan
            report.append("\(direction): noticed after \(noticed.map { "\($0)" } ?? "?") "
                + "(\(String(format: "%.2f", ratio)) of the session timeout), \(polls) polls")
        }
        XCTAssertEqual(changes, [.suspended, .reconnected, .suspended, .reconnected])
        XCTAssertEqual(zk.sessionID, session)
        XCTAssertEqual(try h.value { other.exists(eph, $0) }?.ephemeralOwner, session, "the ephemeral node survived")
        XCTAssertEqual(events, [WatchEvent(kind: .nodeDataChanged, path: watched),
                                WatchEvent(kind: .nodeDataChanged, path: watched)])
        assertEachAnsweredOnce()
        let stats = try proxy.stats()
        XCTAssertEqual(stats.faults["blackhole"], 2, "\(stats)")
        print("zookeeper blackholes, session timeout \(timeout): \(report.joined(separator: "; ")); proxy: \(stats)")
    }

    /// Hundreds of creates, then deletes, in flight when the connection is cut inside a reply:
    /// each is answered once, with success or connectionLoss; what succeeded is applied, what was
    /// lost may or may not be, and deleting again after the reconnect settles it.
    func testCreatesAndDeletesInFlightAreAnsweredOnceThroughACut() throws {
        // Each create's reply carries its ~160-byte path, so ~16 kB down is about the 100th
        // reply; each delete's reply is a 20-byte header, so 41 + 20 * 100 + 7 is inside the
        // 101st (the connection's first reply is the 41-byte handshake).
        let (zk, other, proxy) = try clients([0: "cut:down:16001", 1: "cut:down:2048"])
        let pad = String(repeating: "n", count: 120)
        let paths = (0..<200).map { h.root + "/c-\(String(format: "%03d", $0))-" + pad }
        let pollsBefore = h.loop.pollCount

        var created: [Int: Result<String, ZooKeeperError>] = [:]
        var createAnswers = 0
        for (i, path) in paths.enumerated() {
            zk.create(path, mode: .persistent) { result in
                createAnswers += 1
                XCTAssertNil(created[i], "create \(i) answered twice")
                created[i] = result
            }
        }
        try h.until("every create answered") { createAnswers >= paths.count }
        let existing = Set(try h.value { other.getChildren(h.root, $0) }.map { h.root + "/" + $0 })
        let createdOK = Set(created.filter { (try? $0.value.get()) != nil }.map { paths[$0.key] })
        let createLost = Set(created.filter { $0.value.error == .connectionLoss }.map { paths[$0.key] })
        XCTAssertEqual(createdOK.count + createLost.count, paths.count, "only successes and connectionLoss")
        XCTAssertFalse(createdOK.isEmpty)
        XCTAssertFalse(createLost.isEmpty)
        XCTAssertTrue(createdOK.isSubset(of: existing), "a create reported done is applied")
        XCTAssertTrue(existing.isSubset(of: Set(paths)))
        let appliedButLost = existing.intersection(createLost).count

        var deleted: [Int: Result<Void, ZooKeeperError>] = [:]
        var deleteAnswers = 0
        try h.until("resumed") { zk.state == .connected }
        for (i, path) in paths.enumerated() {
            zk.delete(path) { result in
                deleteAnswers += 1
                XCTAssertNil(deleted[i], "delete \(i) answered twice")
                deleted[i] = result
            }
        }
        try h.until("every delete answered") { deleteAnswers >= paths.count }
        let deleteLost = deleted.filter { $0.value.error == .connectionLoss }.map { paths[$0.key] }
        let deletedOK = deleted.filter { (try? $0.value.get()) != nil }.map { paths[$0.key] }
        let noNode = deleted.filter { $0.value.error == .noNode }.map { paths[$0.key] }
        XCTAssertEqual(deletedOK.count + noNode.count + deleteLost.count, paths.count)
        XCTAssertFalse(deleteLost.isEmpty)
        XCTAssertTrue(Set(noNode).isDisjoint(with: existing), "noNode only for nodes never created")
        let left = Set(try h.value { other.getChildren(h.root, $0) }.map { h.root + "/" + $0 })
        XCTAssertTrue(left.isDisjoint(with: deletedOK), "a delete reported done is applied")
        // Deleting again settles the lost ones: done now, or done before (noNode).
        try h.until("resumed again") { zk.state == .connected }
        for path in deleteLost {
            let again = try once("delete again") { zk.delete(path, $0) }
            XCTAssertTrue(again.error == nil || again.error == .noNode, "\(again)")
        }
        XCTAssertEqual(try h.value { other.getChildren(h.root, $0) }, [])
        let polls = h.loop.pollCount - pollsBefore
        XCTAssertEqual(createAnswers, paths.count)
        XCTAssertEqual(deleteAnswers, paths.count)
        assertEachAnsweredOnce()
        h.spin(.milliseconds(100))
        XCTAssertEqual(createAnswers + deleteAnswers, 2 * paths.count, "no late second answers")
        XCTAssertLessThan(polls, 5_000)
        let stats = try proxy.stats()
        XCTAssertEqual(stats.faults["cut"], 2, "\(stats)")
        print("zookeeper ops through cuts: creates \(createdOK.count) done, \(createLost.count) lost "
            + "(\(appliedButLost) of them applied); deletes \(deletedOK.count) done, \(noNode.count) noNode, "
            + "\(deleteLost.count) lost, \(left.count) left before deleting again; \(polls) polls; proxy: \(stats)")
    }

    /// A lock whose contender create is cut twice: first inside the request (never applied),
    /// then, on the next connection, inside the reply (applied, answer lost). Kazoo's rule —
    /// after a lost create, look for a child with our uuid prefix before creating again —
    /// leaves exactly one node of ours, and the lock is acquired.
    func testLockAcquiredWhenItsCreateIsCutInsideRequestAndReply() throws {
        // An 8000-character path makes each create of it (and its reply) ~8 kB. Up on the first
        // connection: the 49-byte handshake, two small ensurePath creates plus one of the lock
        // path, then the contender's create, cut ~4 kB in. Down on the second: the 41-byte
        // handshake, a 24-byte empty child list, then the create's reply, cut ~4 kB in.
        let (zk, other, proxy) = try clients([0: "cut:up:12301", 1: "cut:down:4001"])
        let path = h.root + "/" + String(repeating: "l", count: 8000)
        var changes: [StateChange] = []
        zk.addStateListener { changes.append($0) }
        let session = zk.sessionID
        let lock = Lock(client: zk, path: path, identifier: "mine")
        let result = try once("acquire") { lock.acquire($0) }
        XCTAssertNil(result.error)
        XCTAssertTrue(lock.isAcquired)
        let children = try h.value { other.getChildren(path, $0) }
        XCTAssertEqual(children.filter { $0.hasPrefix(lock.prefix) }.count, 1, "one contender node of ours: \(children)")
        XCTAssertEqual(children.count, 1)
        XCTAssertEqual(changes, [.suspended, .reconnected, .suspended, .reconnected])
        XCTAssertEqual(zk.sessionID, session)
        let stats = try proxy.stats()
        XCTAssertEqual(stats.faults["cut"], 2, "\(stats)\n\(proxy.log())")

        // The lock works as a lock: another contender waits, then gets it on release.
        let second = Lock(client: other, path: path)
        var secondResult: Result<Void, ZooKeeperError>?
        second.acquire { secondResult = $0 }
        try h.until("second queued") { second.nodePath != nil }
        try h.value { other.sync(path, $0) }
        XCTAssertNil(secondResult)
        try h.value { lock.release($0) }
        try h.until("second acquires") { secondResult != nil }
        XCTAssertTrue(second.isAcquired)
        try h.value { second.release($0) }
        XCTAssertEqual(try h.value { other.getChildren(path, $0) }, [])
        assertEachAnsweredOnce()
        print("zookeeper lock through a request cut and a reply cut: acquired with one node; proxy: \(stats)")
    }

    /// A party member whose join create is cut inside the request (not applied), and on the
    /// next connection inside the reply (applied, answer lost): the join still ends with our
    /// node, answered once, and the other members see us. Leaving through a cut delete works
    /// the same way.
    func testPartyJoinAndLeaveSurviveCutsInsideTheirRequests() throws {
        // An 8000-character member name makes the exists, create and delete of our node ~8 kB
        // each. Up on the first connection: handshake, ensurePath and getChildren (small), the
        // exists, then the create, cut ~4 kB in. Down on the second: handshake (41), SetWatches'
        // answer for the re-armed child watch (20), the exists' noNode (20), then the create's
        // reply, cut ~4 kB in. Up on the third: handshake, SetWatches and a getChildren (small),
        // the exists that finds our node, then the delete, cut ~4 kB in.
        let (zk, other, proxy) = try clients([0: "cut:up:12501", 1: "cut:down:4001", 2: "cut:up:12301"])
        let path = h.root + "/party"
        let name = String(repeating: "m", count: 8000)
        var seen: [[String]] = []
        let party = Party(client: zk, path: path, memberName: name) { seen.append($0) }
        let peer = Party(client: other, path: path, memberName: "peer")
        var peerSeen: [[String]] = []
        peer.onChange = { peerSeen.append($0) }
        try h.value { peer.start($0) }
        try h.value { peer.join($0) }
        try h.value { party.start($0) }
        var changes: [StateChange] = []
        zk.addStateListener { changes.append($0) }
        let session = zk.sessionID

        let joined = try once("join") { party.join($0) }
        XCTAssertNil(joined.error)
        XCTAssertEqual(changes, [.suspended, .reconnected, .suspended, .reconnected])
        XCTAssertEqual(try h.value { other.exists(party.memberPath, $0) }?.ephemeralOwner, session)
        try h.until("the peer sees us") { peerSeen.last == ["peer", name].sorted() }
        try h.until("we see both") { seen.last == ["peer", name].sorted() }

        let left = try once("leave") { party.leave($0) }
        XCTAssertNil(left.error)
        XCTAssertEqual(changes.count, 6, "\(changes)")
        XCTAssertNil(try h.value { other.exists(party.memberPath, $0) })
        try h.until("the peer sees us leave") { peerSeen.last == ["peer"] }
        XCTAssertEqual(zk.sessionID, session)
        assertEachAnsweredOnce()
        let stats = try proxy.stats()
        XCTAssertEqual(stats.faults["cut"], 3, "\(stats)\n\(proxy.log())")
        print("zookeeper party join through a request cut and a reply cut, leave through a request cut: "
            + "answered once each; proxy: \(stats)")
    }
}
