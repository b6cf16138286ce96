import Foundation
import Kiel

/// How `--stats` prints a client's statistics on standard error: a few lines per report, each
/// starting with `stats:`, so they are easy to tell from other output and to grep.
enum StatisticsText {
    /// The interval `--stats` reports at: `statistics.interval.ms`, else one second.
    static func interval(_ properties: ClientProperties) -> Duration {
        let ms = properties.count("statistics.interval.ms") ?? 0
        return .milliseconds(ms > 0 ? ms : 1000)
    }

    static func lines(_ s: ClientStatistics) -> String {
        var out = "stats: \(s.requestsSent) requests, \(s.responsesReceived) answered, \(s.requestsInFlight) in flight, "
            + "\(bytes(s.bytesSent)) out, \(bytes(s.bytesReceived)) in, \(s.reconnects) reconnects\n"
        for b in s.brokers {
            out += "stats: broker \(b.address)\(b.nodeID.map { " (node \($0))" } ?? ""): \(b.state), "
                + "\(b.requestsSent) requests, \(b.requestsInFlight) in flight, \(b.timeouts) timeouts, "
                + "rtt \(latency(b.roundTrip))\n"
        }
        if let p = s.producer {
            out += "stats: producer: \(p.recordsProduced) produced, \(p.recordsQueued) queued (\(bytes(p.bytesQueued))), "
                + "\(p.batchesSent) batches of \(String(format: "%.1f", p.averageBatchRecords)) records "
                + "(\(Int((p.averageBatchFill * 100).rounded()))% full), \(p.retries) retries, "
                + "\(p.recordsDelivered) delivered, \(p.deliveryFailures) failed, latency \(latency(p.deliveryLatency))\n"
        }
        if let c = s.consumer {
            out += "stats: consumer: \(c.messagesDelivered) messages, \(bytes(c.bytesFetched)) fetched, "
                + "\(c.fetchRequests) fetches (\(c.fetchFailures) failed), fetch \(latency(c.fetchLatency)), "
                + "lag \(c.totalLag), \(c.rebalances) rebalances\n"
            let lags = c.partitions.map { "\($0.partition) \($0.lag.map(String.init) ?? "?")" }
            if !lags.isEmpty { out += "stats: lag: " + lags.joined(separator: ", ") + "\n" }
        }
        return out
    }

    static func latency(_ l: LatencySummary) -> String {
        guard l.count > 0 else { return "-" }
        return "min \(ms(l.minimum)) avg \(ms(l.average)) p99 \(ms(l.p99)) ms"
    }

    static func ms(_ d: Duration) -> String {
        String(format: "%.1f", Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15)
    }

    static func bytes(_ n: Int) -> String {
        if n < 10_000 { return "\(n) B" }
        if n < 10_000_000 { return "\(n / 1000) kB" }
        return "\(n / 1_000_000) MB"
    }
}
