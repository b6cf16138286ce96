import Foundation
import XCTest
import KielTestSupport
@testable import Kiel
@testable import ZooKeeper

/// Two grouped consumers in one process against the real broker and ZooKeeper: they divide
/// the partitions, ride out a short ZooKeeper outage without moving anything, give everything
/// to the other member when a session expires and take their share back with a new session,
/// and leave offsets and znodes that confluent-kafka and kazoo read as expected.
final class GroupedConsumerServiceTests: XCTestCase {
    private var loop: IOLoop!
    private var consumers: [GroupedConsumer<String>] = []
    private var received: [String: [String]] = [:]
    private var changes: [String: [AllocationChange]] = [:]
    private var errors: [String] = []

    override func tearDown() {
        for consumer in consumers { consumer.close() }
        if loop != nil { spin(seconds: 2) { false } }
        consumers = []
        loop = nil
        super.tearDown()
    }

    private func makeConsumer(broker: String, zk: String, group: String, topics: [String],
                              sessionTimeout: Duration = .seconds(2)) throws -> GroupedConsumer<String> {
        var options = GroupedConsumer<String>.Options()
        options.sessionTimeout = sessionTimeout
        options.metadataInterval = .milliseconds(500)
        options.maxWaitTime = .milliseconds(100)
        let consumer = try GroupedConsumer(loop: loop, brokers: [broker], group: group, zooKeeper: zk,
                                           deserializer: .string, options: options)
        let name = consumer.memberName
        consumer.onMessages = { [unowned self] messages in self.received[name, default: []].append(contentsOf: messages.map(\.value)) }
        consumer.onRebalance = { [unowned self] change in self.changes[name, default: []].append(change) }
        consumer.onError = { [unowned self] error in self.errors.append("\(name): \(error)") }
        for topic in topics { consumer.subscribe(topic) }
        consumer.connect { [unowned self] result in
            if case .failure(let error) = result { self.errors.append("start \(name): \(error)") }
        }
        consumers.append(consumer)
        return consumer
    }

