import Foundation
import XCTest
import KielTestSupport
@testable import Kiel

/// TLS connections cut by the fault proxy (between the clients and stunnel, Tansu advertising
/// the proxy): in the middle of the server's handshake, in the middle of a TLS record of a
/// Produce going up and of a Fetch answer coming down. Each is a lost connection, not a TLS
/// failure: the clients reconnect, and every message is stored once and read back once, in
/// order per key.
final class TLSFaultTests: XCTestCase {
    /// Connection 0 is the producer's first; it is cut 300 bytes into the server's handshake
    /// flight (its certificate is longer). The producer's next connection is cut 40,001 bytes
    /// up, inside a record of a Produce (records hold up to 16 KiB), and its third finishes the
    /// work. The consumer's first is cut 60,001 bytes down, inside a record of a Fetch answer.
    static let fates = [0: "cut:down:300", 1: "cut:up:40001", 2: "pass", 3: "cut:down:60001"]

    func testCutsMidHandshakeAndMidRecordLoseNothing() throws {
        let loop = try IOLoop()
        let certs = try TestCertificates.shared()
        var faults = FaultProxy.Faults()
        faults.plan = Self.fates
        let broker = try TLSBroker(try Stunnel.Settings.valid(), faults: faults)
        defer { broker.stop() }
        try broker.createTopic("cuts", partitions: 4)
        let tls = TLSConfiguration(caFile: certs.caFile)
        let sent = ProxyWork.values(count: 20_000, keys: 40)

        let producer = try TLSClientTests.producer(loop, broker.bootstrap, tls)
        let outcome = try ProxyWork.produce(loop, producer, topic: "cuts", sent)
        XCTAssertEqual(outcome.failed, 0, "\(String(describing: outcome.firstError))")
        try BrokerTest.run(loop) { (done: @escaping (Result<Void, any Error>) -> Void) in producer.close { done(.success(())) } }

        let consumer = try TLSClientTests.consumer(loop, broker.bootstrap, tls)
        let read = try ProxyWork.consume(loop, consumer, topic: "cuts", count: sent.count)
        consumer.close {}
        let check = ProxyWork.check(sent: sent, received: read.messages.map(\.value))
        XCTAssertTrue(check.ok, "\(check)")
        let proxy = try XCTUnwrap(broker.proxy)
        let stats = try proxy.stats()
        XCTAssertEqual(stats.faults["cut"], 3, "\(stats)\n\(proxy.log())")
        print("TLS cuts: \(check); \(read.errors) errors reported; proxy: \(stats)")
    }
}
