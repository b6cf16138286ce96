import Foundation
import XCTest
import KielTestSupport
@testable import Kiel

/// The clients with SASL, against `scripts/saslproxy.py` in front of a fresh Tansu (Tansu's
/// own SASL refuses PLAIN and cannot finish SCRAM); the proxy's SCRAM is `scramp`'s, and
/// confluent-kafka authenticates against it too. Every mechanism round trips; SASL_SSL goes
/// through stunnel as well; wrong credentials fail once and stay failed; a session lifetime
/// (KIP-368) is renewed on the same connection while messages keep flowing.
final class SaslClientTests: XCTestCase {
    var loop: IOLoop!

    override func setUpWithError() throws {
        loop = try IOLoop()
    }

    static func options(_ security: Security) -> Cluster.Options {
        var o = ProxyWork.clusterOptions()
        o.security = security
        return o
    }

    private func producer(_ broker: SaslBroker, _ security: Security) throws -> Producer<String> {
        var o = Producer<String>.Options()
        o.linger = .milliseconds(2)
        o.batchBytes = 64 << 10
        o.retryBackoff = .milliseconds(50)
        o.cluster = Self.options(security)
        return try Producer(loop: loop, brokers: [broker.bootstrap], serializer: .string, options: o)
    }

    private func consumer(_ broker: SaslBroker, _ security: Security) throws -> SingleConsumer<String> {
        var o = SingleConsumer<String>.Options()
        o.maxWaitTime = .milliseconds(100)
        o.retryBackoff = .milliseconds(50)
        o.cluster = Self.options(security)
        return try SingleConsumer(loop: loop, brokers: [broker.bootstrap], deserializer: .string, options: o)
    }

    private func roundTrip(_ broker: SaslBroker, _ security: Security, topic: String, count: Int) throws {
        try broker.createTopic(topic, partitions: 2)
        let sent = ProxyWork.values(count: count, keys: 4)
        let producer = try producer(broker, security)
        let outcome = try ProxyWork.produce(loop, producer, topic: topic, sent)
        XCTAssertEqual(outcome.failed, 0, "\(security.sasl!): \(String(describing: outcome.firstError))")
        try BrokerTest.run(loop) { (done: @escaping (Result<Void, any Error>) -> Void) in producer.close { done(.success(())) } }
        let consumer = try consumer(broker, security)
        let read = try ProxyWork.consume(loop, consumer, topic: topic, count: sent.count)
        consumer.close {}
        let check = ProxyWork.check(sent: sent, received: read.messages.map(\.value))
        XCTAssertTrue(check.ok, "\(security.sasl!): \(check)")
    }

