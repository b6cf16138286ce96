import Foundation
import Kiel

extension KielSide {
    /// `members` KafkaGroupConsumers of one new group on one loop, subscribed to `topic`, which
    /// holds `count` messages. Each member keeps what it is given paused until the group has
    /// settled (every partition held, by every member when there are enough to go round, for
    /// 200 ms), then all resume and the clock runs to the last message — as rdkafka_bench's
    /// `group` does with its members' threads. Returns the run and the seconds it took to settle.
    static func groupConsume(broker: String, topic: String, count: Int, members: Int, partitions: Int,
                             fetchWait: Duration, maxBytes: Int) throws -> (run: Run, settle: Double) {
        let loop = try IOLoop()
        var options = KafkaGroupConsumer<[UInt8]>.Options()
        options.autocommit = false
        options.sessionTimeout = .seconds(6)
        options.heartbeatInterval = .milliseconds(500)
        options.startWithoutCommit = .beginning
        options.maxWaitTime = fetchWait
        options.maxBytes = maxBytes
        // A new group each time: a closing member commits what it was given, and a group used
        // before would start at its end.
        let group = "bench-group-\(topic)-\(getpid())-\(members)"
        let consumers = try (0..<members).map { _ in
            try KafkaGroupConsumer<[UInt8]>(loop: loop, brokers: [broker], group: group, deserializer: .bytes,
                                            options: options)
        }
        let started = monotonicNanos()
        var settledAt: UInt64 = 0, c0 = 0.0, got = 0
        var end: (nanos: UInt64, cpu: Double) = (0, 0)
        var going = false
        try loop.runUntilComplete(timeout: .seconds(300)) { (done: @escaping (Result<Void, any Error>) -> Void) in
            for consumer in consumers {
                consumer.onError = { error in if case .broker = error {} else { done(.failure(error)) } }
                consumer.onRebalance = { change in
                    guard !going else { return }
                    consumer.fetching.pause(change.gained.flatMap { t, ps in ps.map { TopicPartition(t, $0) } })
                }
                consumer.onMessages = { messages in
                    got += messages.count
                    if got >= count, end.nanos == 0 {
                        end = (monotonicNanos(), cpuSeconds())
                        done(.success(()))
                    }
                }
                consumer.subscribe(topic)
                consumer.connect()
            }
            let wanted = min(members, partitions)
            var since: UInt64 = 0
            func check() {
                let held = consumers.map { $0.allocation.values.reduce(0) { $0 + $1.count } }
                if held.reduce(0, +) == partitions, held.filter({ $0 > 0 }).count >= wanted {
                    if since == 0 { since = monotonicNanos() }
                    if monotonicNanos() - since >= 200_000_000 {
                        settledAt = monotonicNanos()
                        c0 = cpuSeconds()
                        going = true
                        for consumer in consumers { consumer.fetching.resume(consumer.fetching.paused) }
                        return
                    }
                } else {
                    since = 0
                }
                loop.callLater(.milliseconds(1), check)
            }
            check()
        }
        let run = Run(seconds: Double(end.nanos - settledAt) / 1e9, cpu: end.cpu - c0)
        try loop.runUntilComplete(timeout: .seconds(30)) { done in
            var open = consumers.count
            for consumer in consumers { consumer.close { open -= 1; if open == 0 { done(.success(())) } } }
        }
        return (run, Double(settledAt - started) / 1e9)
    }
}
