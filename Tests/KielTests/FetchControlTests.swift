import XCTest
import KielTestSupport
@testable import Kiel

/// Pause, resume, seek and lag from the consumers' callbacks, against the real broker.
final class FetchControlTests: XCTestCase {
    var loop: IOLoop!

    override func setUpWithError() throws {
        loop = try IOLoop()
    }

    /// Writes `perPartition` values to each partition of a new topic ("p<partition>-<n>").
    private func topic(partitions: Int, perPartition: Int) throws -> String {
        let topic = try BrokerTest.topic("control", partitions: partitions)
        let producer = try Producer(loop: loop, brokers: [try BrokerTest.bootstrap()], serializer: .string)
        var items: [(topic: String, partition: Int32, value: String)] = []
        for p in 0 ..< Int32(partitions) {
            for n in 0 ..< perPartition { items.append((topic, p, "p\(p)-\(n)")) }
        }
        try BrokerTest.run(loop) { (done: @escaping (Result<Void, any Error>) -> Void) in
            do {
                for item in items { try producer.produce(item.topic, item.value, partition: item.partition) }
            } catch { return done(.failure(error)) }
            producer.close { done(.success(())) }
        }
        return topic
    }

    /// Tansu answers a fetch with everything it has, so the test pauses partition 0 before
    /// the records that must not come are written.
    func testPauseStopsDeliveryAtOnceAndResumeAndSeekPickUp() throws {
        let topic = try topic(partitions: 2, perPartition: 100)
        var options = SingleConsumer<String>.Options()
        options.maxWaitTime = .milliseconds(50)
        let consumer = try SingleConsumer(loop: loop, brokers: [try BrokerTest.bootstrap()], deserializer: .string,
                                          options: options)
        let producer = try Producer(loop: loop, brokers: [try BrokerTest.bootstrap()], serializer: .string)
        let p0 = TopicPartition(topic, 0), p1 = TopicPartition(topic, 1)
        var all: [ConsumerMessage<String>] = []
        var deliveredWhilePaused = 0
        try BrokerTest.run(loop) { (done: @escaping (Result<Void, any Error>) -> Void) in
            var phase = 0
            consumer.onError = { done(.failure($0)) }
            consumer.onMessages = { messages in
                all += messages
                if phase == 1 { deliveredWhilePaused += messages.filter { $0.partition == 0 }.count }
                let count0 = all.filter { $0.partition == 0 }.count, count1 = all.filter { $0.partition == 1 }.count
                if phase == 0, count0 == 100, count1 == 100 {
                    // Everything so far is in: pause 0, then write 100 more to each partition.
                    phase = 1
                    consumer.fetching.pause([p0])
                    do {
                        for n in 100 ..< 200 {
                            try producer.produce(topic, "p0-\(n)", partition: 0)
                            try producer.produce(topic, "p1-\(n)", partition: 1)
                        }
                    } catch { done(.failure(error)) }
                } else if phase == 1, count1 == 200 {
                    // Partition 1 read the new records while 0 stayed paused: resume 0.
                    XCTAssertEqual(consumer.fetching.paused, [p0])
                    phase = 2
                    consumer.fetching.resume([p0])
                } else if phase == 2, count0 == 200 {
                    done(.success(()))
                }
            }
            consumer.subscribe(topic, start: .beginning)
        }
        XCTAssertEqual(deliveredWhilePaused, 0, "nothing of a paused partition")
        XCTAssertEqual(all.filter { $0.partition == 0 }.map(\.offset), Array(0 ..< 200), "nothing of 0 twice or lost")
        XCTAssertTrue(consumer.fetching.paused.isEmpty)
        XCTAssertEqual(consumer.fetching.lag(p1), 0)

        // Seek back on one partition: the lag shows it at once, and it is read again from there.
        consumer.fetching.seek(p1, to: .offset(190))
        XCTAssertEqual(consumer.fetching.position(p1), 190)
        XCTAssertEqual(consumer.fetching.lag(p1), 10, "high watermark 200 minus position 190")
        var again: [ConsumerMessage<String>] = []
        try BrokerTest.run(loop) { (done: @escaping (Result<Void, any Error>) -> Void) in
            consumer.onMessages = { messages in
                again += messages
                if again.count >= 10 { done(.success(())) }
            }
        }
        XCTAssertEqual(again.map(\.value), (190 ..< 200).map { "p1-\($0)" })
        consumer.close {}
        producer.close {}
    }

