import Foundation

/// The counters the fetch engine keeps for the statistics. Loop-confined, like the engine.
struct FetchCounters {
    var fetchRequests = 0
    var fetchFailures = 0
    var bytesFetched = 0
    var fetchLatency = LatencyHistogram()
}

/// Where one of a consumer's partitions stands.
public struct PartitionStatistics: Sendable, Equatable {
    /// The partition.
    public var partition: TopicPartition
    /// The next offset to deliver; nil while its start is looked up.
    public var position: Int64?
    /// The high watermark from the last fetch answer; nil before the first.
    public var highWatermark: Int64?
    /// Records not delivered yet: high watermark minus position; nil until both are known.
    public var lag: Int64?
    /// Whether it is paused.
    public var paused = false

    /// A partition's figures.
    public init(partition: TopicPartition, position: Int64? = nil, highWatermark: Int64? = nil, paused: Bool = false) {
        self.partition = partition
        self.position = position
        self.highWatermark = highWatermark
        if let position, let highWatermark { lag = max(0, highWatermark - position) }
        self.paused = paused
    }
}

/// A consumer's statistics: what it delivered, how fetching goes, where each partition stands,
/// and (for a grouped consumer) how often the group rebalanced. Counters count from the
/// consumer's creation; `fetchLatency` covers the last statistics interval.
public struct ConsumerStatistics: Sendable, Equatable {
    /// Messages handed to the user (`onMessages` or a `consume` completion).
    public var messagesDelivered = 0
    /// Bytes of record batches received in fetch answers (as on the wire, compressed).
    public var bytesFetched = 0
    /// Fetch requests sent.
    public var fetchRequests = 0
    /// Fetch requests that failed as a whole (timeout, connection lost).
    public var fetchFailures = 0
    /// From a Fetch request's send to its answer, long-poll wait included.
    public var fetchLatency = LatencySummary()
    /// The consumer's partitions now, sorted.
    public var partitions: [PartitionStatistics] = []
    /// Rebalances this member went through, the first assignment included (a ZooKeeper
    /// group's member counts those that changed its share); 0 for `SingleConsumer`.
    public var rebalances = 0

    /// Statistics of a consumer that did nothing yet.
    public init() {}

    /// The sum of every partition's known lag.
    public var totalLag: Int64 { partitions.reduce(0) { $0 + ($1.lag ?? 0) } }
}

extension FetchEngine {
    /// The engine's part of a consumer's statistics.
    func statistics(messagesDelivered: Int, rebalances: Int) -> ConsumerStatistics {
        var c = ConsumerStatistics()
        c.messagesDelivered = messagesDelivered
        c.rebalances = rebalances
        c.bytesFetched = counters.bytesFetched
        c.fetchRequests = counters.fetchRequests
        c.fetchFailures = counters.fetchFailures
        c.fetchLatency = counters.fetchLatency.summary
        c.partitions = assignments.keys.sorted().map { tp in
            let a = assignments[tp]!
            return PartitionStatistics(partition: tp, position: a.position, highWatermark: a.highWatermark, paused: a.paused)
        }
        return c
    }

    /// Reports of a consumer every `interval`, each starting a new latency interval.
    func reporter(every interval: Duration, take: @escaping () -> ClientStatistics?,
                  _ handler: @escaping (ClientStatistics) -> Void) -> StatisticsReporter {
        StatisticsReporter(loop: loop, interval: interval, take: take, reset: { [weak self] in
            self?.counters.fetchLatency.reset()
            self?.cluster.resetStatisticsInterval()
        }, handler: handler)
    }
}

extension SingleConsumer {
    /// The consumer's statistics now, with its cluster's connections.
    public func statistics() -> ClientStatistics {
        loop.assertInLoop()
        return ClientStatistics(brokers: cluster.brokerStatistics,
                                consumer: engine.statistics(messagesDelivered: messagesDelivered, rebalances: 0))
    }

    /// Calls `handler` with `statistics()` every `interval` (librdkafka's
    /// `statistics.interval.ms`) until `stopReportingStatistics` or `close`; each report starts
    /// a new interval for the latency summaries. Calling it again replaces the earlier handler.
    public func reportStatistics(every interval: Duration, _ handler: @escaping (ClientStatistics) -> Void) {
        loop.assertInLoop()
        statisticsReporter?.stop()
        statisticsReporter = engine.reporter(every: interval, take: { [weak self] in
            guard let self, !self.closed else { return nil }
            return self.statistics()
        }, handler)
    }

    /// Stops the reports `reportStatistics` started.
    public func stopReportingStatistics() {
        loop.assertInLoop()
        statisticsReporter?.stop()
        statisticsReporter = nil
    }
}

extension GroupedConsumer {
    /// The consumer's statistics now, with its cluster's connections.
    public func statistics() -> ClientStatistics {
        loop.assertInLoop()
        return ClientStatistics(brokers: cluster.brokerStatistics,
                                consumer: fetching.engine.statistics(messagesDelivered: messagesDelivered,
                                                                     rebalances: rebalances))
    }

    /// Calls `handler` with `statistics()` every `interval` (librdkafka's
    /// `statistics.interval.ms`) until `stopReportingStatistics` or `close`; each report starts
    /// a new interval for the latency summaries. Calling it again replaces the earlier handler.
    public func reportStatistics(every interval: Duration, _ handler: @escaping (ClientStatistics) -> Void) {
        loop.assertInLoop()
        statisticsReporter?.stop()
        statisticsReporter = fetching.engine.reporter(every: interval, take: { [weak self] in
            guard let self, !self.closed else { return nil }
            return self.statistics()
        }, handler)
    }

    /// Stops the reports `reportStatistics` started.
    public func stopReportingStatistics() {
        loop.assertInLoop()
        statisticsReporter?.stop()
        statisticsReporter = nil
    }
}

extension KafkaGroupConsumer {
    /// The consumer's statistics now, with its cluster's connections.
    public func statistics() -> ClientStatistics {
        loop.assertInLoop()
        return ClientStatistics(brokers: cluster.brokerStatistics,
                                consumer: fetching.engine.statistics(messagesDelivered: messagesDelivered,
                                                                     rebalances: rebalances))
    }

    /// Calls `handler` with `statistics()` every `interval` (librdkafka's
    /// `statistics.interval.ms`) until `stopReportingStatistics` or `close`; each report starts
    /// a new interval for the latency summaries. Calling it again replaces the earlier handler.
    public func reportStatistics(every interval: Duration, _ handler: @escaping (ClientStatistics) -> Void) {
        loop.assertInLoop()
        statisticsReporter?.stop()
        statisticsReporter = fetching.engine.reporter(every: interval, take: { [weak self] in
            guard let self, !self.closed else { return nil }
            return self.statistics()
        }, handler)
    }

    /// Stops the reports `reportStatistics` started.
    public func stopReportingStatistics() {
        loop.assertInLoop()
        statisticsReporter?.stop()
        statisticsReporter = nil
    }
}
