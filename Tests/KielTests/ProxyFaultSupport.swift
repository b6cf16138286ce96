import Foundation
import XCTest
import KielTestSupport
@testable import Kiel

/// What the fault-proxy tests share: clients tuned to notice a silent connection in seconds,
/// keyed workloads whose values say their place in their key's sequence, and the check that
/// what came back is exactly what went in.
enum ProxyWork {
    /// A value `key|sequence|padding`: the sequence counts up per key from 0.
    static func values(count: Int, keys: Int, size: Int = 100) -> [(key: String, value: String)] {
        var next = [Int](repeating: 0, count: keys)
        return (0..<count).map { i in
            let k = i % keys
            defer { next[k] += 1 }
            let head = "k\(k)|\(next[k])|"
            return ("k\(k)", head + String(repeating: "x", count: max(0, size - head.count)))
        }
    }

    /// Options that notice a silent connection after ~2 s instead of 35 s.
    static func clusterOptions() -> Cluster.Options {
        var o = Cluster.Options()
        o.connection.requestTimeout = .seconds(2)
        o.connection.connectTimeout = .seconds(2)
        o.connection.reconnectBackoffMax = .milliseconds(500)
        o.metadataMinInterval = .milliseconds(20)
        return o
    }

    static func producer(_ loop: IOLoop, _ bootstrap: String, batchBytes: Int = 256 << 10) throws -> Producer<String> {
        var o = Producer<String>.Options()
        o.linger = .milliseconds(2)
        o.batchBytes = batchBytes
        o.ackTimeout = .seconds(1)
        o.retryBackoff = .milliseconds(50)
        o.deliveryTimeout = .seconds(90)
        o.cluster = clusterOptions()
        return try Producer(loop: loop, brokers: [bootstrap], serializer: .string, options: o)
    }

    static func consumer(_ loop: IOLoop, _ bootstrap: String, maxBytes: Int = 256 << 10) throws -> SingleConsumer<String> {
        var o = SingleConsumer<String>.Options()
        o.maxWaitTime = .milliseconds(100)
        o.maxBytes = maxBytes
        o.partitionMaxBytesFloor = 64 << 10
        o.retryBackoff = .milliseconds(50)
        o.cluster = clusterOptions()
        return try SingleConsumer(loop: loop, brokers: [bootstrap], deserializer: .string, options: o)
    }

    /// Produces every value with its key, waits for every report, and returns how many failed
    /// (with the first error).
    static func produce(_ loop: IOLoop, _ producer: Producer<String>, topic: String,
                        _ items: [(key: String, value: String)], timeout: Duration = .seconds(240))
        throws -> (failed: Int, firstError: KielError?) {
        try BrokerTest.run(loop, timeout: timeout) { done in
            var failed = 0
            var firstError: KielError?
            var index = 0
            // Produce in slices so the buffer never fills: the next slice goes once the
            // previous one is acknowledged.
            func nextSlice() {
                let end = min(items.count, index + 20_000)
                do {
                    for item in items[index..<end] {
                        try producer.produce(topic, item.value, key: Array(item.key.utf8)) { report in
                            if case .failure(let e) = report {
                                failed += 1
                                firstError = firstError ?? e
                            }
                        }
                    }
                } catch {
                    return done(.failure(error))
                }
                index = end
                producer.flush { index < items.count ? nextSlice() : done(.success((failed, firstError))) }
            }
            nextSlice()
        }
    }

    /// Consumes `topic` from the beginning until `count` messages arrived; returns them in
    /// arrival order. Errors reported on the way are counted, not fatal.
    static func consume(_ loop: IOLoop, _ consumer: SingleConsumer<String>, topic: String, count: Int,
                        timeout: Duration = .seconds(240)) throws -> (messages: [ConsumerMessage<String>], errors: Int) {
        try BrokerTest.run(loop, timeout: timeout) { done in
            var got: [ConsumerMessage<String>] = []
            var errors = 0
            consumer.onError = { _ in errors += 1 }
            consumer.onMessages = { messages in
                got += messages
                if got.count >= count {
                    consumer.unsubscribe(topic)
                    done(.success((got, errors)))
                }
            }
            consumer.subscribe(topic, start: .beginning)
        }
    }

    /// What came back, compared with what went in.
    struct Check: CustomStringConvertible {
        var expected = 0
        var received = 0
        var missing = 0
        var duplicated = 0
        var outOfOrder = 0
        var ok: Bool { missing == 0 && duplicated == 0 && outOfOrder == 0 && received == expected }
        var description: String {
            "\(received) of \(expected) received, \(missing) missing, \(duplicated) duplicated, \(outOfOrder) out of order"
        }
    }

    /// Compares values read back (in arrival order) with `sent`: each key's sequence must come
    /// back exactly once each, in order.
    static func check(sent: [(key: String, value: String)], received: [String]) -> Check {
        var expectedPerKey: [Substring: Int] = [:]
        for item in sent { expectedPerKey[Substring(item.key), default: 0] += 1 }
        var seen: [Substring: Set<Int>] = [:]
        var last: [Substring: Int] = [:]
        var c = Check(expected: sent.count, received: received.count)
        for value in received {
            let parts = value.split(separator: "|", maxSplits: 2)
            guard parts.count >= 2, let sequence = Int(parts[1]) else { c.outOfOrder += 1; continue }
            let key = parts[0]
            if !seen[key, default: []].insert(sequence).inserted { c.duplicated += 1; continue }
            if let previous = last[key], sequence < previous { c.outOfOrder += 1 }
            last[key] = sequence
        }
        for (key, n) in expectedPerKey { c.missing += n - (seen[key]?.count ?? 0) }
        return c
    }
}
