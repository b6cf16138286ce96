import Foundation
import XCTest
import KielTestSupport
@testable import Kiel

/// The clients over TLS: a fresh Tansu behind Debian's stunnel, advertising the stunnel port,
/// so bootstrap and per-broker connections are all TLS. What Kiel writes reads back through
/// Kiel and through confluent-kafka (librdkafka's own TLS); mutual TLS with an encrypted key;
/// TLS 1.2 and 1.3.
final class TLSClientTests: XCTestCase {
    var loop: IOLoop!
    var certs: TestCertificates!

    override func setUpWithError() throws {
        loop = try IOLoop()
        certs = try TestCertificates.shared()
    }

    static func options(_ tls: TLSConfiguration) -> Cluster.Options {
        var o = ProxyWork.clusterOptions()
        o.security = .ssl(tls)
        return o
    }

    static func producer(_ loop: IOLoop, _ bootstrap: String, _ tls: TLSConfiguration,
                         connectTimeout: Duration = .seconds(2)) throws -> Producer<String> {
        var o = Producer<String>.Options()
        o.linger = .milliseconds(2)
        o.batchBytes = 64 << 10
        o.retryBackoff = .milliseconds(50)
        o.cluster = options(tls)
        o.cluster.connection.connectTimeout = connectTimeout
        return try Producer(loop: loop, brokers: [bootstrap], serializer: .string, options: o)
    }

    static func consumer(_ loop: IOLoop, _ bootstrap: String, _ tls: TLSConfiguration) throws -> SingleConsumer<String> {
        var o = SingleConsumer<String>.Options()
        o.maxWaitTime = .milliseconds(100)
        o.retryBackoff = .milliseconds(50)
        o.cluster = options(tls)
        return try SingleConsumer(loop: loop, brokers: [bootstrap], deserializer: .string, options: o)
    }

    /// Produces `sent` and reads it back over TLS; returns what came back in arrival order.
    private func roundTrip(_ broker: TLSBroker, _ tls: TLSConfiguration, topic: String,
                           _ sent: [(key: String, value: String)]) throws -> [String] {
        let producer = try Self.producer(loop, broker.bootstrap, tls)
        let outcome = try ProxyWork.produce(loop, producer, topic: topic, sent)
        XCTAssertEqual(outcome.failed, 0, "\(String(describing: outcome.firstError))")
        try BrokerTest.run(loop) { (done: @escaping (Result<Void, any Error>) -> Void) in producer.close { done(.success(())) } }
        let consumer = try Self.consumer(loop, broker.bootstrap, tls)
        let read = try ProxyWork.consume(loop, consumer, topic: topic, count: sent.count)
        consumer.close {}
        return read.messages.map(\.value)
    }

    func testRoundTripOverTLS13AndConfluentKafkaReadsWhatKielWrote() throws {
        let broker = try TLSBroker(try Stunnel.Settings.valid())
        defer { broker.stop() }
        try broker.createTopic("secure", partitions: 3)
        let sent = ProxyWork.values(count: 3000, keys: 12)
        let tls = TLSConfiguration(caFile: certs.caFile)
        let received = try roundTrip(broker, tls, topic: "secure", sent)
        let check = ProxyWork.check(sent: sent, received: received)
        XCTAssertTrue(check.ok, "\(check)")
        XCTAssertEqual(try negotiatedVersion(broker, tls), .v1_3)

        // librdkafka over its own TLS, trusting the same CA and checking the name.
        let output = try TestServices.runPython(code: Self.confluentReader, args: [broker.bootstrap, certs.caFile, "secure",
                                                                                   String(sent.count)])
        let values = output.split(separator: "\n").map(String.init)
        XCTAssertEqual(values.count, sent.count)
        XCTAssertEqual(Set(values), Set(sent.map(\.value)))
    }

