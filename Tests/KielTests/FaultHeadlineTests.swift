import Foundation
import XCTest
import KielTestSupport
@testable import Kiel

/// The headline fault test: 300,000 keyed values over 4 partitions produced and read back
/// through the proxy while it cuts, resets, stalls, refuses and silences connections at random
/// (seeded), with Kiel and then with confluent-kafka (librdkafka) through a proxy with the same
/// seed, printed side by side. Kiel must lose, duplicate and reorder nothing.
///
/// `KIEL_FAULT_SEED` and `KIEL_FAULT_COUNT` change the seed and the size (`scripts/faults.sh`
/// runs many seeds); the seed is printed so a failure reproduces.
final class FaultHeadlineTests: XCTestCase {
    static var seed: String { ProcessInfo.processInfo.environment["KIEL_FAULT_SEED"] ?? "kiel-headline-1" }
    static var count: Int { ProcessInfo.processInfo.environment["KIEL_FAULT_COUNT"].flatMap(Int.init) ?? 300_000 }
    static let keys = 1_000

    /// Every connection gets a fault, striking between 1.2 MB and 4 MB into the
    /// connection (both directions counted): above the largest request and answer (256 KiB
    /// batches, 4 partitions; 1 MiB fetches), so every connection makes progress.
    static func faults() -> FaultProxy.Faults {
        var f = FaultProxy.Faults()
        f.seed = seed
        f.random = ["cut", "reset", "stall", "blackhole", "refuse"]
        f.rate = 1.0
        f.bytes = 1_200_000...4_000_000
        f.stallMilliseconds = 200...1500
        return f
    }

    func testEverythingArrivesOnceInOrderThroughRandomFaults() throws {
        let loop = try IOLoop()
        let sent = ProxyWork.values(count: Self.count, keys: Self.keys)
        print("fault headline: seed \(Self.seed), \(Self.count) keyed values, \(Self.keys) keys, 4 partitions")

        let kielBroker = try FaultyBroker(faults: Self.faults())
        defer { kielBroker.stop() }
        try kielBroker.createTopic("headline", partitions: 4)
        let producer = try ProxyWork.producer(loop, kielBroker.bootstrap)
        let produceStart = Date()
        let produced = try ProxyWork.produce(loop, producer, topic: "headline", sent)
        let produceSeconds = Date().timeIntervalSince(produceStart)
        producer.close {}
        let consumer = try ProxyWork.consumer(loop, kielBroker.bootstrap, maxBytes: 1 << 20)
        let consumeStart = Date()
        let read = try ProxyWork.consume(loop, consumer, topic: "headline", count: sent.count)
        let consumeSeconds = Date().timeIntervalSince(consumeStart)
        consumer.close {}
        let kiel = ProxyWork.check(sent: sent, received: read.messages.map(\.value))
        let kielStats = try kielBroker.proxy.stats()
        kielBroker.stop()

        let peerBroker = try FaultyBroker(faults: Self.faults())
        defer { peerBroker.stop() }
        try peerBroker.createTopic("headline", partitions: 4)
        let output = try TestServices.runPython(script: "fault_headline_confluent.py",
                                                args: [peerBroker.bootstrap, "headline", String(Self.count), String(Self.keys)],
                                                timeout: 600)
        let peerStats = try peerBroker.proxy.stats()
        let peer = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any] ?? [:]
        func n(_ key: String) -> String { "\(peer[key] ?? "?")" }

        let rows = [
            ("acknowledged", "\(Self.count - produced.failed)", n("acknowledged")),
            ("failed reports", "\(produced.failed)", n("failed")),
            ("received", "\(kiel.received)", n("received")),
            ("missing", "\(kiel.missing)", n("missing")),
            ("duplicated", "\(kiel.duplicated)", n("duplicated")),
            ("out of order per key", "\(kiel.outOfOrder)", n("out_of_order")),
            ("produce seconds", String(format: "%.1f", produceSeconds), n("produce_seconds")),
            ("consume seconds", String(format: "%.1f", consumeSeconds), n("consume_seconds")),
        ]
        var table = "fault headline, seed \(Self.seed):\n"
        table += "  \("".padding(toLength: 22, withPad: " ", startingAt: 0))\("Kiel".padding(toLength: 12, withPad: " ", startingAt: 0))confluent-kafka\n"
        for (name, k, p) in rows {
            table += "  \(name.padding(toLength: 22, withPad: " ", startingAt: 0))\(k.padding(toLength: 12, withPad: " ", startingAt: 0))\(p)\n"
        }
        table += "  proxy for Kiel:            \(kielStats)\n  proxy for confluent-kafka: \(peerStats)"
        print(table)

        XCTAssertEqual(produced.failed, 0, "seed \(Self.seed): \(String(describing: produced.firstError))")
        XCTAssertTrue(kiel.ok, "seed \(Self.seed): \(kiel)\n\(kielBroker.proxy.log())")
        XCTAssertGreaterThanOrEqual(kielStats.totalFaults, 5, "seed \(Self.seed): too few faults to mean much: \(kielStats)")
        // The reference run must have done the work, whatever it found.
        XCTAssertGreaterThan(peer["received"] as? Int ?? 0, 0, "confluent-kafka side: \(output)")
    }
}
