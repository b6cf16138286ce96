import Foundation
import XCTest
import KielTestSupport
@testable import Kiel

/// A grouped consumer against a fresh Tansu behind the seeded fault proxy (ZooKeeper direct):
/// whatever its fetch connection or its group coordinator connection meets — a reply or a
/// request cut or reset inside a frame, a stall, a silence, a refusal — every message is
/// delivered to the group once, in order per key, and the offsets committed at the end are the
/// end of each partition.
///
/// The plans are causal chains, so each fate meets the connection it is written for: one of the
/// consumer's two connections passes and lives for the whole test while the other one's
/// reconnects take the fates in turn (connection 0 is the producer's).
final class GroupedConsumerFaultTests: XCTestCase {
    private var loop: IOLoop!
    private var broker: FaultyBroker?

    override func setUpWithError() throws { loop = try IOLoop() }

    override func tearDown() {
        broker?.stop()
        broker = nil
        loop = nil
        super.tearDown()
    }

    static let topic = "faults"
    static let partitions = 4

    /// What one run saw.
    struct Outcome {
        var messages: [ConsumerMessage<String>] = []
        var errors: [String] = []
        var polls = 0
        var committed: [TopicPartition: Int64] = [:]
        var ends: [TopicPartition: Int64] = [:]
    }

    /// Produces `count` keyed values through the proxy's connection 0 (noting each partition's
    /// end), consumes them with one grouped consumer until all arrived, commits, closes, and
    /// reads the committed offsets back.
    private func run(plan: [Int: String], count: Int) throws -> (outcome: Outcome, sent: [(key: String, value: String)]) {
        var faults = FaultProxy.Faults()
        faults.plan = plan
        let broker = try FaultyBroker(faults: faults)
        self.broker = broker
        try broker.createTopic(Self.topic, partitions: Self.partitions)
        let sent = ProxyWork.values(count: count, keys: 40)
        var outcome = Outcome()
        outcome.ends = try produce(sent, through: broker)

        let zk = try TestServices.zookeeper()
        let group = TestServices.uniqueName("faulty")
        var options = GroupedConsumer<String>.Options()
        options.sessionTimeout = .seconds(6)
        options.metadataInterval = .seconds(30)
        options.cluster = ProxyWork.clusterOptions()
        options.memberName = "member-1"
        // Answers of at most 64 KiB per partition, so the byte counts of the plans land inside
        // them and every fate is met before the work is done.
        options.partitionMaxBytesFloor = 64 << 10
        options.maxWaitTime = .milliseconds(100)
        options.maxBytes = 256 << 10
        let consumer = try GroupedConsumer(loop: loop, brokers: [broker.bootstrap], group: group,
                                           zooKeeper: "\(zk.host):\(zk.port)", deserializer: .string, options: options)
        consumer.onError = { outcome.errors.append("\($0)") }
        consumer.subscribe(Self.topic)
        let pollsBefore = loop.pollCount
        try BrokerTest.run(loop, timeout: .seconds(120)) { (done: @escaping (Result<Void, any Error>) -> Void) in
            consumer.onMessages = { messages in
                outcome.messages += messages
                guard outcome.messages.count >= count else { return }
                consumer.onMessages = { outcome.messages += $0 }
                // Everything is here: commit explicitly, then close (which commits anything newer).
                consumer.commitOffsets { result in
                    if case .failure(let error) = result { outcome.errors.append("final commit: \(error)") }
                    consumer.close { done(.success(())) }
                }
            }
            consumer.connect { result in
                if case .failure(let error) = result { done(.failure(error)) }
            }
        }
        outcome.polls = loop.pollCount - pollsBefore
        outcome.committed = try readCommitted(group: group, brokerPort: broker.brokerPort)
        return (outcome, sent)
    }

