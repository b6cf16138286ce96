import XCTest
import KielTestSupport
@testable import Kiel

/// Every admin operation Tansu offers, against Tansu, in one pass over two topics and a group.
final class AdminTansuTests: XCTestCase {
    private func run<T>(_ loop: IOLoop, _ body: (@escaping (Result<T, KielError>) -> Void) -> Void) throws -> T {
        try BrokerTest.run(loop, timeout: .seconds(30)) { done in body { done($0.mapError { $0 }) } }
    }

    func testTopicsConfigsOffsetsAndGroupsAgainstTansu() throws {
        let loop = try IOLoop()
        let admin = try Admin(loop: loop, brokers: [try BrokerTest.bootstrap()])
        defer { _ = try? run(loop) { (done: @escaping (Result<Void, KielError>) -> Void) in admin.close { done(.success(())) } } }
        let a = TestServices.uniqueName("admin-a"), b = TestServices.uniqueName("admin-b")

        // Create, then create again next to a new one: one outcome each.
        let first = try run(loop) { admin.createTopics([NewTopic(a, partitions: 3, configs: ["retention.ms": "60000"])], $0) }
        XCTAssertNoThrow(try first[a]?.get())
        let second = try run(loop) { admin.createTopics([NewTopic(a, partitions: 3), NewTopic(b, partitions: 1)], $0) }
        XCTAssertNoThrow(try second[b]?.get())
        guard case .failure(.broker(let exists))? = second[a] else { return XCTFail("\(String(describing: second[a]))") }
        XCTAssertEqual(exists.code, .topicAlreadyExists)
        XCTAssertEqual(exists.topic, a)

        // Metadata: leaders, replicas, ISR; an unknown topic is reported, not created.
        let missing = TestServices.uniqueName("admin-missing")
        let cluster = try run(loop) { admin.describeCluster(topics: [a, missing], $0) }
        XCTAssertFalse(cluster.brokers.isEmpty)
        let described = try XCTUnwrap(cluster.topics.first { $0.name == a })
        XCTAssertEqual(described.partitions.map(\.partition), [0, 1, 2])
        for p in described.partitions {
            XCTAssertTrue(cluster.brokers.map(\.nodeID).contains(p.leader))
            XCTAssertEqual(p.replicas, [p.leader])
            XCTAssertEqual(p.isr, [p.leader])
        }
        XCTAssertEqual(cluster.topics.first { $0.name == missing }?.error?.code, .unknownTopicOrPartition)
        let names = try run(loop) { admin.listTopics($0) }.map(\.name)
        XCTAssertTrue(names.contains(a) && names.contains(b) && !names.contains(missing))

        // Configs: read, change one key, read back.
        let configs = try run(loop) { admin.describeConfigs([.topic(a)], $0) }
        let before = try XCTUnwrap(configs[.topic(a)]).get()
        XCTAssertEqual(before.first { $0.name == "retention.ms" }?.value, "60000")
        let altered = try run(loop) { admin.alterConfigs([.topic(a): [.set("retention.ms", "120000")]], $0) }
        XCTAssertNoThrow(try altered[.topic(a)]?.get())
        let after = try XCTUnwrap(try run(loop) { admin.describeConfigs([.topic(a)], keys: ["retention.ms"], $0) }[.topic(a)]).get()
        XCTAssertEqual(after.first { $0.name == "retention.ms" }?.value, "120000")

        // Tansu has no CreatePartitions: a typed error for the whole call.
        let grown: Result<[String: Result<Void, KielError>], KielError> = try BrokerTest.run(loop) { done in
            admin.createPartitions([a: 5]) { done(.success($0)) }
        }
        guard case .failure(.unsupportedByBroker(.createPartitions)) = grown else { return XCTFail("\(grown)") }
        XCTAssertTrue("\(KielError.unsupportedByBroker(.createPartitions))".contains("unsupported by this broker"))

        // Offsets by time, on records produced to partition 0 one batch each. (DeleteRecords
        // is left to the scripted broker: Tansu 0.6's memory storage panics on it.)
        let p0 = TopicPartition(a, 0)
        let start = Date()
        try produce(loop, topic: a, partition: 0, count: 4)
        let listed = try run(loop) { admin.listOffsets([p0: .beginning, TopicPartition(a, 1): .end, TopicPartition(a, 2): .date(start),
                                                        TopicPartition(a, 9): .end, TopicPartition(b, 0): .offset(3)], $0) }
        XCTAssertEqual(try listed[p0]?.get().offset, 0)
        XCTAssertEqual(try listed[TopicPartition(a, 1)]?.get().offset, 0, "an empty partition ends at 0")
        XCTAssertNoThrow(try listed[TopicPartition(a, 2)]?.get())
        guard case .failure(.unknownPartition)? = listed[TopicPartition(a, 9)] else { return XCTFail("\(listed)") }
        guard case .failure(.invalidArgument)? = listed[TopicPartition(b, 0)] else { return XCTFail("\(listed)") }
        let byTime = try run(loop) { admin.listOffsets([p0: .end], $0) }
        XCTAssertEqual(try byTime[p0]?.get().offset, 4)

        // A group with committed offsets: listed, described, offsets with lag, deleted.
        let group = TestServices.uniqueName("admin-group")
        try commit(loop, admin, group: group, [p0: 3])
        let groups = try run(loop) { admin.listGroups($0) }
        XCTAssertTrue(groups.contains { $0.groupID == group }, "\(groups)")
        let description = try XCTUnwrap(try run(loop) { admin.describeGroups([group], $0) }[group]).get()
        XCTAssertEqual(description.members, [])
        let offsets = try run(loop) { admin.groupOffsets(group, $0) }
        let committed = try XCTUnwrap(offsets[p0]).get()
        XCTAssertEqual(committed.offset, 3)
        XCTAssertEqual(committed.endOffset, 4)
        XCTAssertEqual(committed.lag, 1)
        let groupDeleted = try run(loop) { admin.deleteGroups([group], $0) }
        XCTAssertNoThrow(try groupDeleted[group]?.get())

        // Delete both topics.
        let gone = try run(loop) { admin.deleteTopics([a, b], $0) }
        XCTAssertNoThrow(try gone[a]?.get())
        XCTAssertNoThrow(try gone[b]?.get())
        let after2 = try run(loop) { admin.describeCluster(topics: [a], $0) }
        XCTAssertEqual(after2.topics.first?.error?.code, .unknownTopicOrPartition)
    }