    /// Runs the loop until `condition` holds or `seconds` pass; false on timeout.
    @discardableResult
    private func spin(seconds: Double, until condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            loop.runOnce(timeout: .milliseconds(10))
            if condition() { return true }
        }
        return condition()
    }

    private func produce(_ topic: String, broker: String, prefix: String, count: Int, partitions: Int) throws -> Set<String> {
        let code = """
        import sys, confluent_kafka
        broker, topic, prefix, count, partitions = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
        p = confluent_kafka.Producer({"bootstrap.servers": broker})
        for i in range(count):
            p.produce(topic, value=("%s-%d" % (prefix, i)).encode(), partition=i % partitions)
        print(p.flush(30))
        """
        XCTAssertEqual(try TestServices.runPython(code: code, args: [broker, topic, prefix, String(count), String(partitions)])
            .trimmingCharacters(in: .whitespacesAndNewlines), "0")
        return Set((0 ..< count).map { "\(prefix)-\($0)" })
    }

    private var allReceived: Set<String> { Set(received.values.flatMap { $0 }) }

    /// A producer and a grouped consumer on one `Cluster`: what the producer sends arrives, and
    /// closing the consumer leaves the cluster open for the producer.
    func testProducerAndGroupedConsumerShareOneCluster() throws {
        let (brokerHost, brokerPort) = try TestServices.broker()
        let (zkHost, zkPort) = try TestServices.zookeeper()
        let topic = TestServices.uniqueName("shared")
        try TestServices.createTopic(name: topic, partitions: 2)
        loop = try IOLoop()
        let cluster = try Cluster(loop: loop, hosts: ["\(brokerHost):\(brokerPort)"])
        let producer = Producer(cluster: cluster, serializer: .string)
        var options = GroupedConsumer<String>.Options()
        options.maxWaitTime = .milliseconds(100)
        let consumer = try GroupedConsumer(cluster: cluster, group: TestServices.uniqueName("sharing"),
                                           zooKeeper: "\(zkHost):\(zkPort)", deserializer: .string, options: options)
        XCTAssertTrue(consumer.cluster === cluster)
        var received: [String] = []
        var gained: [AllocationChange] = []
        consumer.onMessages = { messages in received += messages.map(\.value) }
        consumer.onRebalance = { gained.append($0) }
        consumer.onError = { [unowned self] error in self.errors.append("consumer: \(error)") }
        consumer.subscribe(topic)
        var joined: Result<Void, KielError>?
        consumer.connect { joined = $0 }
        XCTAssertTrue(spin(seconds: 30) { joined != nil && consumer.allocation[topic]?.count == 2 }, "joined and holds both partitions")
        XCTAssertNoThrow(try joined?.get())
        XCTAssertEqual(gained, [AllocationChange(gained: [topic: [0, 1]])], "one change for both partitions")

        var reports: [Result<RecordMetadata, KielError>] = []
        let sent = (0 ..< 20).map { "m\($0)" }
        for value in sent { try producer.produce(topic, value) { reports.append($0) } }
        XCTAssertTrue(spin(seconds: 30) { Set(received) == Set(sent) }, "received \(received.count) of \(sent.count)")

        var consumerClosed = false
        consumer.close { consumerClosed = true }
        XCTAssertTrue(spin(seconds: 15) { consumerClosed })
        for value in ["after-1", "after-2"] { try producer.produce(topic, value) { reports.append($0) } }
        XCTAssertTrue(spin(seconds: 30) { reports.count == sent.count + 2 })
        XCTAssertEqual(reports.filter { (try? $0.get()) == nil }.count, 0, "every record delivered, also after the consumer closed")

        var producerClosed = false
        producer.close { producerClosed = true }
        XCTAssertTrue(spin(seconds: 15) { producerClosed })
        cluster.close()
        XCTAssertEqual(errors, [])
    }

    func testTwoMembersRideOutOutagesAndExpiryAndPickUpANewTopic() throws {
        let (brokerHost, brokerPort) = try TestServices.broker()
        let (zkHost, zkPort) = try TestServices.zookeeper()
        let broker = "\(brokerHost):\(brokerPort)"
        let zk = "\(zkHost):\(zkPort)"
        let topic = TestServices.uniqueName("grouped")
        let group = TestServices.uniqueName("pair")
        let later = TestServices.uniqueName("later")
        try TestServices.createTopic(name: topic, partitions: 4)
        var produced = try produce(topic, broker: broker, prefix: "a", count: 40, partitions: 4)
        // A record that is not UTF-8: reported, skipped, and committed past like the others.
        _ = try TestServices.runPython(code: """
        import sys, confluent_kafka
        p = confluent_kafka.Producer({"bootstrap.servers": sys.argv[1]})
        p.produce(sys.argv[2], value=b"\\xff\\xfe", partition=3)
        p.flush(30)
        """, args: [broker, topic])

        loop = try IOLoop()
        let a = try makeConsumer(broker: broker, zk: zk, group: group, topics: [topic, later])
        let b = try makeConsumer(broker: broker, zk: zk, group: group, topics: [topic, later])
        func held(_ c: GroupedConsumer<String>) -> Int { c.allocation.values.reduce(0) { $0 + $1.count } }

        XCTAssertTrue(spin(seconds: 30) { held(a) == 2 && held(b) == 2 && produced.isSubset(of: allReceived) },
                      "split 2/2 and consume everything; errors: \(errors)")
        XCTAssertEqual(Set(a.allocation[topic]!).union(b.allocation[topic]!), [0, 1, 2, 3])

        // kazoo sees kiel's layout: both members in the party, the partitions as a JSON list.
        let layout = try TestServices.runPython(code: """
        import sys, json
        from kazoo.client import KazooClient
        z = KazooClient(hosts=sys.argv[1]); z.start()
        base = "/kiel/groups/" + sys.argv[2]
        print(json.dumps({"members": sorted(z.get_children(base + "/members")),
                          "partitions": sorted(json.loads(z.get(base + "/partitions")[0]))}))
        z.stop()
        """, args: [zk, group])
        let parsed = try JSONSerialization.jsonObject(with: Data(layout.utf8)) as? [String: [String]]
        XCTAssertEqual(parsed?["members"], [a.memberName, b.memberName].kielSorted())
        XCTAssertEqual(parsed?["partitions"], (0 ..< 4).map { "\(topic):\($0)" })

        // A short outage: the session survives, nothing moves.
        let aBefore = a.allocation
        let aChanges = changes[a.memberName]?.count ?? 0
        a.zooKeeper.dropConnectionForTesting(blockReconnectFor: .milliseconds(500))
        XCTAssertTrue(spin(seconds: 10) { a.zooKeeper.state == .suspended })
        XCTAssertEqual(a.allocation, aBefore, "a suspended member keeps its share")
        XCTAssertTrue(spin(seconds: 10) { a.zooKeeper.state == .connected })
        spin(seconds: 0.5) { false }
        XCTAssertEqual(a.allocation, aBefore)
        XCTAssertEqual(changes[a.memberName]?.count ?? 0, aChanges, "no rebalance for a short outage")

        // A long one: the session expires; b takes everything, then a rejoins with a new session.
        let oldSession = a.zooKeeper.sessionID
        a.zooKeeper.dropConnectionForTesting(blockReconnectFor: .seconds(5))
        XCTAssertTrue(spin(seconds: 20) { held(b) == 4 && held(a) == 0 }, "b takes over; errors: \(errors)")
        produced.formUnion(try produce(topic, broker: broker, prefix: "b", count: 40, partitions: 4))
        XCTAssertTrue(spin(seconds: 30) { held(a) == 2 && held(b) == 2 && a.zooKeeper.sessionID != oldSession },
                      "a rejoins with a new session and the group splits again; errors: \(errors)")
        XCTAssertTrue(spin(seconds: 30) { produced.isSubset(of: allReceived) }, "every message consumed")

        // A topic created after start joins the shared set and gets divided too.
        try TestServices.createTopic(name: later, partitions: 2)
        produced.formUnion(try produce(later, broker: broker, prefix: "c", count: 10, partitions: 2))
        XCTAssertTrue(spin(seconds: 30) { held(a) == 3 && held(b) == 3 && produced.isSubset(of: allReceived) },
                      "the new topic's partitions are divided and consumed; errors: \(errors)")

        // Closing commits; confluent-kafka reads the group's offsets back.
        var closed = 0
        for consumer in consumers { consumer.close { closed += 1 } }
        XCTAssertTrue(spin(seconds: 20) { closed == 2 })
        consumers = []
        let committed = try TestServices.runPython(code: """
        import sys, confluent_kafka
        c = confluent_kafka.Consumer({"bootstrap.servers": sys.argv[1], "group.id": sys.argv[2]})
        got = c.committed([confluent_kafka.TopicPartition(sys.argv[3], p) for p in range(4)], timeout=20)
        print(" ".join(str(tp.offset) for tp in got))
        c.close()
        """, args: [broker, group, topic])
        XCTAssertEqual(committed.trimmingCharacters(in: .whitespacesAndNewlines), "20 20 20 21")
        let undecodable = errors.filter { $0.contains("cannot deserialize \(topic)/3@") }
        XCTAssertEqual(undecodable.count, 1, "the bad record is reported once: \(errors)")
    }

    /// Runs `work` off the loop thread (it blocks) while the loop keeps turning.
    private func whileLooping(_ what: String, _ work: @escaping @Sendable () throws -> Void) {
        let done = LockedFlag()
        DispatchQueue.global().async {
            do { try work() } catch { done.fail("\(error)") }
            done.set()
        }
        XCTAssertTrue(spin(seconds: 60) { done.isSet }, what)
        if let failure = done.failure { XCTFail("\(what): \(failure)") }
    }

    func testMembersKeepTheirSharesWhenTheirZooKeeperServerDies() throws {
        let (brokerHost, brokerPort) = try TestServices.broker()
        let broker = "\(brokerHost):\(brokerPort)"
        let ensemble = try TestServices.zookeeperEnsemble()
        let zkHosts = ensemble.map { "\($0.host):\($0.port)" }.joined(separator: ",")
        let topic = TestServices.uniqueName("grouped")
        let group = TestServices.uniqueName("ensemble")
        try TestServices.createTopic(name: topic, partitions: 4)
        var produced = try produce(topic, broker: broker, prefix: "a", count: 20, partitions: 4)

        loop = try IOLoop()
        // Stopping the leader makes the others elect one and drops every client meanwhile; a
        // session long enough to outlast that (as in a real deployment) keeps both shares.
        let a = try makeConsumer(broker: broker, zk: zkHosts, group: group, topics: [topic], sessionTimeout: .seconds(10))
        let b = try makeConsumer(broker: broker, zk: zkHosts, group: group, topics: [topic], sessionTimeout: .seconds(10))
        func held(_ c: GroupedConsumer<String>) -> Int { c.allocation.values.reduce(0) { $0 + $1.count } }
        XCTAssertTrue(spin(seconds: 30) { held(a) == 2 && held(b) == 2 && produced.isSubset(of: allReceived) },
                      "split 2/2 and consume everything; errors: \(errors)")

        let before = (a.allocation, b.allocation, changes.values.map(\.count).reduce(0, +))
        let session = a.zooKeeper.sessionID
        guard let host = a.zooKeeper.connectedHost,
              let node = ensemble.firstIndex(where: { $0.port == host.port }).map({ $0 + 1 }) else {
            return XCTFail("a is not connected to an ensemble node")
        }
        whileLooping("stop ZooKeeper node \(node)") { try TestServices.zookeeperControl(stop: node) }
        XCTAssertTrue(spin(seconds: 30) {
            a.zooKeeper.state == .connected && a.zooKeeper.connectedHost != host && b.zooKeeper.state == .connected
        }, "a moves to another server and b is connected")
        XCTAssertEqual(a.zooKeeper.sessionID, session, "the session survives")
        produced.formUnion(try produce(topic, broker: broker, prefix: "b", count: 20, partitions: 4))
        XCTAssertTrue(spin(seconds: 30) { produced.isSubset(of: allReceived) }, "consumption goes on")
        XCTAssertEqual(a.allocation, before.0, "a keeps its share")
        XCTAssertEqual(b.allocation, before.1, "b keeps its share")
        XCTAssertEqual(changes.values.map(\.count).reduce(0, +), before.2, "no rebalance at all")
        XCTAssertEqual(errors, [])
        whileLooping("start ZooKeeper node \(node)") { try TestServices.zookeeperControl(start: node) }
    }
}

/// A flag set on one thread and read on another.
private final class LockedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    private var message: String?
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
    var failure: String? { lock.lock(); defer { lock.unlock() }; return message }
    func set() { lock.lock(); value = true; lock.unlock() }
    func fail(_ text: String) { lock.lock(); message = text; lock.unlock() }
}
