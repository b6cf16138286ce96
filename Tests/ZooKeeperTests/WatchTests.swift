import KielIO
import XCTest
@testable import ZooKeeper

/// Data, exist and child watches, one-shot delivery, and chroot, against a real server.
final class WatchTests: XCTestCase {
    var h: ZKLoopHarness!
    var zk: ZooKeeperClient!
    var other: ZooKeeperClient!

    override func setUpWithError() throws {
        h = try ZKLoopHarness()
        zk = try h.connect(try ZKServices.single())
        other = try h.connect(try ZKServices.single())
        try h.value { zk.ensurePath(h.root, $0) }
    }

    override func tearDown() {
        h?.closeAll()
        h = nil
    }

    func testDataWatchFiresOnceOnChange() throws {
        let path = h.root + "/data"
        try h.value { zk.create(path, data: Array("a".utf8), $0) }
        var events: [WatchEvent] = []
        try h.value { zk.getData(path, watch: { events.append($0) }, $0) }
        try h.value { other.setData(path, data: Array("b".utf8), $0) }
        try h.until("data watch") { events.count == 1 }
        XCTAssertEqual(events, [WatchEvent(kind: .nodeDataChanged, path: path)])

        // One-shot: a second change is not delivered.
        try h.value { other.setData(path, data: Array("c".utf8), $0) }
        try h.value { zk.sync(path, $0) }
        try h.value { zk.getData(path, $0) }
        XCTAssertEqual(events.count, 1)
    }

    /// SetWatches after a reconnect carries the last zxid we saw: a node changed while we were
    /// away fires at once, a node that did not change stays quiet.
    func testChangesMissedWhileDisconnectedFireOnResume() throws {
        let changed = h.root + "/changed"
        let quiet = h.root + "/quiet"
        try h.value { zk.create(changed, $0) }
        try h.value { zk.create(quiet, $0) }
        var events: [WatchEvent] = []
        try h.value { zk.getData(quiet, watch: { events.append($0) }, $0) }
        try h.value { zk.getData(changed, watch: { events.append($0) }, $0) }
        // A later zxid than both nodes' last change, so the quiet one must not fire.
        try h.value { zk.create(h.root + "/later", $0) }
        var changes: [StateChange] = []
        zk.addStateListener { changes.append($0) }
        zk.dropConnectionForTesting(blockReconnectFor: .milliseconds(500))
        try h.value { other.setData(changed, data: [1], $0) }
        try h.until("resumed") { changes.contains(.reconnected) }
        try h.until("missed change delivered") { !events.isEmpty }
        try h.value { zk.sync(quiet, $0) }
        XCTAssertEqual(events, [WatchEvent(kind: .nodeDataChanged, path: changed)])
        XCTAssertEqual(changes, [.suspended, .reconnected])
    }

    func testExistWatchSeesCreationAndDataWatchSeesDeletion() throws {
        let path = h.root + "/later"
        var events: [WatchEvent] = []
        XCTAssertNil(try h.value { zk.exists(path, watch: { events.append($0) }, $0) })
        try h.value { other.create(path, $0) }
        try h.until("exist watch") { events.count == 1 }
        XCTAssertEqual(events.last, WatchEvent(kind: .nodeCreated, path: path))

        XCTAssertNotNil(try h.value { zk.exists(path, watch: { events.append($0) }, $0) })
        try h.value { other.delete(path, $0) }
        try h.until("delete watch") { events.count == 2 }
        XCTAssertEqual(events.last, WatchEvent(kind: .nodeDeleted, path: path))
    }

    func testChildWatch() throws {
        let path = h.root + "/parent"
        try h.value { zk.create(path, $0) }
        var events: [WatchEvent] = []
        XCTAssertEqual(try h.value { zk.getChildren(path, watch: { events.append($0) }, $0) }, [])
        // Several watchers on the same node all fire.
        var second: [WatchEvent] = []
        try h.value { zk.getChildrenWithStat(path, watch: { second.append($0) }, $0) }
        try h.value { other.create(path + "/kid", $0) }
        try h.until("child watch") { events.count == 1 && second.count == 1 }
        XCTAssertEqual(events, [WatchEvent(kind: .nodeChildrenChanged, path: path)])
        XCTAssertEqual(second, events)
        // Data changes on the parent do not fire child watches.
        try h.value { zk.getChildren(path, watch: { events.append($0) }, $0) }
        try h.value { other.setData(path, data: [1], $0) }
        try h.value { other.delete(path + "/kid", $0) }
        try h.until("second child watch") { events.count == 2 }
        XCTAssertEqual(events.last?.kind, .nodeChildrenChanged)
    }