    /// Produces `count` records to `partition`, each flushed alone (one batch each).
    private func produce(_ loop: IOLoop, topic: String, partition: Int32, count: Int) throws {
        let producer = try Producer(loop: loop, brokers: [try BrokerTest.bootstrap()], serializer: .string)
        try BrokerTest.run(loop) { (done: @escaping (Result<Void, any Error>) -> Void) in
            func next(_ i: Int) {
                guard i < count else { return producer.close { done(.success(())) } }
                do {
                    try producer.produce(topic, "m\(i)", partition: partition) { report in
                        if case .failure(let error) = report { return done(.failure(error)) }
                        next(i + 1)
                    }
                } catch { done(.failure(error)) }
            }
            next(0)
        }
    }

    /// Commits `offsets` for `group` as a client outside any generation does (the
    /// simple-consumer form of OffsetCommit), straight to the coordinator.
    private func commit(_ loop: IOLoop, _ admin: Admin, group: String, _ offsets: [TopicPartition: Int64]) throws {
        try run(loop) { (done: @escaping (Result<Void, KielError>) -> Void) in
            admin.withCoordinator(of: group, done) { connection, _ in
                var request = OffsetCommitRequest()
                request.groupId = group
                request.generationIdOrMemberEpoch = -1
                request.topics = Admin.byTopic(Array(offsets.keys)) {
                    OffsetCommitRequest.Partition(partitionIndex: $0.partition, committedOffset: offsets[$0]!, committedMetadata: nil)
                }
                admin.send(request, to: connection, versionRange: 2 ... 7) { result in
                    done(result.flatMap { r in
                        let code = r.topics.flatMap(\.partitions).map(\.errorCode).first { $0 != 0 }
                        return code.map { .failure(.broker(BrokerError(wireCode: $0))) } ?? .success(())
                    })
                }
            }
        }
    }
}