    func testAGroupedMemberPausesItsShare() throws {
        let topic = try topic(partitions: 2, perPartition: 50)
        var options = GroupedConsumer<String>.Options()
        options.maxWaitTime = .milliseconds(50)
        let zk = try TestServices.zookeeper()
        let consumer = try GroupedConsumer(loop: loop, brokers: [try BrokerTest.bootstrap()],
                                           group: TestServices.uniqueName("control"), zooKeeper: "\(zk.host):\(zk.port)",
                                           deserializer: .string, options: options)
        var received: [String] = []
        let p0 = TopicPartition(topic, 0)
        try BrokerTest.run(loop) { (done: @escaping (Result<Void, any Error>) -> Void) in
            // Paused as soon as it is gained: only partition 1 is delivered, then 0 after resume.
            consumer.onRebalance = { change in
                if change.gained[topic]?.contains(0) == true { consumer.fetching.pause([p0]) }
            }
            consumer.onMessages = { messages in
                received += messages.map(\.value)
                if received.count == 50 {
                    XCTAssertTrue(received.allSatisfy { $0.hasPrefix("p1-") }, "\(received)")
                    XCTAssertEqual(consumer.fetching.lag(p0) ?? 50, 50)
                    consumer.fetching.resume([p0])
                }
                if received.count == 100 { done(.success(())) }
            }
            consumer.subscribe(topic)
            consumer.connect { if case .failure(let error) = $0 { done(.failure(error)) } }
        }
        XCTAssertEqual(Set(received).count, 100)
        try BrokerTest.run(loop) { (done: @escaping (Result<Void, any Error>) -> Void) in
            consumer.close { done(.success(())) }
        }
    }

    /// The same from a member of a broker-coordinated group: pause from the onRebalance that
    /// gains the partition.
    func testABrokerCoordinatedMemberPausesItsShare() throws {
        let topic = try topic(partitions: 2, perPartition: 50)
        var options = KafkaGroupConsumer<String>.Options()
        options.maxWaitTime = .milliseconds(50)
        // Tansu holds a new group's first join for about half the session timeout.
        options.sessionTimeout = .seconds(6)
        options.heartbeatInterval = .milliseconds(300)
        let consumer = try KafkaGroupConsumer(loop: loop, brokers: [try BrokerTest.bootstrap()],
                                              group: TestServices.uniqueName("control"), deserializer: .string,
                                              options: options)
        var received: [String] = []
        let p0 = TopicPartition(topic, 0)
        try BrokerTest.run(loop, timeout: .seconds(90)) { (done: @escaping (Result<Void, any Error>) -> Void) in
            consumer.onRebalance = { change in
                if change.gained[topic]?.contains(0) == true { consumer.fetching.pause([p0]) }
            }
            consumer.onMessages = { messages in
                received += messages.map(\.value)
                if received.count == 50 {
                    XCTAssertTrue(received.allSatisfy { $0.hasPrefix("p1-") }, "\(received)")
                    consumer.fetching.resume([p0])
                }
                if received.count == 100 { done(.success(())) }
            }
            consumer.subscribe(topic)
            consumer.connect { if case .failure(let error) = $0 { done(.failure(error)) } }
        }
        XCTAssertEqual(Set(received).count, 100)
        try BrokerTest.run(loop) { (done: @escaping (Result<Void, any Error>) -> Void) in
            consumer.close { done(.success(())) }
        }
    }
}
