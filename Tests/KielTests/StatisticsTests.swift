import Foundation
import KielTestSupport
import XCTest
@testable import Kiel

/// The statistics against known traffic: N records produced and consumed are N in every
/// counter that counts them, bytes agree between the producer and its connections, a cut
/// connection is one reconnect, a group's first assignment is one rebalance; and the latency
/// histogram's percentiles are within its stated precision, recorded without allocating.
final class StatisticsTests: XCTestCase {
    func testHistogramPercentilesWithinPrecisionAndRecordingDoesNotAllocate() {
        var h = LatencyHistogram()
        // 1 µs ... 10,000 µs, once each: the median is 5,000 µs, p99 9,900 µs.
        let allocations = Allocations.count {
            for micros in 1...10_000 { h.record(nanoseconds: UInt64(micros) * 1000) }
        }.allocations
        XCTAssertEqual(allocations, 0)
        let s = h.summary
        XCTAssertEqual(s.count, 10_000)
        XCTAssertEqual(s.minimum, .microseconds(1))
        XCTAssertEqual(s.maximum, .microseconds(10_000))
        XCTAssertEqual(s.average, .microseconds(5000))
        for (got, want) in [(s.median, 5000.0), (s.p99, 9900.0)] {
            let micros = Double(got.components.attoseconds) / 1e12 + Double(got.components.seconds) * 1e6
            XCTAssertEqual(micros, want, accuracy: want * 0.125, "\(got)")
        }
        h.record(nanoseconds: .max)   // past the last bucket: counted, not a trap
        XCTAssertEqual(h.summary.count, 10_001)
        h.reset()
        XCTAssertEqual(h.summary, LatencySummary())
    }

    func testProducedAndConsumedCountsMatchTheTraffic() throws {
        let loop = try IOLoop()
        let topic = try BrokerTest.topic("stats", partitions: 3)
        var options = Producer<String>.Options()
        options.linger = .milliseconds(2)
        let producer = try Producer<String>(loop: loop, brokers: [try BrokerTest.bootstrap()], serializer: .string,
                                            options: options)
        let n = 300
        let reports = try BrokerTest.produceAll(loop, producer, topic: topic,
                                                (0..<n).map { (value: "value-\($0)", key: Array("k\($0 % 7)".utf8), headers: []) })
        XCTAssertEqual(reports.filter { (try? $0.get()) == nil }.count, 0)
        let stats = producer.statistics()
        let p = try XCTUnwrap(stats.producer)
        XCTAssertEqual(p.recordsProduced, n)
        XCTAssertEqual(p.recordsDelivered, n)
        XCTAssertEqual(p.recordsSent, n, "no retries, so every record went out once")
        XCTAssertEqual(p.retries, 0)
        XCTAssertEqual(p.deliveryFailures, 0)
        XCTAssertEqual(p.recordsQueued, 0)
        XCTAssertEqual(p.bytesQueued, 0)
        XCTAssertEqual(p.requestsInFlight, 0)
        XCTAssertEqual(p.deliveryLatency.count, n)
        XCTAssertGreaterThanOrEqual(p.batchesSent, 3, "one batch per partition at least")
        XCTAssertEqual(p.averageBatchRecords, Double(n) / Double(p.batchesSent), accuracy: 1e-9)
        XCTAssertGreaterThan(p.averageBatchFill, 0)
        XCTAssertLessThanOrEqual(p.averageBatchFill, 1)
        XCTAssertLessThanOrEqual(p.deliveryLatency.minimum, p.deliveryLatency.median)
        XCTAssertLessThanOrEqual(p.deliveryLatency.median, p.deliveryLatency.maximum)
        // The record bytes went out inside the Produce requests the connections counted.
        XCTAssertGreaterThan(stats.bytesSent, p.bytesSent)
        XCTAssertEqual(stats.requestsSent, stats.responsesReceived, "acks=all: every request answered")
        XCTAssertEqual(stats.requestsInFlight, 0)
        XCTAssertEqual(stats.reconnects, 0)
        for broker in stats.brokers where broker.requestsSent > 0 {
            XCTAssertEqual(broker.roundTrip.count, broker.responsesReceived, "\(broker.address)")
            XCTAssertGreaterThan(broker.bytesReceived, 0)
            XCTAssertEqual(broker.connects, 1)
        }
        try BrokerTest.run(loop) { (done: @escaping (Result<Void, any Error>) -> Void) in producer.close { done(.success(())) } }

        let consumer = try SingleConsumer<String>(loop: loop, brokers: [try BrokerTest.bootstrap()], deserializer: .string)
        let read = try BrokerTest.consume(loop, consumer, topic: topic, start: .beginning, count: n)
        XCTAssertEqual(read.count, n)
        let c = try XCTUnwrap(consumer.statistics().consumer)
        XCTAssertEqual(c.messagesDelivered, n)
        XCTAssertEqual(c.partitions.map(\.partition.partition), [0, 1, 2])
        XCTAssertEqual(c.totalLag, 0, "everything produced was read: \(c.partitions)")
        XCTAssertEqual(c.partitions.compactMap(\.highWatermark).reduce(0, +), Int64(n))
        XCTAssertGreaterThanOrEqual(c.fetchRequests, 1)
        XCTAssertEqual(c.fetchLatency.count, c.fetchRequests)
        XCTAssertGreaterThan(c.bytesFetched, 0)
        XCTAssertEqual(c.rebalances, 0)
        consumer.close {}
    }

