import Foundation
import XCTest
import KielTestSupport
@testable import Kiel

/// Producer and SingleConsumer against the real broker.
final class ProducerConsumerTests: XCTestCase {
    var loop: IOLoop!

    override func setUpWithError() throws {
        loop = try IOLoop()
    }

    func makeProducer<V>(_ serializer: Serializer<V>, configure: (inout Producer<V>.Options) -> Void = { _ in })
        throws -> Producer<V> {
        var options = Producer<V>.Options()
        options.linger = .milliseconds(2)
        configure(&options)
        return try Producer(loop: loop, brokers: [try BrokerTest.bootstrap()], serializer: serializer, options: options)
    }

    func makeConsumer<V>(_ deserializer: Deserializer<V>) throws -> SingleConsumer<V> {
        var options = SingleConsumer<V>.Options()
        options.maxWaitTime = .milliseconds(100)
        return try SingleConsumer(loop: loop, brokers: [try BrokerTest.bootstrap()], deserializer: deserializer,
                                  options: options)
    }

    func connect(_ producer: Producer<some Any>) throws {
        try BrokerTest.run(loop) { done in producer.connect { done($0.mapError { $0 }) } }
    }

    func close(_ producer: Producer<some Any>) throws {
        try BrokerTest.run(loop) { done in producer.close { done(.success(())) } }
    }

    func testRoundTripEveryWritableCodec() throws {
        for codec in [CompressionCodec.none, .gzip, .snappy, .lz4] {
            let topic = try BrokerTest.topic("roundtrip-\(codec)", partitions: 3)
            let producer = try makeProducer(Serializer<JSON>.json) { $0.compression = codec }
            try connect(producer)
            let items: [(value: JSON, key: [UInt8]?, headers: [RecordHeader])] = (0..<60).map { i in
                (["n": .int(Int64(i)), "codec": .string("\(codec)"), "pad": .string(String(repeating: "x", count: i))],
                 Array("key-\(i % 7)".utf8), [RecordHeader(key: "h", value: [UInt8(i)]), RecordHeader(key: "nil", value: nil)])
            }
            let reports = try BrokerTest.produceAll(loop, producer, topic: topic, items)
            let metadata = try reports.map { try $0.get() }
            XCTAssertEqual(metadata.count, 60, "\(codec)")
            // Offsets within a partition are dense and follow produce order.
            for p in Set(metadata.map(\.partition)) {
                let offsets = metadata.filter { $0.partition == p }.map(\.offset)
                XCTAssertEqual(offsets, Array(0..<Int64(offsets.count)), "\(codec) partition \(p)")
            }
            try close(producer)

            let consumer = try makeConsumer(Deserializer<JSON>.json)
            let messages = try BrokerTest.consume(loop, consumer, topic: topic, start: .beginning, count: 60)
            XCTAssertEqual(messages.count, 60, "\(codec)")
            for m in messages {
                guard case .int(let n)? = m.value["n"] else { return XCTFail("bad value \(m.value)") }
                let i = Int(n)
                XCTAssertEqual(m.value, items[i].value)
                XCTAssertEqual(m.key, items[i].key)
                XCTAssertEqual(m.headers, items[i].headers)
                XCTAssertEqual(metadata[i].partition, m.partition)
                XCTAssertEqual(metadata[i].offset, m.offset)
                XCTAssertEqual(m.topic, topic)
            }
            try BrokerTest.run(loop) { done in consumer.close { done(.success(())) } }
        }
    }

    func testRequiredAcksZeroAndOne() throws {
        for acks: Int16 in [0, 1] {
            let topic = try BrokerTest.topic("acks\(acks)", partitions: 1)
            let producer = try makeProducer(Serializer<String>.string) { $0.requiredAcks = acks }
            let items = (0..<5).map { (value: "a\(acks)-\($0)", key: [UInt8]?.none, headers: [RecordHeader]()) }
            let reports = try BrokerTest.produceAll(loop, producer, topic: topic, items)
            let offsets = try reports.map { try $0.get().offset }
            // Without acknowledgements there are no offsets to report.
            XCTAssertEqual(offsets, acks == 0 ? [-1, -1, -1, -1, -1] : [0, 1, 2, 3, 4])
            XCTAssertFalse(producer.isIdempotent, "idempotence needs acks=all")
            let consumer = try makeConsumer(Deserializer<String>.string)
            let read = try BrokerTest.consume(loop, consumer, topic: topic, start: .beginning, count: 5)
            XCTAssertEqual(read.map(\.value), items.map(\.value))
            try close(producer)
        }
    }