    func testMutualTLSOverTLS12WithAnEncryptedKey() throws {
        var settings = try Stunnel.Settings.valid()
        settings.clientCAFile = certs.caFile
        settings.maximumVersion = "TLSv1.2"
        let broker = try TLSBroker(settings)
        defer { broker.stop() }
        try broker.createTopic("mutual", partitions: 2)
        var tls = TLSConfiguration(caFile: certs.caFile, certificateFile: certs.clientCertificate,
                                   privateKeyFile: certs.encryptedClientKey, privateKeyPassword: certs.clientKeyPassword)
        tls.minimumVersion = .v1_2
        let sent = ProxyWork.values(count: 500, keys: 5)
        let check = ProxyWork.check(sent: sent, received: try roundTrip(broker, tls, topic: "mutual", sent))
        XCTAssertTrue(check.ok, "\(check)")
        XCTAssertEqual(try negotiatedVersion(broker, tls), .v1_2)
    }

    /// A grouped consumer gets the whole topic over TLS: metadata, fetches and its offset
    /// commits to the group coordinator all go through stunnel.
    func testGroupedConsumerOverTLS() throws {
        let broker = try TLSBroker(try Stunnel.Settings.valid())
        defer { broker.stop() }
        try broker.createTopic("grouped", partitions: 3)
        let tls = TLSConfiguration(caFile: certs.caFile)
        let sent = ProxyWork.values(count: 600, keys: 6)
        let producer = try Self.producer(loop, broker.bootstrap, tls)
        XCTAssertEqual(try ProxyWork.produce(loop, producer, topic: "grouped", sent).failed, 0)
        try BrokerTest.run(loop) { (done: @escaping (Result<Void, any Error>) -> Void) in producer.close { done(.success(())) } }

        var options = GroupedConsumer<String>.Options()
        options.cluster = Self.options(tls)
        options.maxWaitTime = .milliseconds(100)
        let zooKeeper = try TestServices.zookeeper()
        let consumer = try GroupedConsumer<String>(loop: loop, brokers: [broker.bootstrap], group: TestServices.uniqueName("tls"),
                                                   zooKeeper: "\(zooKeeper.host):\(zooKeeper.port)", deserializer: .string,
                                                   options: options)
        var received: [String] = []
        try BrokerTest.run(loop) { (done: @escaping (Result<Void, any Error>) -> Void) in
            consumer.onMessages = { messages in
                received += messages.map(\.value)
                if received.count >= sent.count { done(.success(())) }
            }
            consumer.subscribe("grouped")
            consumer.connect { result in if case .failure(let error) = result { done(.failure(error)) } }
        }
        var committed: Result<Void, KielError>?
        try BrokerTest.run(loop) { (done: @escaping (Result<Void, any Error>) -> Void) in
            consumer.commitOffsets { result in
                committed = result
                consumer.close { done(.success(())) }
            }
        }
        let check = ProxyWork.check(sent: sent, received: received)
        XCTAssertTrue(check.ok, "\(check)")
        XCTAssertNoThrow(try committed?.get(), "offsets committed over TLS")
    }

    /// The version a connection to `broker` agrees on, from a layer of the same settings.
    private func negotiatedVersion(_ broker: TLSBroker, _ tls: TLSConfiguration) throws -> TLSVersion? {
        let layer = try TLSContext(tls).makeLayer(host: "127.0.0.1")
        let stream = try loop.runUntilComplete(timeout: .seconds(20)) { (done: @escaping (Result<FramedStream, any Error>) -> Void) in
            FramedStream.connect(loop: loop, host: "127.0.0.1", port: broker.port, timeout: .seconds(10), layer: layer) {
                done($0.mapError { $0 })
            }
        }
        stream.close()
        return layer.negotiatedVersion
    }

    /// Reads COUNT values of TOPIC over TLS with confluent-kafka and prints one per line.
    static let confluentReader = """
        import sys, time
        from confluent_kafka import Consumer, TopicPartition
        broker, ca, topic, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
        c = Consumer({"bootstrap.servers": broker, "group.id": "tls-check", "enable.auto.commit": False,
                      "security.protocol": "ssl", "ssl.ca.location": ca,
                      "ssl.endpoint.identification.algorithm": "https", "fetch.wait.max.ms": 100})
        parts = sorted(c.list_topics(topic, timeout=20).topics[topic].partitions)
        c.assign([TopicPartition(topic, p, 0) for p in parts])
        got, deadline = [], time.time() + 60
        while len(got) < count and time.time() < deadline:
            for m in c.consume(500, timeout=1):
                if m.error():
                    raise SystemExit("consume failed: %s" % m.error())
                got.append(m.value().decode())
        c.close()
        print("\\n".join(got))
        """
}
