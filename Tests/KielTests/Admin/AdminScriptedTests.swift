import Foundation
import XCTest
@testable import Kiel

/// The admin operations Tansu lacks or gets wrong, against the scripted broker: the
/// AlterConfigs fallback, DeleteRecords at each partition's leader, members' decoded
/// assignments, and an API the broker does not offer.
final class AdminScriptedTests: XCTestCase {
    private func run<T>(_ loop: IOLoop, _ body: (@escaping (Result<T, KielError>) -> Void) -> Void) throws -> T {
        try loop.runUntilComplete(timeout: .seconds(20)) { done in body { done($0.mapError { $0 }) } }
    }

    private func admin(_ loop: IOLoop, _ broker: ScriptedBroker) throws -> Admin {
        var options = Admin.Options()
        options.cluster.connection.requestTimeout = .seconds(5)
        options.operationTimeout = .seconds(1)
        return try Admin(loop: loop, brokers: [broker.bootstrap], options: options)
    }

    /// Without IncrementalAlterConfigs the current dynamic entries are read and sent back,
    /// changed, with AlterConfigs; each resource gets its own outcome.
    func testAlterConfigsFallsBackToReplacingTheWholeConfiguration() throws {
        let broker = try ScriptedBroker(topics: ["orders": 1, "payments": 1])
        defer { broker.stop() }
        broker.withheld = [.incrementalAlterConfigs]
        broker.handle(.describeConfigs) { frame, header, _ in
            let request = try KafkaFrame.decodeRequest(DescribeConfigsRequest.self, frame: frame).body
            var r = DescribeConfigsResponse()
            r.results = request.resources.map { resource in
                var result = DescribeConfigsResponse.Result()
                (result.resourceType, result.resourceName) = (resource.resourceType, resource.resourceName)
                result.configs = [("retention.ms", "60000", Int8(1)), ("cleanup.policy", "delete", 5), ("segment.ms", "1000", 1)].map {
                    var e = DescribeConfigsResponse.Entry()
                    (e.name, e.value, e.configSource) = ($0.0, $0.1, $0.2)
                    return e
                }
                return result
            }
            return try KafkaFrame.encodeResponse(r, version: header.apiVersion, correlationId: header.correlationId)
        }
        let sent = LockedBox<[AlterConfigsRequest.Resource]>([])
        broker.handle(.alterConfigs) { frame, header, _ in
            let request = try KafkaFrame.decodeRequest(AlterConfigsRequest.self, frame: frame).body
            sent.value = request.resources
            var r = AlterConfigsResponse()
            r.responses = request.resources.map { resource in
                var result = AlterConfigsResourceResult()
                (result.resourceType, result.resourceName) = (resource.resourceType, resource.resourceName)
                if resource.resourceName == "payments" { (result.errorCode, result.errorMessage) = (40, "bad value") }
                return result
            }
            return try KafkaFrame.encodeResponse(r, version: header.apiVersion, correlationId: header.correlationId)
        }
        let loop = try IOLoop()
        let admin = try admin(loop, broker)
        let outcome = try run(loop) {
            admin.alterConfigs([.topic("orders"): [.set("max.message.bytes", "2048"), .delete("segment.ms")],
                                .topic("payments"): [.set("retention.ms", "-5")],
                                .broker(1): [.append("log.dirs", "/x")]], $0)
        }
        XCTAssertNoThrow(try outcome[.topic("orders")]?.get())
        guard case .failure(.broker(let bad))? = outcome[.topic("payments")] else { return XCTFail("\(outcome)") }
        XCTAssertEqual(bad.code, .invalidConfig)
        XCTAssertEqual(bad.message, "bad value")
        guard case .failure(.unsupportedByBroker(.incrementalAlterConfigs))? = outcome[.broker(1)] else { return XCTFail("\(outcome)") }
        let orders = try XCTUnwrap(sent.value.first { $0.resourceName == "orders" })
        XCTAssertEqual(orders.configs, [.init(name: "max.message.bytes", value: "2048"), .init(name: "retention.ms", value: "60000")],
                       "the dynamic entries kept, the default left out, the deleted one gone")
        try run(loop) { (done: @escaping (Result<Void, KielError>) -> Void) in admin.close { done(.success(())) } }
    }