    func testKeyedMessagesLandOnTheMurmur2Partition() throws {
        let topic = try BrokerTest.topic("murmur", partitions: 5)
        let producer = try makeProducer(Serializer<String>.string)
        let items = (0..<40).map { i in (value: "v\(i)", key: Optional(Array("user-\(i)".utf8)), headers: [RecordHeader]()) }
        let reports = try BrokerTest.produceAll(loop, producer, topic: topic, items)
        for (item, report) in zip(items, reports) {
            let partition = try report.get().partition
            XCTAssertEqual(Int(partition), Murmur2.partition(forKey: item.key!, count: 5))
        }
        XCTAssertGreaterThan(Set(try reports.map { try $0.get().partition }).count, 2, "keys spread out")
        try close(producer)
    }

    func testTooLargeMessageIsAnImmediateErrorAndNothingIsSent() throws {
        let topic = try BrokerTest.topic("large", partitions: 1)
        let producer = try makeProducer(Serializer<[UInt8]>.bytes) { $0.maxRecordBytes = 10_000 }
        try connect(producer)
        XCTAssertThrowsError(try producer.produce(topic, [UInt8](repeating: 7, count: 20_000))) { error in
            guard case KielError.messageTooLarge(let size, 10_000) = error else { return XCTFail("\(error)") }
            XCTAssertGreaterThan(size, 20_000)
        }
        XCTAssertEqual(producer.pendingCount, 0)
        try close(producer)
    }

    func testUnknownTopicIsReportedToEachSender() throws {
        let producer = try makeProducer(Serializer<String>.string)
        try connect(producer)
        let topic = TestServices.uniqueName("missing")
        let items = (0..<3).map { (value: "v\($0)", key: [UInt8]?.none, headers: [RecordHeader]()) }
        let reports = try BrokerTest.produceAll(loop, producer, topic: topic, items)
        XCTAssertEqual(reports.count, 3)
        for report in reports {
            guard case .unknownTopic(topic)? = report.failureValue else { return XCTFail("\(report)") }
        }
        let consumer = try makeConsumer(Deserializer<String>.string)
        let result: Result<[ConsumerMessage<String>], KielError> = try BrokerTest.run(loop) { done in
            consumer.consume(topic, start: .beginning) { done(.success($0)) }
        }
        guard case .unknownTopic(topic)? = result.failureValue else { return XCTFail("\(result)") }
        try close(producer)
    }

    func testFailedRecordWithoutAReportGoesToOnError() throws {
        let producer = try makeProducer(Serializer<String>.string)
        try connect(producer)
        let topic = TestServices.uniqueName("unheard")
        let errors: [KielError] = try BrokerTest.run(loop) { done in
            var errors: [KielError] = []
            producer.onError = { error in
                errors.append(error)
                if errors.count == 2 { done(.success(errors)) }
            }
            do {
                try producer.produce(topic, "no report")
                try producer.produce(topic, "nor this")
            } catch { done(.failure(error)) }
        }
        XCTAssertEqual(errors.count, 2)
        for error in errors {
            guard case .unknownTopic(topic) = error else { return XCTFail("\(error)") }
        }
        try close(producer)
    }