    func testEveryMechanismRoundTrips() throws {
        let broker = try SaslBroker()
        defer { broker.stop() }
        let mechanisms: [SaslMechanism] = [
            .plain(username: "alice", password: "alice-secret"),
            .scramSHA256(username: "alice", password: "alice-secret"),
            .scramSHA512(username: "alice", password: "alice-secret"),
            .oauthBearer(.fixed(OAuthBearerToken("token-1"))),
        ]
        for mechanism in mechanisms {
            try roundTrip(broker, .saslPlaintext(mechanism), topic: "sasl-\(mechanism.name.lowercased())", count: 2_000)
        }
        let stats = try broker.stats()
        for name in ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"] {
            XCTAssertGreaterThan(stats.authenticated[name] ?? 0, 0, name)
        }
        XCTAssertEqual(stats.failed, 0)
        XCTAssertEqual(stats.unauthenticatedRequests, 0, "no request went before authentication")
    }

    /// The proxy is proved first with a client nobody here wrote: confluent-kafka produces and
    /// reads back through it with every mechanism, and is refused with a wrong password.
    func testConfluentKafkaAuthenticatesThroughTheProxy() throws {
        let broker = try SaslBroker()
        defer { broker.stop() }
        try broker.createTopic("proxy-check", partitions: 1)
        let output = try TestServices.runPython(code: Self.confluentMechanisms, args: [broker.bootstrap])
        XCTAssertEqual(output.split(separator: "\n").map(String.init), [
            "PLAIN 5", "SCRAM-SHA-256 5", "SCRAM-SHA-512 5", "OAUTHBEARER 5", "wrong password refused",
        ])
        XCTAssertGreaterThan(try broker.stats().failed, 0)
    }

    /// SASL_SSL: SCRAM inside TLS through stunnel. confluent-kafka (librdkafka's SASL and TLS)
    /// reads back what Kiel wrote, and Kiel reads what confluent-kafka wrote, both
    /// authenticating as the same user.
    func testScramOverTLSInteropsWithConfluentKafkaBothWays() throws {
        let certs = try TestCertificates.shared()
        let broker = try SaslBroker(tls: try Stunnel.Settings.valid())
        defer { broker.stop() }
        let security = Security.ssl(TLSConfiguration(caFile: certs.caFile),
                                    sasl: .scramSHA512(username: "alice", password: "alice-secret"))
        XCTAssertEqual(security.protocolName, "SASL_SSL")
        try roundTrip(broker, security, topic: "sasl-ssl", count: 1_000)
        let output = try TestServices.runPython(code: Self.confluentReader,
                                                args: [broker.bootstrap, certs.caFile, "sasl-ssl", "1000"])
        XCTAssertEqual(output.split(separator: "\n").count, 1_000)

        try broker.createTopic("from-confluent", partitions: 2)
        _ = try TestServices.runPython(code: Self.confluentWriter, args: [broker.bootstrap, certs.caFile, "from-confluent", "500"])
        let consumer = try consumer(broker, security)
        let read = try ProxyWork.consume(loop, consumer, topic: "from-confluent", count: 500)
        consumer.close {}
        XCTAssertEqual(Set(read.messages.map(\.value)), Set((0 ..< 500).map { "c\($0)" }))
    }

    func testWrongPasswordFailsOnceAndDoesNotReconnect() throws {
        let broker = try SaslBroker()
        defer { broker.stop() }
        let producer = try producer(broker, .saslPlaintext(.scramSHA256(username: "alice", password: "wrong")))
        var connects: [KielError] = [], reports: [KielError] = []
        try BrokerTest.run(loop) { (done: @escaping (Result<Void, any Error>) -> Void) in
            producer.connect { result in
                if case .failure(let error) = result { connects.append(error) }
                do {
                    try producer.produce("t", "v") { report in
                        if case .failure(let error) = report { reports.append(error) }
                        done(.success(()))
                    }
                } catch { done(.failure(error)) }
            }
        }
        let polls = loop.pollCount
        try BrokerTest.run(loop) { (done: @escaping (Result<Void, any Error>) -> Void) in
            self.loop.callLater(.milliseconds(1500)) { done(.success(())) }
        }
        for (what, errors) in [("connect", connects), ("report", reports)] {
            XCTAssertEqual(errors.count, 1, "\(what): \(errors)")
            guard case .authentication(let text)? = errors.first else { XCTFail("\(what): \(errors)"); continue }
            XCTAssertTrue(text.contains("SCRAM-SHA-256"), text)
            XCTAssertFalse(errors.first!.isRetriable)
        }
        let stats = try broker.stats()
        XCTAssertEqual(stats.failed, 1, "one attempt, not a loop of them")
        XCTAssertEqual(stats.connections, 1)
        XCTAssertLessThan(loop.pollCount - polls, 100, "the loop spun while nothing was left to do")
        producer.close {}
    }

    func testAMechanismTheBrokerDoesNotOfferIsNamed() throws {
        var settings = SaslBroker.Settings()
        settings.mechanisms = ["PLAIN"]
        let broker = try SaslBroker(settings)
        defer { broker.stop() }
        let consumer = try consumer(broker, .saslPlaintext(.scramSHA512(username: "alice", password: "alice-secret")))
        let result: Result<Void, KielError> = try BrokerTest.run(loop) { done in
            consumer.connect { done(.success($0)) }
        }
        guard case .failure(.authentication(let text)) = result else { return XCTFail("\(result)") }
        XCTAssertTrue(text.contains("offers PLAIN"), text)
        consumer.close {}
    }

    /// KIP-368: a session of 1.5 s is renewed on the same connection, between requests, while
    /// a producer keeps sending for about 5 s; every OAUTHBEARER renewal asks for a fresh token.
    func testSessionsAreRenewedOnTheSameConnection() throws {
        var settings = SaslBroker.Settings()
        settings.sessionLifetimeMs = 1_500
        settings.tokens = (1 ... 50).map { "token-\($0)" }
        let broker = try SaslBroker(settings)
        defer { broker.stop() }
        try broker.createTopic("renewed", partitions: 1)
        let issued = LockedCounter()
        let provider = OAuthBearerTokenProvider { completion in
            completion(.success(OAuthBearerToken("token-\(issued.increment())")))
        }
        let producer = try producer(broker, .saslPlaintext(.oauthBearer(provider)))
        let total = 100
        let delivered: Int = try BrokerTest.run(loop, timeout: .seconds(60)) { done in
            var sent = 0, acknowledged = 0
            func tick() {
                do {
                    try producer.produce("renewed", "m\(sent)") { report in
                        if case .failure(let error) = report { return done(.failure(error)) }
                        acknowledged += 1
                        if acknowledged == total { done(.success(acknowledged)) }
                    }
                } catch { return done(.failure(error)) }
                sent += 1
                if sent < total { self.loop.callLater(.milliseconds(50), tick) }
            }
            tick()
        }
        XCTAssertEqual(delivered, total)
        let stats = try broker.stats()
        XCTAssertGreaterThanOrEqual(stats.reauthenticated, 2, "\(stats)")
        XCTAssertEqual(stats.expiredCloses, 0, "no request went on an expired session")
        XCTAssertEqual(stats.connections, 1, "renewed in place, not by reconnecting")
        XCTAssertGreaterThanOrEqual(issued.value, 3, "a fresh token for each authentication")
        producer.close {}
    }

    /// A broker that goes quiet in the middle of a re-authentication: the requests waiting
    /// behind it are not stuck for good; the connection is dropped after the request timeout
    /// and a new one authenticates from scratch.
    func testASilentReauthenticationIsAbandonedAndTheConnectionRenewed() throws {
        var settings = SaslBroker.Settings()
        settings.sessionLifetimeMs = 1_000
        settings.silentReauthentication = true
        let broker = try SaslBroker(settings)
        defer { broker.stop() }
        try broker.createTopic("quiet", partitions: 1)
        let producer = try producer(broker, .saslPlaintext(.scramSHA256(username: "alice", password: "alice-secret")))
        let total = 60
        let delivered: Int = try BrokerTest.run(loop, timeout: .seconds(60)) { done in
            var sent = 0, acknowledged = 0
            func tick() {
                do {
                    try producer.produce("quiet", "m\(sent)") { report in
                        if case .failure(let error) = report { return done(.failure(error)) }
                        acknowledged += 1
                        if acknowledged == total { done(.success(acknowledged)) }
                    }
                } catch { return done(.failure(error)) }
                sent += 1
                if sent < total { self.loop.callLater(.milliseconds(100), tick) }
            }
            tick()
        }
        XCTAssertEqual(delivered, total)
        let stats = try broker.stats()
        XCTAssertGreaterThanOrEqual(stats.ignoredReauthentications, 1, "\(stats)")
        XCTAssertGreaterThanOrEqual(stats.connections, 2, "a new connection after the silent one")
        XCTAssertEqual(stats.reauthenticated, 0)
        producer.close {}
    }

    /// Connections cut inside the SCRAM exchange and reset or cut mid-produce and mid-fetch:
    /// every new connection authenticates again before its first request, and nothing is lost,
    /// doubled or reordered.
    func testReconnectsAuthenticateAgainAndLoseNothing() throws {
        var faults = FaultProxy.Faults()
        faults.plan = [0: "cut:up:110", 1: "reset:up:150000", 3: "cut:down:60000", 4: "reset:down:90000"]
        faults.seed = "sasl-reconnects"
        let broker = try SaslBroker(faults: faults)
        defer { broker.stop() }
        try roundTrip(broker, .saslPlaintext(.scramSHA512(username: "alice", password: "alice-secret")),
                      topic: "sasl-faults", count: 20_000)
        let stats = try broker.stats()
        let proxy = try broker.faultProxy!.stats()
        print("SASL through faults: \(stats.authenticated) authentications over \(proxy)")
        XCTAssertEqual(proxy.totalFaults, 4, "\(proxy)")
        XCTAssertGreaterThanOrEqual(stats.authenticated["SCRAM-SHA-512"] ?? 0, 3, "each reconnect authenticated")
        XCTAssertEqual(stats.unauthenticatedRequests, 0, "no request went before authentication")
        XCTAssertEqual(stats.failed, 0)
    }

    /// A provider that cannot give a token fails the authentication with its reason, once.
    func testATokenProviderErrorIsTheAuthenticationError() throws {
        let broker = try SaslBroker()
        defer { broker.stop() }
        let provider = OAuthBearerTokenProvider { completion in
            completion(.failure(.invalidArgument("identity provider unreachable")))
        }
        let producer = try producer(broker, .saslPlaintext(.oauthBearer(provider)))
        let result: Result<Void, KielError> = try BrokerTest.run(loop) { done in producer.connect { done(.success($0)) } }
        guard case .failure(.authentication(let text)) = result else { return XCTFail("\(result)") }
        XCTAssertTrue(text.contains("identity provider unreachable"), text)
        XCTAssertEqual(try broker.stats().connections, 1)
        producer.close {}
    }

    static let confluentMechanisms = """
        import sys, time
        from confluent_kafka import Consumer, Producer, TopicPartition
        broker = sys.argv[1]
        def conf(mech, password="alice-secret"):
            c = {"bootstrap.servers": broker, "security.protocol": "sasl_plaintext", "sasl.mechanism": mech}
            if mech == "OAUTHBEARER":
                c["oauth_cb"] = lambda _: ("token-1", time.time() + 3600)
            else:
                c["sasl.username"], c["sasl.password"] = "alice", password
            return c
        for mech in ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"]:
            p = Producer(conf(mech))
            for i in range(5):
                p.produce("proxy-check", f"{mech}-{i}".encode())
            assert p.flush(30) == 0, mech
            c = Consumer({**conf(mech), "group.id": "proxy-check-" + mech, "enable.auto.commit": False})
            c.assign([TopicPartition("proxy-check", 0, 0)])
            got, deadline = [], time.time() + 30
            while len([v for v in got if v.startswith(mech + "-")]) < 5 and time.time() < deadline:
                for m in c.consume(100, timeout=1):
                    if not m.error():
                        got.append(m.value().decode())
            c.close()
            print(mech, len([v for v in got if v.startswith(mech + "-")]))
        errors = []
        p = Producer({**conf("SCRAM-SHA-256", "wrong"), "error_cb": lambda e: errors.append(e)})
        p.produce("proxy-check", b"x")
        p.flush(3)
        print("wrong password refused" if any("uthentication" in str(e) for e in errors) else f"not refused: {errors}")
        """

    static let confluentWriter = """
        import sys
        from confluent_kafka import Producer
        broker, ca, topic, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
        p = Producer({"bootstrap.servers": broker, "security.protocol": "sasl_ssl", "ssl.ca.location": ca,
                      "sasl.mechanism": "SCRAM-SHA-512", "sasl.username": "alice", "sasl.password": "alice-secret"})
        for i in range(count):
            p.produce(topic, f"c{i}".encode(), key=str(i % 7).encode())
        assert p.flush(30) == 0
        """

    static let confluentReader = """
        import sys, time
        from confluent_kafka import Consumer, TopicPartition
        broker, ca, topic, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
        c = Consumer({"bootstrap.servers": broker, "group.id": "sasl-check", "enable.auto.commit": False,
                      "security.protocol": "sasl_ssl", "ssl.ca.location": ca,
                      "sasl.mechanism": "SCRAM-SHA-512", "sasl.username": "alice", "sasl.password": "alice-secret",
                      "fetch.wait.max.ms": 100})
        parts = sorted(c.list_topics(topic, timeout=20).topics[topic].partitions)
        c.assign([TopicPartition(topic, p, 0) for p in parts])
        got, deadline = [], time.time() + 60
        while len(got) < count and time.time() < deadline:
            for m in c.consume(500, timeout=1):
                if m.error():
                    continue
                got.append(m.value().decode())
        c.close()
        print("\\n".join(got))
        """
}

/// A counter the token provider (a `@Sendable` closure) can bump.
final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() -> Int { lock.withLock { count += 1; return count } }
    var value: Int { lock.withLock { count } }
}