    /// Produces every value (through the proxy's connection 0) and returns each partition's
    /// end: one past the highest offset the broker reported. (Tansu 0.6.0 answers ListOffsets
    /// "latest" with the base offset of the last batch, so ListOffsets can't tell.)
    private func produce(_ items: [(key: String, value: String)], through broker: FaultyBroker) throws -> [TopicPartition: Int64] {
        let producer = try ProxyWork.producer(loop, broker.bootstrap)
        var ends: [TopicPartition: Int64] = [:]
        var failed = 0
        try BrokerTest.run(loop, timeout: .seconds(120)) { (done: @escaping (Result<Void, any Error>) -> Void) in
            var index = 0
            // In slices, so the buffer never fills: the next goes once the last is acknowledged.
            func nextSlice() {
                let end = min(items.count, index + 20_000)
                do {
                    for item in items[index ..< end] {
                        try producer.produce(Self.topic, item.value, key: Array(item.key.utf8)) { report in
                            guard case .success(let m) = report else { return failed += 1 }
                            let tp = TopicPartition(m.topic, m.partition)
                            ends[tp] = max(ends[tp] ?? 0, m.offset + 1)
                        }
                    }
                } catch {
                    return done(.failure(error))
                }
                index = end
                producer.flush { index < items.count ? nextSlice() : producer.close { done(.success(())) } }
            }
            nextSlice()
        }
        XCTAssertEqual(failed, 0)
        return ends
    }

    /// The group's committed offsets, asked of the broker directly by a fresh offset store.
    private func readCommitted(group: String, brokerPort: Int) throws -> [TopicPartition: Int64] {
        let cluster = try Cluster(loop: loop, hosts: ["127.0.0.1:\(brokerPort)"], options: ProxyWork.clusterOptions())
        defer { cluster.close() }
        let tps = (0 ..< Self.partitions).map { TopicPartition(Self.topic, Int32($0)) }
        let store = GroupOffsetStore(loop: loop, cluster: cluster, group: group, member: "reader")
        defer { store.close() }
        return try BrokerTest.run(loop) { done in
            cluster.start { _ in store.fetch(tps) { done($0.mapError { $0 }) } }
        }
    }

    /// Checks exactly-once delivery and the commits, and returns a one-line summary.
    private func check(_ outcome: Outcome, sent: [(key: String, value: String)], _ what: String) -> String {
        let check = ProxyWork.check(sent: sent, received: outcome.messages.map(\.value))
        XCTAssertTrue(check.ok, "\(what): \(check)")
        for (tp, messages) in Dictionary(grouping: outcome.messages, by: { TopicPartition($0.topic, $0.partition) }) {
            XCTAssertEqual(messages.map(\.offset), Array(0 ..< Int64(messages.count)), "\(what): offsets of \(tp)")
        }
        XCTAssertEqual(outcome.ends.count, Self.partitions)
        XCTAssertEqual(outcome.ends.values.reduce(0, +), Int64(sent.count), "\(what): the partitions hold what was sent")
        XCTAssertEqual(outcome.committed, outcome.ends, "\(what): committed offsets are the partitions' ends")
        return "\(check); committed = ends \(outcome.ends.sorted { $0.key.partition < $1.key.partition }.map(\.value)); "
            + "\(outcome.errors.count) errors reported; \(outcome.polls) polls"
    }

    /// The fetch connection's reconnects take the fates in turn; the coordinator connection
    /// (connection 2) passes. Fetch answers are up to 256 KiB, so the down counts land inside
    /// them; up, each reconnect sends a ~50-byte ApiVersions and then fetches of ~100 bytes, so
    /// the up counts land inside a later fetch. A silent or stalled fetch outlives its deadline
    /// (maxWait + the 2 s request timeout): the connection is dropped and the fetch re-sent.
    static let fetchPlan = [
        1: "cut:down:300001", 2: "pass", 3: "reset:down:450007", 4: "blackhole:down:350011",
        5: "stall:down:200003:3000", 6: "cut:up:601", 7: "blackhole:up:803", 8: "refuse",
    ]