    /// A producer that fills its buffer waits for `onBufferAvailable` instead of a timer, and
    /// gets every record out.
    func testAFullBufferWakesTheProducerWhenRoomFreesUp() throws {
        let topic = try BrokerTest.topic("backpressure", partitions: 2)
        let producer = try makeProducer(Serializer<String>.string) { $0.bufferBytes = 64 << 10 }
        try connect(producer)
        let total = 20_000
        let value = String(repeating: "x", count: 100)
        let (delivered, wakeUps, fulls): (Int, Int, Int) = try BrokerTest.run(loop, timeout: .seconds(120)) { done in
            var sent = 0, delivered = 0, wakeUps = 0, fulls = 0
            func fill() {
                while sent < total {
                    do {
                        try producer.produce(topic, value) { report in
                            guard case .success = report else { return done(.failure(report.failureValue!)) }
                            delivered += 1
                            if delivered == total { done(.success((delivered, wakeUps, fulls))) }
                        }
                        sent += 1
                    } catch .bufferFull {
                        fulls += 1
                        return   // onBufferAvailable calls fill again
                    } catch {
                        return done(.failure(error))
                    }
                }
            }
            producer.onBufferAvailable = {
                wakeUps += 1
                fill()
            }
            fill()
        }
        XCTAssertEqual(delivered, total)
        XCTAssertGreaterThan(fulls, 0, "the buffer must have filled for this test to mean anything")
        XCTAssertEqual(wakeUps, fulls, "one wake-up for each time the buffer was full")
        try close(producer)
    }

    func testOptInAutoCreationCreatesTheTopic() throws {
        let producer = try makeProducer(Serializer<String>.string) { $0.cluster.allowAutoTopicCreation = true }
        let topic = TestServices.uniqueName("auto")
        let reports = try BrokerTest.produceAll(loop, producer, topic: topic, [(value: "first", key: nil, headers: [])])
        XCTAssertEqual(try reports[0].get().offset, 0)
        XCTAssertNotNil(producer.cluster.metadata.partitions(of: topic))
        try close(producer)
    }

    func testStartPositions() throws {
        let topic = try BrokerTest.topic("start", partitions: 1)
        let producer = try makeProducer(Serializer<String>.string) { $0.batchSize = 1 }
        let base = Date().addingTimeInterval(-3600)
        // Ten records an hour ago, one a second apart, each in its own batch.
        try BrokerTest.run(loop) { (done: @escaping (Result<Void, any Error>) -> Void) in
            do {
                for i in 0..<10 {
                    try producer.produce(topic, "old-\(i)", timestamp: base.addingTimeInterval(Double(i)))
                }
            } catch { return done(.failure(error)) }
            producer.flush { done(.success(())) }
        }
        func read(_ start: StartPosition, count: Int) throws -> [String] {
            let consumer = try makeConsumer(Deserializer<String>.string)
            return try BrokerTest.consume(loop, consumer, topic: topic, start: start, count: count).map(\.value)
        }
        XCTAssertEqual(try read(.beginning, count: 10), (0..<10).map { "old-\($0)" })
        XCTAssertEqual(try read(.offset(6), count: 4), (6..<10).map { "old-\($0)" })
        XCTAssertEqual(try read(.date(base.addingTimeInterval(7)), count: 3), ["old-7", "old-8", "old-9"])
        XCTAssertEqual(try read(.date(base.addingTimeInterval(6.5)), count: 3), ["old-7", "old-8", "old-9"])
        // Two hours ago is before everything; thirty minutes ago is after everything.
        XCTAssertEqual(try read(.ago(.seconds(7200)), count: 10).count, 10)

        // From the end, then thirty minutes ago (after the old records, before "new-end"): only
        // what is newer than the start, then what is produced later.
        for (start, expected) in [(StartPosition.end, [String]()), (.ago(.seconds(1800)), ["new-end"])] {
            let consumer = try makeConsumer(Deserializer<String>.string)
            let first: [ConsumerMessage<String>] = try BrokerTest.run(loop) { done in
                consumer.consume(topic, start: start) { done($0.mapError { $0 }) }
            }
            XCTAssertEqual(first.map(\.value), expected, "\(start)")
            let tag = expected.isEmpty ? "new-end" : "new-ago"
            try BrokerTest.run(loop) { (done: @escaping (Result<Void, any Error>) -> Void) in
                do { try producer.produce(topic, tag) } catch { return done(.failure(error)) }
                producer.flush { done(.success(())) }
            }
            let later = try BrokerTest.consume(loop, consumer, topic: topic, start: start, count: 1)
            XCTAssertEqual(later.map(\.value), [tag])
        }
        try close(producer)
    }

