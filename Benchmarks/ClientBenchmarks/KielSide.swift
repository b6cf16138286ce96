import Foundation
import Glibc
import Kiel

/// Process CPU time (user + system) in seconds.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

func monotonicNanos() -> UInt64 { Deadline.now().uptimeNanoseconds }

/// The Kiel side of each measurement, with the settings the librdkafka side uses.
enum KielSide {
    /// `KIEL_BENCH_STATS_MS=N` turns statistics reports on, every N ms, to measure their cost.
    static let statisticsInterval: Duration? = ProcessInfo.processInfo
        .environment["KIEL_BENCH_STATS_MS"].flatMap(Int.init).map { .milliseconds($0) }
    /// The reports taken, kept so that taking them is not optimized away.
    nonisolated(unsafe) static var reports: [ClientStatistics] = []

    static func produce(broker: String, topic: String, size: Int, count: Int,
                        security: Security = .plaintext, compression: CompressionCodec = .none,
                        payload: Payload = .repeated) throws -> Run {
        let loop = try IOLoop()
        var options = Producer<[UInt8]>.Options()
        options.linger = .milliseconds(5)
        options.batchBytes = 1 << 20
        options.compression = compression
        options.cluster.security = security
        let producer = try Producer<[UInt8]>(loop: loop, brokers: [broker], serializer: .bytes, options: options)
        try loop.runUntilComplete(timeout: .seconds(30)) { done in producer.connect { done($0.mapError { $0 }) } }
        if let interval = statisticsInterval { producer.reportStatistics(every: interval) { reports.append($0) } }
        let values = payload.values(size: size)
        let c0 = cpuSeconds(), t0 = monotonicNanos()
        try loop.runUntilComplete(timeout: .seconds(300)) { (done: @escaping (Result<Void, any Error>) -> Void) in
            var sent = 0
            var failed: KielError?
            func more() {
                while sent < count {
                    do {
                        try producer.produce(topic, values[sent % values.count]) {
                            if case .failure(let e) = $0 { failed = e }
                        }
                        sent += 1
                    } catch KielError.bufferFull {
                        loop.callLater(.milliseconds(1), more)
                        return
                    } catch {
                        return done(.failure(error))
                    }
                    if sent % 2000 == 0 {
                        loop.callSoon(more)
                        return
                    }
                }
                producer.flush { done(failed.map { .failure($0) } ?? .success(())) }
            }
            more()
        }
        let result = Run(seconds: Double(monotonicNanos() - t0) / 1e9, cpu: cpuSeconds() - c0)
        try loop.runUntilComplete(timeout: .seconds(30)) { done in producer.close { done(.success(())) } }
        return result
    }

    /// Values as views into the fetched bytes (`.view`), as librdkafka hands out pointers into
    /// its buffers; `copyValues` gives each value an array of its own (`.bytes`) instead.
    static func consume(broker: String, topic: String, count: Int, fetchWait: Duration, maxBytes: Int,
                        copyValues: Bool = false) throws -> Run {
        copyValues
            ? try consume(broker: broker, topic: topic, count: count, fetchWait: fetchWait, maxBytes: maxBytes,
                          deserializer: Deserializer<[UInt8]>.bytes)
            : try consume(broker: broker, topic: topic, count: count, fetchWait: fetchWait, maxBytes: maxBytes,
                          deserializer: Deserializer<ArraySlice<UInt8>>.view)
    }

    private static func consume<Value>(broker: String, topic: String, count: Int, fetchWait: Duration, maxBytes: Int,
                                       deserializer: Deserializer<Value>) throws -> Run {
        let loop = try IOLoop()
        var options = SingleConsumer<Value>.Options()
        options.maxWaitTime = fetchWait
        options.maxBytes = maxBytes
        let consumer = try SingleConsumer<Value>(loop: loop, brokers: [broker], deserializer: deserializer, options: options)
        if let interval = statisticsInterval { consumer.reportStatistics(every: interval) { reports.append($0) } }
        let c0 = cpuSeconds(), t0 = monotonicNanos()
        try loop.runUntilComplete(timeout: .seconds(300)) { (done: @escaping (Result<Void, any Error>) -> Void) in
            var got = 0
            consumer.onError = { error in done(.failure(error)) }
            consumer.onMessages = { messages in
                got += messages.count
                if got >= count { done(.success(())) }
            }
            consumer.subscribe(topic, start: .beginning)
        }
        let result = Run(seconds: Double(monotonicNanos() - t0) / 1e9, cpu: cpuSeconds() - c0)
        consumer.unsubscribe(topic)
        try loop.runUntilComplete(timeout: .seconds(10)) { done in consumer.close { done(.success(())) } }
        return result
    }

    /// Sends at `rate` messages/s for `seconds`, each carrying its send time, and consumes them
    /// in the same loop; returns the end-to-end latencies in milliseconds, sorted.
    static func latency(broker: String, topic: String, size: Int, rate: Int, seconds: Double,
                        fetchWait: Duration) throws -> [Double] {
        let loop = try IOLoop()
        var po = Producer<[UInt8]>.Options()
        po.linger = .milliseconds(1)
        let producer = try Producer<[UInt8]>(loop: loop, brokers: [broker], serializer: .bytes, options: po)
        var co = SingleConsumer<[UInt8]>.Options()
        co.maxWaitTime = fetchWait
        let consumer = try SingleConsumer<[UInt8]>(loop: loop, brokers: [broker], deserializer: .bytes, options: co)
        try loop.runUntilComplete(timeout: .seconds(30)) { done in producer.connect { done($0.mapError { $0 }) } }
        let total = Int(Double(rate) * seconds)
        let pad = [UInt8](repeating: 0x78, count: max(0, size - 8))
        var samples: [Double] = []
        samples.reserveCapacity(total)
        try loop.runUntilComplete(timeout: .seconds(Int64(seconds) + 30)) { (done: @escaping (Result<Void, any Error>) -> Void) in
            consumer.onMessages = { messages in
                let now = monotonicNanos()
                for m in messages {
                    let sentAt = m.value.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                    samples.append(Double(now - sentAt) / 1e6)
                }
                if samples.count >= total { done(.success(())) }
            }
            consumer.subscribe(topic, start: .end)
            // Let the consumer find the end before the clock starts.
            loop.callLater(.seconds(1)) {
                let start = monotonicNanos()
                var sent = 0
                let ticker = PeriodicCallback(loop: loop, interval: .microseconds(500)) {}
                func tick() {
                    let due = min(total, Int((monotonicNanos() - start) * UInt64(rate) / 1_000_000_000))
                    while sent < due {
                        let stamp = monotonicNanos()
                        let head = (0..<8).map { UInt8(truncatingIfNeeded: stamp >> (56 - 8 * $0)) }
                        do { try producer.produce(topic, head + pad) } catch { return done(.failure(error)) }
                        sent += 1
                    }
                    if sent < total { loop.callLater(.microseconds(500), tick) }
                }
                _ = ticker
                tick()
            }
        }
        consumer.unsubscribe(topic)
        try loop.runUntilComplete(timeout: .seconds(30)) { done in producer.close { done(.success(())) } }
        try loop.runUntilComplete(timeout: .seconds(10)) { done in consumer.close { done(.success(())) } }
        return samples.sorted()
    }
}
