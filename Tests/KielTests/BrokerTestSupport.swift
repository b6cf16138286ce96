import Foundation
import XCTest
import KielTestSupport
@testable import Kiel

/// What the tests that talk to the real broker share: topics, loop runs, produce and consume.
enum BrokerTest {
    /// "host:port" of the test broker; throws (failing the test) when the services are not up.
    static func bootstrap() throws -> String {
        let endpoint = try TestServices.broker()
        return "\(endpoint.host):\(endpoint.port)"
    }

    /// A fresh topic with `partitions` partitions.
    static func topic(_ prefix: String, partitions: Int) throws -> String {
        let name = TestServices.uniqueName(prefix)
        try TestServices.createTopic(name: name, partitions: partitions)
        return name
    }

    /// Runs the loop until `body` calls done, failing after `timeout`.
    static func run<T>(_ loop: IOLoop, timeout: Duration = .seconds(60),
                       _ body: (@escaping (Result<T, any Error>) -> Void) -> Void) throws -> T {
        try loop.runUntilComplete(timeout: timeout, body)
    }

    /// Produces each value (with its key and headers), flushes, and returns the delivery reports
    /// in produce order.
    static func produceAll<V>(_ loop: IOLoop, _ producer: Producer<V>, topic: String,
                              _ items: [(value: V, key: [UInt8]?, headers: [RecordHeader])],
                              timeout: Duration = .seconds(60)) throws -> [Result<RecordMetadata, KielError>] {
        try run(loop, timeout: timeout) { done in
            var reports = [Result<RecordMetadata, KielError>?](repeating: nil, count: items.count)
            do {
                for (i, item) in items.enumerated() {
                    try producer.produce(topic, item.value, key: item.key, headers: item.headers) { reports[i] = $0 }
                }
            } catch {
                return done(.failure(error))
            }
            producer.flush {
                done(.success(reports.map { $0 ?? .failure(.protocolViolation("no delivery report")) }))
            }
        }
    }

    /// Consumes until `count` messages arrived (or `timeout`), returning them.
    /// With `failOnError`, the first error the consumer reports (`onError`) ends the wait.
    static func consume<V>(_ loop: IOLoop, _ consumer: SingleConsumer<V>, topic: String, start: StartPosition,
                           count: Int, failOnError: Bool = false,
                           timeout: Duration = .seconds(60)) throws -> [ConsumerMessage<V>] {
        try run(loop, timeout: timeout) { done in
            var collected: [ConsumerMessage<V>] = []
            if failOnError { consumer.onError = { done(.failure($0)) } }
            func next() {
                consumer.consume(topic, start: start) { result in
                    switch result {
                    case .failure(let error): done(.failure(error))
                    case .success(let messages):
                        collected += messages
                        if collected.count >= count { done(.success(collected)) } else { next() }
                    }
                }
            }
            next()
        }
    }
}

extension Result {
    var failureValue: Failure? { if case .failure(let e) = self { return e }; return nil }
}
