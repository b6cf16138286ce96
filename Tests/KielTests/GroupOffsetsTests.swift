import XCTest
import KielTestSupport
@testable import Kiel

/// Offsets committed by hand with metadata, read back by Kiel and by confluent-kafka. (Tansu
/// keeps the offsets but drops commit metadata, confluent-kafka's own included, so only the
/// offsets can be compared here; the metadata's bytes on the wire are checked against
/// kafka-python's in the OffsetCommit golden fixtures.)
final class GroupOffsetsTests: XCTestCase {
    func testChosenOffsetsWithMetadataReadBackByKielAndConfluentKafka() throws {
        let loop = try IOLoop()
        let topic = try BrokerTest.topic("offsets", partitions: 2)
        let group = TestServices.uniqueName("offsets")
        var options = GroupedConsumer<String>.Options()
        options.autocommit = false
        let zk = try TestServices.zookeeper()
        let consumer = try GroupedConsumer(loop: loop, brokers: [try BrokerTest.bootstrap()], group: group,
                                           zooKeeper: "\(zk.host):\(zk.port)", deserializer: .string, options: options)
        let p0 = TopicPartition(topic, 0), p1 = TopicPartition(topic, 1)
        let read: [TopicPartition: Int64] = try BrokerTest.run(loop) { done in
            consumer.subscribe(topic)
            consumer.connect { joined in
                if case .failure(let error) = joined { return done(.failure(error)) }
                consumer.offsets.committed([p0, p1]) { before in
                    XCTAssertEqual(try? before.get(), [p0: -1, p1: -1], "nothing committed yet")
                    consumer.offsets.commit([p0: 42, p1: 7], metadata: "checkpoint 3") { result in
                        if case .failure(let error) = result { return done(.failure(error)) }
                        consumer.offsets.committed([p0, p1]) { done($0.mapError { $0 }) }
                    }
                }
            }
        }
        XCTAssertEqual(read, [p0: 42, p1: 7])
        let output = try TestServices.runPython(code: """
            import sys
            from confluent_kafka import Consumer, TopicPartition
            broker, group, topic = sys.argv[1:4]
            c = Consumer({"bootstrap.servers": broker, "group.id": group, "enable.auto.commit": False})
            for tp in c.committed([TopicPartition(topic, 0), TopicPartition(topic, 1)], timeout=20):
                print(tp.partition, tp.offset)
            c.close()
            """, args: [try BrokerTest.bootstrap(), group, topic])
        XCTAssertEqual(output.split(separator: "\n").map(String.init), ["0 42", "1 7"])
        try BrokerTest.run(loop) { (done: @escaping (Result<Void, any Error>) -> Void) in
            consumer.close { done(.success(())) }
        }
    }
}
