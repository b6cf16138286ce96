import Foundation
import XCTest
import KielTestSupport
@testable import Kiel

/// The producer and the single consumer against the real broker, through the seeded fault
/// proxy: for each kind of fault, at a point inside a frame, every message is stored once, in
/// order per key, and read back once — and a silent connection is waited out without spinning.
final class ProxyFaultTests: XCTestCase {
    var loop: IOLoop!

    override func setUpWithError() throws { loop = try IOLoop() }

    /// The fates tried on a producer's connection: each strikes inside a frame (the byte counts
    /// are not frame boundaries), up or down.
    static let producerFates = [
        "cut:up:700001", "cut:down:1201", "reset:up:900007", "reset:down:1803",
        "stall:up:500009:1500", "stall:down:1501:1500", "blackhole:up:800011", "blackhole:down:2003", "refuse",
    ]

    func testProducerStoresEverythingOnceThroughEachFault() throws {
        for fate in Self.producerFates {
            do {
                var faults = FaultProxy.Faults()
                // The first connection, and for one of them the reconnect too.
                faults.plan = [0: fate, 1: fate.hasPrefix("refuse") ? "refuse" : "pass"]
                let broker = try FaultyBroker(faults: faults)
                defer { broker.stop() }
                try broker.createTopic("faults", partitions: 4)
                let sent = ProxyWork.values(count: 20_000, keys: 40)

                // Small batches: many requests, so the answers add up to some kilobytes down.
                let producer = try ProxyWork.producer(loop, broker.bootstrap, batchBytes: 16 << 10)
                let pollsBefore = loop.pollCount
                let outcome = try ProxyWork.produce(loop, producer, topic: "faults", sent)
                let polls = loop.pollCount - pollsBefore
                XCTAssertEqual(outcome.failed, 0, "\(fate): \(String(describing: outcome.firstError))")
                try BrokerTest.run(loop) { (done: @escaping (Result<Void, any Error>) -> Void) in
                    producer.close { done(.success(())) }
                }
                let stats = try broker.proxy.stats()
                XCTAssertEqual(stats.totalFaults, fate == "refuse" ? 2 : 1, "\(fate): \(stats)\n\(broker.proxy.log())")
                // A loop that waits calmly polls a few times per request; one spinning while a
                // connection is silent polls hundreds of thousands of times.
                XCTAssertLessThan(polls, 20_000, "\(fate): the producer's loop spun while it waited")

                let consumer = try ProxyWork.consumer(loop, broker.bootstrap)
                let read = try ProxyWork.consume(loop, consumer, topic: "faults", count: sent.count)
                let check = ProxyWork.check(sent: sent, received: read.messages.map(\.value))
                XCTAssertTrue(check.ok, "\(fate): \(check)")
                consumer.close {}
                print("fault \(fate): \(check); \(polls) polls; proxy: \(stats)")
            }
        }
    }

    /// The fates tried on a consumer's connections (the first one is the producer's), in turn:
    /// each but the stall ends its connection, so the next one meets the next fate. Fetch
    /// answers of 64 KiB–256 KiB make the counts land inside frames.
    static let consumerFates = [
        "cut:down:300001", "reset:down:450007", "cut:up:1201", "blackhole:down:350011", "blackhole:up:1503",
        "refuse", "stall:down:200003:1500",
    ]

    func testSingleConsumerResumesAtTheNextOffsetAfterEachFault() throws {
        var faults = FaultProxy.Faults()
        // Connection 0 produces; each later one (the consumer's, and its reconnects) gets the
        // next fate in turn.
        for (i, fate) in Self.consumerFates.enumerated() { faults.plan[i + 1] = fate }
        let broker = try FaultyBroker(faults: faults)
        defer { broker.stop() }
        try broker.createTopic("faults", partitions: 4)
        let sent = ProxyWork.values(count: 80_000, keys: 40)
        let producer = try ProxyWork.producer(loop, broker.bootstrap)
        XCTAssertEqual(try ProxyWork.produce(loop, producer, topic: "faults", sent).failed, 0)

        let consumer = try ProxyWork.consumer(loop, broker.bootstrap, maxBytes: 128 << 10)
        let pollsBefore = loop.pollCount
        let read = try ProxyWork.consume(loop, consumer, topic: "faults", count: sent.count)
        let polls = loop.pollCount - pollsBefore
        let check = ProxyWork.check(sent: sent, received: read.messages.map(\.value))
        let stats = try broker.proxy.stats()
        XCTAssertTrue(check.ok, "\(check)\n\(broker.proxy.log())")
        XCTAssertEqual(stats.totalFaults, Self.consumerFates.count, "\(stats)\n\(broker.proxy.log())")
        // Offsets too: each partition's offsets arrive once each, counting up.
        for (tp, offsets) in Dictionary(grouping: read.messages, by: { TopicPartition($0.topic, $0.partition) }) {
            XCTAssertEqual(offsets.map(\.offset), Array(0..<Int64(offsets.count)), "\(tp)")
        }
        XCTAssertLessThan(polls, 50_000, "the consumer's loop spun while it waited")
        print("consumer through \(Self.consumerFates.count) faults: \(check); \(read.errors) errors reported; "
              + "\(polls) polls; proxy: \(stats)")
        consumer.close {}
        producer.close {}
    }

    /// A producer started while no broker listens holds its records (within the delivery
    /// timeout) and delivers them once the broker is up.
    func testRecordsWaitForABrokerThatIsNotUpYet() throws {
        let port = try ChildProcess.freePort()
        let producer = try ProxyWork.producer(loop, "127.0.0.1:\(port)")
        var reports: [Result<RecordMetadata, KielError>] = []
        var connectResult: Result<Void, KielError>?
        var broker: FaultProxy?
        defer { broker?.stop() }
        let tansu = try FaultyBroker(faults: FaultProxy.Faults())
        defer { tansu.stop() }
        try tansu.createTopic("late", partitions: 2)
        try BrokerTest.run(loop, timeout: .seconds(60)) { (done: @escaping (Result<Void, any Error>) -> Void) in
            producer.connect { connectResult = $0 }
            for i in 0..<100 {
                do { try producer.produce("late", "v\(i)") { reports.append($0) } } catch { return done(.failure(error)) }
            }
            // A second later a proxy starts listening on the bootstrap port, in front of a broker.
            _ = loop.callLater(.seconds(1)) {
                do { broker = try FaultProxy(upstream: ("127.0.0.1", tansu.proxy.port), port: port, faults: .init()) } catch {
                    return done(.failure(error))
                }
                producer.flush { done(.success(())) }
            }
        }
        guard case .failure? = connectResult else { return XCTFail("connect should report the unreachable broker") }
        XCTAssertEqual(reports.count, 100)
        XCTAssertEqual(reports.filter { (try? $0.get()) == nil }.count, 0, "\(reports.first { (try? $0.get()) == nil } as Any)")
        producer.close {}
    }
}