    /// DeleteRecords goes to each partition's leader; a partition's error stays its own.
    func testDeleteRecordsAtEachLeaderWithPerPartitionErrors() throws {
        let broker = try ScriptedBroker(nodes: 2, topics: ["orders": 4], spread: true)
        defer { broker.stop() }
        let asked = LockedBox<[Int32: [Int32]]>([:])
        broker.handle(.deleteRecords) { frame, header, node in
            let request = try KafkaFrame.decodeRequest(DeleteRecordsRequest.self, frame: frame).body
            var r = DeleteRecordsResponse()
            r.topics = request.topics.map { t in
                .init(name: t.name, partitions: t.partitions.map { p in
                    asked.update { $0[node, default: []].append(p.partitionIndex) }
                    var out = DeleteRecordsResponse.Partition()
                    out.partitionIndex = p.partitionIndex
                    if p.partitionIndex == 3 { out.errorCode = KafkaErrorCode.offsetOutOfRange.rawValue } else { out.lowWatermark = p.offset }
                    return out
                })
            }
            return try KafkaFrame.encodeResponse(r, version: header.apiVersion, correlationId: header.correlationId)
        }
        let loop = try IOLoop()
        let admin = try admin(loop, broker)
        let deleted = try run(loop) {
            admin.deleteRecords(before: [TopicPartition("orders", 0): 5, TopicPartition("orders", 1): 7,
                                         TopicPartition("orders", 3): 99, TopicPartition("nope", 0): 1], $0)
        }
        XCTAssertEqual(try deleted[TopicPartition("orders", 0)]?.get(), 5)
        XCTAssertEqual(try deleted[TopicPartition("orders", 1)]?.get(), 7)
        guard case .failure(.broker(let e))? = deleted[TopicPartition("orders", 3)] else { return XCTFail("\(deleted)") }
        XCTAssertEqual(e.code, .offsetOutOfRange)
        XCTAssertEqual(e.partition, 3)
        guard case .failure(.unknownTopic("nope"))? = deleted[TopicPartition("nope", 0)] else { return XCTFail("\(deleted)") }
        XCTAssertEqual(asked.value.mapValues { $0.sorted() }, [1: [0], 2: [1, 3]], "partition p is led by node 1 + p % 2")
        try run(loop) { (done: @escaping (Result<Void, KielError>) -> Void) in admin.close { done(.success(())) } }
    }

    /// Members' subscriptions and assignments are decoded from the consumer protocol.
    func testDescribeGroupsDecodesMembersAssignments() throws {
        let broker = try ScriptedBroker(topics: ["orders": 3])
        defer { broker.stop() }
        broker.handle(.describeGroups) { frame, header, _ in
            var member = DescribeGroupsResponse.Member()
            (member.memberId, member.clientId, member.clientHost) = ("m-1", "app", "/127.0.0.1")
            member.memberMetadata = try ConsumerProtocolSubscription(topics: ["orders"]).encoded()
            member.memberAssignment = try ConsumerProtocolAssignment(assignedPartitions: [.init(topic: "orders", partitions: [2, 0])]).encoded()
            var group = DescribeGroupsResponse.Group()
            (group.groupId, group.groupState, group.protocolType, group.protocolData) = ("g", "Stable", "consumer", "range")
            group.members = [member]
            var r = DescribeGroupsResponse()
            r.groups = [group]
            return try KafkaFrame.encodeResponse(r, version: header.apiVersion, correlationId: header.correlationId)
        }
        let loop = try IOLoop()
        let admin = try admin(loop, broker)
        let described = try XCTUnwrap(try run(loop) { admin.describeGroups(["g"], $0) }["g"]).get()
        XCTAssertEqual(described.state, "Stable")
        XCTAssertEqual(described.protocolName, "range")
        XCTAssertEqual(described.members.map(\.subscription), [["orders"]])
        XCTAssertEqual(described.members.first?.assignment, [TopicPartition("orders", 0), TopicPartition("orders", 2)])
        try run(loop) { (done: @escaping (Result<Void, KielError>) -> Void) in admin.close { done(.success(())) } }
    }

    /// An API the broker does not offer fails the call with `.unsupportedByBroker`, and
    /// nothing is sent for it.
    func testAnApiTheBrokerLacksIsATypedError() throws {
        let broker = try ScriptedBroker(topics: ["orders": 1])
        defer { broker.stop() }
        broker.withheld = [.deleteGroups, .createPartitions]
        let loop = try IOLoop()
        let admin = try admin(loop, broker)
        let deleted: Result<[String: Result<Void, KielError>], KielError> = try loop.runUntilComplete(timeout: .seconds(20)) { done in
            admin.deleteGroups(["g"]) { done(.success($0)) }
        }
        guard case .failure(.unsupportedByBroker(.deleteGroups)) = deleted else { return XCTFail("\(deleted)") }
        XCTAssertFalse(KielError.unsupportedByBroker(.deleteGroups).isRetriable)
        XCTAssertNil(broker.counts().requests[.deleteGroups])
        try run(loop) { (done: @escaping (Result<Void, KielError>) -> Void) in admin.close { done(.success(())) } }
    }
}

/// A value shared between a test and the scripted broker's threads.
final class LockedBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    init(_ value: T) { stored = value }
    var value: T {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
    func update(_ body: (inout T) -> Void) { lock.withLock { body(&stored) } }
}