    func testEndSkipsEverythingAlreadyThereEvenInsideOneBigBatch() throws {
        let topic = try BrokerTest.topic("endbatch", partitions: 1)
        let producer = try makeProducer(Serializer<String>.string) { $0.linger = .milliseconds(200) }
        _ = try BrokerTest.produceAll(loop, producer, topic: topic,
                                      (0..<50).map { (value: "old-\($0)", key: nil, headers: []) })
        let consumer = try makeConsumer(Deserializer<String>.string)
        let first: [ConsumerMessage<String>] = try BrokerTest.run(loop) { done in
            consumer.consume(topic, start: .end) { done($0.mapError { $0 }) }
        }
        XCTAssertEqual(first.map(\.value), [])
        _ = try BrokerTest.produceAll(loop, producer, topic: topic, [(value: "new", key: nil, headers: [])])
        let later = try BrokerTest.consume(loop, consumer, topic: topic, start: .end, count: 1)
        XCTAssertEqual(later.map(\.value), ["new"])
        XCTAssertEqual(later.map(\.offset), [50])
        try close(producer)
    }

    func testUndeserializableRecordIsReportedAndSkipped() throws {
        let topic = try BrokerTest.topic("badjson", partitions: 1)
        let producer = try makeProducer(Serializer<String>.string)
        let items = ["{\"a\": 1}", "not json", "{\"a\": 3}"].map { (value: $0, key: [UInt8]?.none, headers: [RecordHeader]()) }
        _ = try BrokerTest.produceAll(loop, producer, topic: topic, items)
        let consumer = try makeConsumer(Deserializer<JSON>.json)
        var errors: [KielError] = []
        consumer.onError = { errors.append($0) }
        let messages = try BrokerTest.consume(loop, consumer, topic: topic, start: .beginning, count: 2)
        XCTAssertEqual(messages.map(\.offset), [0, 2])
        XCTAssertEqual(messages.map { $0.value["a"] }, [1, 3])
        XCTAssertEqual(errors.count, 1)
        guard case .serialization(let what, _)? = errors.first else { return XCTFail("\(errors)") }
        XCTAssertTrue(what.contains("@1"), what)
        try close(producer)
    }

    func testConsumerKeepsUpWithProducer() throws {
        let topic = try BrokerTest.topic("keepup", partitions: 3)
        let producer = try makeProducer(Serializer<JSON>.json)
        let consumer = try makeConsumer(Deserializer<JSON>.json)
        try connect(producer)
        let total = 3000
        let received: [ConsumerMessage<JSON>] = try BrokerTest.run(loop, timeout: .seconds(120)) { done in
            var got: [ConsumerMessage<JSON>] = []
            // The topic is new, so the beginning is "everything the producer sends".
            consumer.onError = { error in done(.failure(error)) }
            consumer.onMessages = { batch in
                got += batch
                if got.count >= total { done(.success(got)) }
            }
            consumer.subscribe(topic, start: .beginning)
            // Produce in bursts while the consumer is running.
            var sent = 0
            func burst() {
                do {
                    for _ in 0..<100 where sent < total {
                        try producer.produce(topic, ["seq": .int(Int64(sent))], key: Array("k\(sent % 10)".utf8))
                        sent += 1
                    }
                } catch { return done(.failure(error)) }
                if sent < total { loop.callLater(.milliseconds(5), burst) }
            }
            loop.callLater(.milliseconds(100), burst)
        }
        consumer.unsubscribe(topic)
        XCTAssertEqual(received.count, total)
        XCTAssertEqual(Set(received.compactMap { $0.value["seq"]?.intValue }).count, total, "no duplicates, none lost")
        // Within a key (so a partition), values arrive in production order.
        for k in 0..<10 {
            let seqs = received.filter { $0.key == Array("k\(k)".utf8) }.compactMap { $0.value["seq"]?.intValue }
            XCTAssertEqual(seqs, seqs.sorted())
        }
        try close(producer)
    }
}
