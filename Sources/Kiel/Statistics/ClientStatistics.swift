import Foundation
import KielIO

/// What a client reports about itself, taken on demand (`statistics()`) or on an interval
/// (`reportStatistics(every:_:)`): its broker connections, and its producer or consumer side.
/// librdkafka's `statistics.interval.ms` reports the same things as JSON; this is a typed
/// value. Counters count from the client's creation; latency summaries (round trips,
/// deliveries, fetches) cover the time since the previous report, or since creation when
/// nothing is reported on an interval.
///
/// Cheap enough to leave on: the counters are plain integers the client keeps anyway, the
/// latencies go to fixed-size histograms, and nothing is allocated per message. Clients that
/// share a cluster share its connections' statistics.
public struct ClientStatistics: Sendable, Equatable {
    /// When it was taken (wall clock).
    public var time: Date
    /// Each broker connection the client's cluster holds.
    public var brokers: [BrokerStatistics]
    /// The producer's side, for a producer.
    public var producer: ProducerStatistics?
    /// The consumer's side, for a consumer.
    public var consumer: ConsumerStatistics?

    /// Statistics with the given parts.
    public init(time: Date = Date(), brokers: [BrokerStatistics] = [], producer: ProducerStatistics? = nil,
                consumer: ConsumerStatistics? = nil) {
        self.time = time
        self.brokers = brokers
        self.producer = producer
        self.consumer = consumer
    }

    /// Requests sent over every connection.
    public var requestsSent: Int { brokers.reduce(0) { $0 + $1.requestsSent } }
    /// Bytes sent over every connection.
    public var bytesSent: Int { brokers.reduce(0) { $0 + $1.bytesSent } }
    /// Answers received over every connection.
    public var responsesReceived: Int { brokers.reduce(0) { $0 + $1.responsesReceived } }
    /// Bytes received over every connection.
    public var bytesReceived: Int { brokers.reduce(0) { $0 + $1.bytesReceived } }
    /// Requests on the wire now, over every connection.
    public var requestsInFlight: Int { brokers.reduce(0) { $0 + $1.requestsInFlight } }
    /// Reconnects over every connection.
    public var reconnects: Int { brokers.reduce(0) { $0 + $1.reconnects } }
}

/// Runs a client's statistics callback on an interval, until stopped or the client is gone.
/// Loop-confined.
final class StatisticsReporter {
    private var timer: PeriodicCallback?

    /// Calls `handler` with `take()` every `interval`, then `reset()` to start the next
    /// interval; `take` returning nil (the client closed or released) stops it.
    init(loop: IOLoop, interval: Duration, take: @escaping () -> ClientStatistics?, reset: @escaping () -> Void,
         handler: @escaping (ClientStatistics) -> Void) {
        let timer = PeriodicCallback(loop: loop, interval: interval) { [weak self] in
            guard let statistics = take() else {
                self?.stop()
                return
            }
            reset()
            handler(statistics)
        }
        self.timer = timer
        timer.start()
    }

    func stop() {
        timer?.stop()
        timer = nil
    }
}
