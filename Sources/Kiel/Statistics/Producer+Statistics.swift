import Foundation

/// The counters a producer keeps for the statistics, bumped where records are accepted,
/// batches go out and answers settle them. Loop-confined, like the producer.
struct ProducerCounters {
    var recordsProduced = 0
    var bytesProduced = 0
    var batchesSent = 0
    var recordsSent = 0
    var bytesSent = 0
    /// Sum over batches sent of how full each was (0...1), for the mean.
    var fillSum = 0.0
    var retries = 0
    var recordsDelivered = 0
    var deliveryFailures = 0
    var deliveryLatency = LatencyHistogram()
}

/// A producer's statistics: what it accepted, what waits, how it batches, and how deliveries
/// went. Counters count from the producer's creation; `deliveryLatency` covers the last
/// statistics interval.
public struct ProducerStatistics: Sendable, Equatable {
    /// Records accepted by `produce`.
    public var recordsProduced = 0
    /// Their estimated encoded size in bytes.
    public var bytesProduced = 0
    /// Records accepted and not yet reported now (waiting, batched or in flight).
    public var recordsQueued = 0
    /// Their estimated size in bytes now.
    public var bytesQueued = 0
    /// Record batches sent, each retry counted again.
    public var batchesSent = 0
    /// Records in those batches.
    public var recordsSent = 0
    /// Bytes of those batches as sent (compressed, headers included).
    public var bytesSent = 0
    /// Mean records per batch sent.
    public var averageBatchRecords = 0.0
    /// Mean fill of the batches sent, 0...1: the larger of records / `batchSize` and
    /// estimated bytes / `batchBytes`. Low with a short linger, near 1 under load.
    public var averageBatchFill = 0.0
    /// Batches sent again after a retriable error.
    public var retries = 0
    /// Records acknowledged (or written, with acks=0).
    public var recordsDelivered = 0
    /// Records whose delivery report was a failure.
    public var deliveryFailures = 0
    /// Produce requests awaiting their answer now.
    public var requestsInFlight = 0
    /// From a batch's first record to its acknowledgement, counted once per record
    /// (records that joined a batch later waited less: an upper bound for them).
    public var deliveryLatency = LatencySummary()

    /// Statistics of a producer that did nothing yet.
    public init() {}
}

extension Producer {
    /// The producer's statistics now, with its cluster's connections.
    public func statistics() -> ClientStatistics {
        loop.assertInLoop()
        var p = ProducerStatistics()
        p.recordsProduced = counters.recordsProduced
        p.bytesProduced = counters.bytesProduced
        p.recordsQueued = pendingCount
        p.bytesQueued = accumulator.bufferedBytes + awaitingBytes
        p.batchesSent = counters.batchesSent
        p.recordsSent = counters.recordsSent
        p.bytesSent = counters.bytesSent
        if counters.batchesSent > 0 {
            p.averageBatchRecords = Double(counters.recordsSent) / Double(counters.batchesSent)
            p.averageBatchFill = counters.fillSum / Double(counters.batchesSent)
        }
        p.retries = counters.retries
        p.recordsDelivered = counters.recordsDelivered
        p.deliveryFailures = counters.deliveryFailures
        p.requestsInFlight = requestsInFlight.values.reduce(0, +)
        p.deliveryLatency = counters.deliveryLatency.summary
        return ClientStatistics(brokers: cluster.brokerStatistics, producer: p)
    }

    /// Calls `handler` with `statistics()` every `interval` (librdkafka's
    /// `statistics.interval.ms`) until `stopReportingStatistics` or `close`; each report starts
    /// a new interval for the latency summaries. Calling it again replaces the earlier handler.
    public func reportStatistics(every interval: Duration, _ handler: @escaping (ClientStatistics) -> Void) {
        loop.assertInLoop()
        statisticsReporter?.stop()
        statisticsReporter = StatisticsReporter(
            loop: loop, interval: interval,
            take: { [weak self] in
                guard let self, !self.closed else { return nil }
                return self.statistics()
            },
            reset: { [weak self] in
                self?.counters.deliveryLatency.reset()
                self?.cluster.resetStatisticsInterval()
            },
            handler: handler)
    }

    /// Stops the reports `reportStatistics` started.
    public func stopReportingStatistics() {
        loop.assertInLoop()
        statisticsReporter?.stop()
        statisticsReporter = nil
    }

    /// Counts one batch going out (first time or retry), `bytes` as encoded.
    func countSent(_ batch: ProducerBatch<DeliveryReport?>, bytes: Int) {
        counters.batchesSent += 1
        counters.recordsSent += batch.count
        counters.bytesSent += bytes
        let limits = accumulator.limits
        let fill = max(Double(batch.count) / Double(limits.batchRecords), Double(batch.bytes) / Double(limits.batchBytes))
        counters.fillSum += min(1, fill)
    }

    /// Counts a batch acknowledged.
    func countDelivered(_ batch: ProducerBatch<DeliveryReport?>) {
        counters.recordsDelivered += batch.count
        counters.deliveryLatency.record(nanoseconds: loop.now.uptimeNanoseconds &- batch.createdAt, weight: batch.count)
    }
}