    func testReportsArriveOnTheIntervalAndStopWithClose() throws {
        let loop = try IOLoop()
        let producer = try Producer<String>(loop: loop, brokers: [try BrokerTest.bootstrap()], serializer: .string)
        var reports: [ClientStatistics] = []
        let topic = try BrokerTest.topic("stats-interval", partitions: 1)
        try BrokerTest.run(loop) { (done: @escaping (Result<Void, any Error>) -> Void) in
            producer.reportStatistics(every: .milliseconds(50)) { statistics in
                reports.append(statistics)
                if reports.count == 3 { done(.success(())) }
            }
            try? producer.produce(topic, "one")
        }
        XCTAssertEqual(reports.count, 3)
        XCTAssertEqual(reports.last?.producer?.recordsProduced, 1)
        try BrokerTest.run(loop) { (done: @escaping (Result<Void, any Error>) -> Void) in producer.close { done(.success(())) } }
        let before = reports.count
        loop.runOnce(timeout: .milliseconds(120))
        loop.runOnce(timeout: .milliseconds(120))
        XCTAssertEqual(reports.count, before, "no reports after close")
    }

    func testACutConnectionCountsAsOneReconnect() throws {
        var faults = FaultProxy.Faults()
        faults.plan = [0: "cut:down:1201", 1: "pass"]
        let broker = try FaultyBroker(faults: faults)
        defer { broker.stop() }
        try broker.createTopic("stats-faults", partitions: 2)
        let loop = try IOLoop()
        let producer = try ProxyWork.producer(loop, broker.bootstrap, batchBytes: 4 << 10)
        let sent = ProxyWork.values(count: 2000, keys: 10)
        let outcome = try ProxyWork.produce(loop, producer, topic: "stats-faults", sent)
        XCTAssertEqual(outcome.failed, 0)
        let stats = producer.statistics()
        XCTAssertEqual(try broker.proxy.stats().totalFaults, 1)
        XCTAssertEqual(stats.reconnects, 1, "\(stats.brokers)")
        XCTAssertEqual(stats.brokers.reduce(0) { $0 + $1.disconnects }, 1)
        XCTAssertEqual(stats.producer?.recordsDelivered, sent.count)
        XCTAssertEqual(stats.producer?.recordsProduced, sent.count)
        try BrokerTest.run(loop) { (done: @escaping (Result<Void, any Error>) -> Void) in producer.close { done(.success(())) } }
    }

    func testAGroupsFirstAssignmentIsOneRebalance() throws {
        let h = try KafkaGroupHarness()
        let topic = try BrokerTest.topic("stats-group", partitions: 2)
        let sent = try h.produce(topic, prefix: "s", count: 40, partitions: 2)
        let consumer = try h.add("m1", group: TestServices.uniqueName("stats-group"), topics: [topic])
        XCTAssertTrue(h.spin(seconds: 30) { h.allReceived.isSuperset(of: sent) }, "\(h.errors)")
        let c = try XCTUnwrap(consumer.statistics().consumer)
        XCTAssertEqual(c.rebalances, 1)
        XCTAssertEqual(c.messagesDelivered, sent.count)
        XCTAssertEqual(c.partitions.count, 2)
        h.closeAll()
    }
}
