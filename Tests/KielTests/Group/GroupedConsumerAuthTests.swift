import Foundation
import XCTest
import KielTestSupport
@testable import Kiel
@testable import ZooKeeper

/// Grouped consumers with ZooKeeper digest credentials and the `creatorAll` ACL, against the
/// real broker and ZooKeeper: the members still divide the partitions, the group's znodes
/// carry the ACL (read back with getACL, and through kazoo with and without the credentials),
/// and a member without the credentials is turned away with a clear error.
final class GroupedConsumerAuthTests: XCTestCase {
    private var loop: IOLoop!
    private var consumers: [GroupedConsumer<String>] = []
    private var zooKeeper: ZooKeeperClient?
    private var received: Set<String> = []
    private var errors: [String] = []

    private static let credentials = ZooKeeperCredentials.digest(user: "kiel", password: "group-s3cret")

    override func tearDown() {
        for consumer in consumers { consumer.close() }
        zooKeeper?.close()
        if loop != nil { spin(seconds: 2) { false } }
        consumers = []
        zooKeeper = nil
        loop = nil
        super.tearDown()
    }

    @discardableResult
    private func spin(seconds: Double, until condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            loop.runOnce(timeout: .milliseconds(10))
            if condition() { return true }
        }
        return condition()
    }

    private func makeConsumer(broker: String, zk: String, group: String, topic: String, secured: Bool,
                              _ joined: @escaping (Result<Void, KielError>) -> Void) throws -> GroupedConsumer<String> {
        var options = GroupedConsumer<String>.Options()
        options.sessionTimeout = .seconds(2)
        options.metadataInterval = .milliseconds(500)
        options.maxWaitTime = .milliseconds(100)
        if secured {
            options.zooKeeperCredentials = [Self.credentials]
            options.zooKeeperACL = ACL.creatorAll
        }
        let consumer = try GroupedConsumer(loop: loop, brokers: [broker], group: group, zooKeeper: zk,
                                           deserializer: .string, options: options)
        let name = consumer.memberName
        consumer.onMessages = { [unowned self] messages in self.received.formUnion(messages.map(\.value)) }
        consumer.onError = { [unowned self] error in self.errors.append("\(name): \(error)") }
        consumer.subscribe(topic)
        consumer.connect(joined)
        consumers.append(consumer)
        return consumer
    }

    private func value<T>(_ what: String, _ operation: (@escaping (Result<T, ZooKeeperError>) -> Void) -> Void) throws -> T {
        var outcome: Result<T, ZooKeeperError>?
        operation { outcome = $0 }
        XCTAssertTrue(spin(seconds: 20) { outcome != nil }, "\(what) never completed")
        return try XCTUnwrap(outcome, what).get()
    }

    func testMembersWithCredentialsShareAGroupOnlyTheyCanTouch() throws {
        let (brokerHost, brokerPort) = try TestServices.broker()
        let (zkHost, zkPort) = try TestServices.zookeeper()
        let broker = "\(brokerHost):\(brokerPort)", zk = "\(zkHost):\(zkPort)"
        let topic = TestServices.uniqueName("guarded")
        let group = TestServices.uniqueName("guarded-group")
        try TestServices.createTopic(name: topic, partitions: 4)
        loop = try IOLoop()

        var starts: [Result<Void, KielError>] = []
        let a = try makeConsumer(broker: broker, zk: zk, group: group, topic: topic, secured: true) { starts.append($0) }
        let b = try makeConsumer(broker: broker, zk: zk, group: group, topic: topic, secured: true) { starts.append($0) }
        func held(_ c: GroupedConsumer<String>) -> Int { c.allocation.values.reduce(0) { $0 + $1.count } }
        XCTAssertTrue(spin(seconds: 30) { starts.count == 2 && held(a) == 2 && held(b) == 2 },
                      "a \(a.allocation), b \(b.allocation); errors: \(errors)")
        XCTAssertEqual(starts.compactMap { (try? $0.get()) == nil ? "\($0)" : nil }, [])
        XCTAssertEqual(Set(a.allocation[topic] ?? []).union(b.allocation[topic] ?? []), [0, 1, 2, 3])

        let sent = try produce(topic, broker: broker, count: 20, partitions: 4)
        XCTAssertTrue(spin(seconds: 30) { sent.isSubset(of: received) }, "received \(received.count) of \(sent.count)")

        // Every znode of the group carries the members' identity, and only it.
        let reader = try ZooKeeperClient(loop: loop, connectString: zk)
        zooKeeper = reader
        reader.addAuth(Self.credentials)
        reader.start()
        let layout = try XCTUnwrap(GroupLayout(group: group))
        let claim = layout.owner(of: TopicPartition(topic, 0))
        let paths = [layout.root, layout.members, layout.member(a.memberName), layout.member(b.memberName),
                     layout.partitions, layout.partitionsLock, layout.owners, claim]
        for path in paths {
            let acl = try value("getACL \(path)") { reader.getACL(path, $0) }.acl
            XCTAssertEqual(acl.map(\.scheme), ["digest"], path)
            XCTAssertEqual(acl.first?.id.hasPrefix("kiel:"), true, path)
            XCTAssertEqual(acl.first?.permissions, .all, path)
        }
        // The ancestor every group shares stays open.
        XCTAssertTrue(try value("getACL groups") { reader.getACL(GroupLayout.groupsRoot, $0) }.acl
            .contains(.anyone(.all)))

        // kazoo with the same credentials reads kiel's layout; without them it is refused.
        let output = try TestServices.runPython(code: """
        import json, sys
        from kazoo.client import KazooClient
        from kazoo.exceptions import NoAuthError
        hosts, root = sys.argv[1:3]
        report = {}
        zk = KazooClient(hosts=hosts, auth_data=[("digest", "kiel:group-s3cret")]); zk.start()
        report["members"] = len(zk.get_children(root + "/members"))
        report["partitions"] = len(json.loads(zk.get(root + "/partitions")[0]))
        zk.stop()
        anonymous = KazooClient(hosts=hosts); anonymous.start()
        try:
            anonymous.get_children(root + "/members"); report["anonymous"] = "read"
        except NoAuthError:
            report["anonymous"] = "noauth"
        anonymous.stop()
        print(json.dumps(report, sort_keys=True))
        """, args: [zk, layout.root])
        XCTAssertEqual(output.trimmingCharacters(in: .whitespacesAndNewlines),
                       #"{"anonymous": "noauth", "members": 2, "partitions": 4}"#)

        // A member without the credentials can't join, and says why.
        var intruderStart: Result<Void, KielError>?
        let intruder = try makeConsumer(broker: broker, zk: zk, group: group, topic: topic, secured: false) {
            intruderStart = $0
        }
        XCTAssertTrue(spin(seconds: 30) { intruderStart != nil })
        guard case .failure(.zookeeper(.noAuth))? = intruderStart else {
            return XCTFail("intruder: \(String(describing: intruderStart))")
        }
        XCTAssertEqual(held(intruder), 0)
        XCTAssertEqual(held(a) + held(b), 4, "the members keep their shares")
        XCTAssertEqual(errors, [])
    }

    func testARefusedSchemeFailsConnectOnceWithoutRetrying() throws {
        let (brokerHost, brokerPort) = try TestServices.broker()
        let zk = try TestServices.zookeeper()
        let topic = TestServices.uniqueName("refused")
        try TestServices.createTopic(name: topic, partitions: 1)
        loop = try IOLoop()
        let proxy = try FaultProxy(upstream: zk, faults: FaultProxy.Faults())
        defer { proxy.stop() }
        var options = GroupedConsumer<String>.Options()
        options.zooKeeperCredentials = [ZooKeeperCredentials(scheme: "no-such-scheme", bytes: Array("kiel:x".utf8))]
        let consumer = try GroupedConsumer(loop: loop, brokers: ["\(brokerHost):\(brokerPort)"], group: TestServices.uniqueName("g"),
                                           zooKeeper: proxy.address, deserializer: .string, options: options)
        consumers.append(consumer)
        consumer.subscribe(topic)
        var starts: [Result<Void, KielError>] = []
        consumer.connect { starts.append($0) }
        XCTAssertTrue(spin(seconds: 30) { !starts.isEmpty })
        // Give a reconnect loop (its first retry would come within 50 ms) the chance to show.
        spin(seconds: 1) { false }
        XCTAssertEqual(starts.count, 1)
        guard case .failure(.zookeeper(.authFailed))? = starts.first else { return XCTFail("\(starts)") }
        XCTAssertEqual(consumer.zooKeeper.wireState, .authFailed)
        XCTAssertEqual(try proxy.stats().connections, 1, "no reconnecting after the refusal")
    }

    private func produce(_ topic: String, broker: String, count: Int, partitions: Int) throws -> Set<String> {
        let code = """
        import sys, confluent_kafka
        broker, topic, count, partitions = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
        p = confluent_kafka.Producer({"bootstrap.servers": broker})
        for i in range(count):
            p.produce(topic, value=("m-%d" % i).encode(), partition=i % partitions)
        print(p.flush(30))
        """
        XCTAssertEqual(try TestServices.runPython(code: code, args: [broker, topic, String(count), String(partitions)])
            .trimmingCharacters(in: .whitespacesAndNewlines), "0")
        return Set((0 ..< count).map { "m-\($0)" })
    }
}
