import Foundation
import XCTest
import KielTestSupport
@testable import Kiel

/// Kiel members of broker-coordinated groups on one loop, against the real broker: what each
/// received, every rebalance it reported with the generation it was in, and its errors.
final class KafkaGroupHarness {
    /// One member's allocation after one of its rebalances.
    struct Holding {
        var member: String
        var generation: Int32
        var allocation: Set<TopicPartition>
    }

    let loop: IOLoop
    let broker: String
    private(set) var members: [String: KafkaGroupConsumer<String>] = [:]
    var received: [String: [String]] = [:]
    var holdings: [Holding] = []
    var changes: [String: [AllocationChange]] = [:]
    var errors: [String] = []
    /// When each member first reported a gain (monotonic).
    var firstGain: [String: Deadline] = [:]
    /// Errors that are expected while members come and go (a fetch cut short by a rebalance).
    var tolerated: (KielError) -> Bool = { _ in false }

    init() throws {
        // KIEL_LOG=debug prints the members' protocol steps, as the CLI does.
        if let name = ProcessInfo.processInfo.environment["KIEL_LOG"],
           let level = [("debug", LogLevel.debug), ("info", .info)].first(where: { $0.0 == name })?.1 {
            KielLog.setHandler(level: level) { level, message in
                FileHandle.standardError.write(Data("[\(level)] \(message)\n".utf8))
            }
        }
        loop = try IOLoop()
        broker = try BrokerTest.bootstrap()
    }

    static func options() -> KafkaGroupConsumer<String>.Options {
        var options = KafkaGroupConsumer<String>.Options()
        options.sessionTimeout = .seconds(6)
        options.heartbeatInterval = .milliseconds(300)
        options.rebalanceTimeout = .seconds(10)
        options.autocommitInterval = .milliseconds(500)
        options.maxWaitTime = .milliseconds(100)
        return options
    }

    @discardableResult
    func add(_ label: String, group: String, topics: [String], assignors: [GroupAssignor] = [.range, .roundRobin],
             options: KafkaGroupConsumer<String>.Options = KafkaGroupHarness.options()) throws -> KafkaGroupConsumer<String> {
        let consumer = try KafkaGroupConsumer(loop: loop, brokers: [broker], group: group, deserializer: .string,
                                              assignors: assignors, options: options)
        consumer.onMessages = { [unowned self] messages in self.received[label, default: []] += messages.map(\.value) }
        consumer.onRebalance = { [unowned self, unowned consumer] change in
            self.changes[label, default: []].append(change)
            if !change.gained.isEmpty && self.firstGain[label] == nil { self.firstGain[label] = self.loop.now }
            self.holdings.append(Holding(member: label, generation: consumer.generationId,
                                         allocation: Set(TopicPartition.all(consumer.allocation))))
        }
        consumer.onError = { [unowned self] error in
            if !self.tolerated(error) { self.errors.append("\(label): \(error)") }
        }
        for topic in topics { consumer.subscribe(topic) }
        consumer.connect { [unowned self] result in
            if case .failure(let error) = result { self.errors.append("connect \(label): \(error)") }
        }
        members[label] = consumer
        return consumer
    }

    /// Closes one member and waits until it has.
    func close(_ label: String, seconds: Double = 20) -> Bool {
        guard let consumer = members.removeValue(forKey: label) else { return false }
        var closed = false
        consumer.close { closed = true }
        return spin(seconds: seconds) { closed }
    }

    func closeAll() {
        for label in Array(members.keys) { _ = close(label) }
    }

    /// Runs the loop until `condition` holds or `seconds` pass; false on timeout.
    @discardableResult
    func spin(seconds: Double, until condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            loop.runOnce(timeout: .milliseconds(10))
            if condition() { return true }
        }
        return condition()
    }

    var allReceived: Set<String> { Set(received.values.flatMap { $0 }) }

    /// The partitions each member holds now.
    func allocations() -> [String: Set<TopicPartition>] {
        members.mapValues { Set(TopicPartition.all($0.allocation)) }
    }

    /// Whether the members now split `partitions` between them, each held once, by every member.
    func settled(_ partitions: Set<TopicPartition>, among labels: [String]) -> Bool {
        let all = allocations()
        let held = labels.map { all[$0] ?? [] }
        guard held.allSatisfy({ !$0.isEmpty }) || partitions.count < labels.count else { return false }
        return held.reduce(0) { $0 + $1.count } == partitions.count && held.reduce(Set()) { $0.union($1) } == partitions
    }

    /// Whether Kiel members `kiel` and the confluent `peers` split `partitions`, each holding
    /// some and every partition held once.
    func split(_ partitions: Set<TopicPartition>, kiel: [String], peers: [ConfluentMember]) -> Bool {
        let held = kiel.map { allocations()[$0] ?? [] } + peers.map(\.holding)
        return held.allSatisfy { !$0.isEmpty } && held.reduce(0) { $0 + $1.count } == partitions.count
            && held.reduce(Set()) { $0.union($1) } == partitions
    }

    /// Everything the Kiel members and `peers` consumed.
    func received(with peers: [ConfluentMember]) -> Set<String> { allReceived.union(peers.flatMap(\.received)) }

    /// Within any one generation, no two members reported holding the same partition.
    func assertGenerationsDisjoint(file: StaticString = #filePath, line: UInt = #line) {
        var latest: [Int32: [String: Set<TopicPartition>]] = [:]
        for holding in holdings where holding.generation >= 0 {
            latest[holding.generation, default: [:]][holding.member] = holding.allocation
        }
        for (generation, byMember) in latest {
            var owner: [TopicPartition: String] = [:]
            for (member, partitions) in byMember {
                for key in partitions {
                    if let other = owner[key] {
                        XCTFail("generation \(generation): \(key) held by \(other) and \(member)", file: file, line: line)
                    }
                    owner[key] = member
                }
            }
        }
    }

    /// Produces `count` values `PREFIX-i` round-robin over `partitions` with confluent-kafka.
    func produce(_ topic: String, prefix: String, count: Int, partitions: Int) throws -> Set<String> {
        let code = """
        import sys, confluent_kafka
        broker, topic, prefix, count, partitions = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
        p = confluent_kafka.Producer({"bootstrap.servers": broker})
        for i in range(count):
            p.produce(topic, value=("%s-%d" % (prefix, i)).encode(), partition=i % partitions)
        print(p.flush(30))
        """
        let output = try TestServices.runPython(code: code, args: [broker, topic, prefix, String(count), String(partitions)])
        XCTAssertEqual(output.trimmingCharacters(in: .whitespacesAndNewlines), "0")
        return Set((0 ..< count).map { "\(prefix)-\($0)" })
    }
}