    func testChrootIsTransparent() throws {
        let chrooted = try h.connect(try ZKServices.single() + h.root + "/jail")
        XCTAssertEqual(chrooted.connectString.chroot, h.root + "/jail")
        // The chroot node itself must exist before anything can be created under it.
        XCTAssertEqual(try h.result { chrooted.create("/a", $0) }.error, .noNode)
        try h.value { zk.create(h.root + "/jail", $0) }

        XCTAssertEqual(try h.value { chrooted.create("/a", data: [7], $0) }, "/a")
        XCTAssertEqual(try h.value { zk.getData(h.root + "/jail/a", $0) }.data, [7])
        XCTAssertEqual(try h.value { chrooted.getChildren("/", $0) }, ["a"])
        XCTAssertEqual(try h.value { chrooted.sync("/a", $0) }, "/a")
        let seq = try h.value { chrooted.create("/s-", mode: .persistentSequential, $0) }
        XCTAssertTrue(seq.hasPrefix("/s-"))
        let results = try h.value { chrooted.multi([.create(path: "/m"), .delete(path: "/a")], $0) }
        XCTAssertEqual(results, [.create(path: "/m"), .delete])

        var events: [WatchEvent] = []
        try h.value { chrooted.getData("/m", watch: { events.append($0) }, $0) }
        try h.value { zk.setData(h.root + "/jail/m", data: [1], $0) }
        try h.until("chrooted watch") { events.count == 1 }
        XCTAssertEqual(events, [WatchEvent(kind: .nodeDataChanged, path: "/m")])
    }

    func testConnectStringParsing() throws {
        let parsed = try ConnectString(parsing: "a:1,b:2, c ,[::1]:2182/app/x/")
        XCTAssertEqual(parsed.hosts, [.init(host: "a", port: 1), .init(host: "b", port: 2),
                                      .init(host: "c", port: 2181), .init(host: "::1", port: 2182)])
        XCTAssertEqual(parsed.chroot, "/app/x")
        XCTAssertNil(try ConnectString(parsing: "a:1/").chroot)
        XCTAssertThrowsError(try ConnectString(parsing: "/app"))
        XCTAssertThrowsError(try ConnectString(parsing: "a:notaport"))
        XCTAssertThrowsError(try ConnectString(parsing: "a:1/app//x"))
    }
}

/// Re-arming many watches splits SetWatches under the server's frame limit.
final class WatchRegistryTests: XCTestCase {
    func testSetWatchesIsSplitUnderTheLimit() {
        let registry = WatchRegistry()
        for i in 0..<300 {
            registry.add(.data, path: "/d/\(i)") { _ in }
            registry.add(.child, path: "/c/\(i)") { _ in }
        }
        registry.add(.exist, path: "/e") { _ in }
        let requests = registry.setWatchesRequests(relativeZxid: 9, limit: 1024)
        XCTAssertGreaterThan(requests.count, 1)
        for request in requests {
            var w = JuteWriter()
            request.encode(into: &w)
            XCTAssertLessThanOrEqual(w.bytes.count, 1024)
            XCTAssertEqual(request.relativeZxid, 9)
        }
        XCTAssertEqual(Set(requests.flatMap(\.dataWatches)).count, 300)
        XCTAssertEqual(Set(requests.flatMap(\.childWatches)).count, 300)
        XCTAssertEqual(requests.flatMap(\.existWatches), ["/e"])
        XCTAssertEqual(WatchRegistry().setWatchesRequests(relativeZxid: 1), [])

        let fired = registry.take(type: 2, path: "/d/1")  // deleted: data + exist + child
        XCTAssertEqual(fired.count, 1)
        XCTAssertEqual(registry.take(type: 2, path: "/d/1").count, 0)
        XCTAssertEqual(registry.take(type: 4, path: "/c/1").count, 1)
        XCTAssertEqual(registry.take(type: 3, path: "/c/2").count, 0)
        XCTAssertEqual(registry.takeAll().count, 300 - 1 + 300 - 1 + 1)
        XCTAssertTrue(registry.isEmpty)
    }
}