    func testEveryMessageOnceThroughFetchConnectionFaults() throws {
        let (outcome, sent) = try run(plan: Self.fetchPlan, count: 40_000)
        let summary = check(outcome, sent: sent, "fetch faults")
        let stats = try XCTUnwrap(broker).proxy.stats()
        XCTAssertEqual(stats.totalFaults, Self.fetchPlan.values.filter { $0 != "pass" }.count,
                       "\(stats)\n\(broker?.proxy.log() ?? "")")
        // The silent and stalled fetches were timed out (and, as nothing is missing, sent again).
        XCTAssertGreaterThanOrEqual(outcome.errors.filter { $0.hasPrefix("timed out: Fetch") }.count, 2, "\(outcome.errors)")
        // Waiting out a silence is a few polls per timer and frame; spinning would be many
        // thousands a second.
        XCTAssertLessThan(outcome.polls, 20_000, "the consumer's loop spun while it waited")
        print("grouped consumer through fetch faults: \(summary); proxy: \(stats)")
    }

    /// The group coordinator connection's reconnects take the fates in turn; the fetch
    /// connection (connection 1) passes. Most fates strike a few bytes into the first request
    /// or answer after the connection's ApiVersions handshake: OffsetFetch's on connections
    /// 2–4 (answer cut, request silent, answer stalled past the timeout), OffsetCommit's on
    /// 6–8 (answer silent; answer reset, so a commit applied has its answer lost and is sent
    /// again; request cut). Connection 5 reads the offsets and is cut among the commits that
    /// follow (their sizes depend on how many partitions each carries).
    func testCommittedOffsetsAreTheEndsThroughCoordinatorConnectionFaults() throws {
        let handshake = try apiVersionsSizes()
        let (up, down) = (handshake.request + 5, handshake.response + 5)
        let plan = [
            1: "pass", 2: "cut:down:\(down)", 3: "blackhole:up:\(up)", 4: "stall:down:\(down):3000",
            5: "cut:down:\(handshake.response + 251)", 6: "blackhole:down:\(down)", 7: "reset:down:\(down)",
            8: "cut:up:\(up)", 9: "refuse",
        ]
        let (outcome, sent) = try run(plan: plan, count: 20_000)
        let summary = check(outcome, sent: sent, "coordinator faults")
        let stats = try XCTUnwrap(broker).proxy.stats()
        XCTAssertEqual(stats.totalFaults, plan.values.filter { $0 != "pass" }.count, "\(stats)\n\(broker?.proxy.log() ?? "")")
        XCTAssertLessThan(outcome.polls, 20_000, "the consumer's loop spun while it waited")
        print("grouped consumer through coordinator faults (ApiVersions \(handshake.request) bytes up, "
            + "\(handshake.response) down): \(summary); proxy: \(stats)")
    }

    /// The consumer's very first connection — its bootstrap, before any metadata — is refused,
    /// and the next one is cut inside the first metadata answer: start rides both out.
    func testStartRidesOutAFailedBootstrap() throws {
        let plan = [1: "refuse", 2: "cut:down:\(try apiVersionsSizes().response + 30)"]
        let (outcome, sent) = try run(plan: plan, count: 2_000)
        let summary = check(outcome, sent: sent, "bootstrap faults")
        let stats = try XCTUnwrap(broker).proxy.stats()
        XCTAssertEqual(stats.totalFaults, 2, "\(stats)\n\(broker?.proxy.log() ?? "")")
        print("grouped consumer through a refused and a cut bootstrap: \(summary); proxy: \(stats)")
    }

    /// The sizes of our ApiVersions request and of the broker's answer, with length prefixes,
    /// asked of the shared test broker (the same Tansu), so a fate can strike just past them.
    private func apiVersionsSizes() throws -> (request: Int, response: Int) {
        let request = try KafkaFrame.encodeRequest(
            ApiVersionsRequest(clientSoftwareName: "kiel-swift", clientSoftwareVersion: "1.0.0"),
            version: 3, correlationId: -1, clientId: BrokerConnection.Options().clientID)
        let shared = try TestServices.broker()
        let response: Int = try BrokerTest.run(loop) { done in
            FramedStream.connect(loop: loop, host: shared.host, port: shared.port, timeout: .seconds(5)) { result in
                switch result {
                case .failure(let error): done(.failure(error))
                case .success(let stream):
                    stream.onFrame = { frame in
                        stream.close()
                        done(.success(4 + frame.count))
                    }
                    stream.sendRaw(request)
                }
            }
        }
        return (request.count, response)
    }
}
