import Foundation
import XCTest
import KielTestSupport
@testable import Kiel

/// Each way TLS to a broker can fail reaches the client once, as `KielError.tls` of its kind,
/// and the client does not reconnect in a loop: a pass-through fault proxy in front of
/// stunnel counts the connections made, and the loop's polls are counted while it waits.
final class TLSFailureTests: XCTestCase {
    var loop: IOLoop!
    var certs: TestCertificates!

    override func setUpWithError() throws {
        loop = try IOLoop()
        certs = try TestCertificates.shared()
    }

    /// A window in which a client that retried would connect again many times (the reconnect
    /// backoff starts at 50 ms), to count what it did, not to time it.
    static let quietWindow: Duration = .milliseconds(1500)

    struct Seen {
        var connectErrors: [KielError] = []
        var reports: [KielError] = []
        var connections = 0
        var pollsWhileQuiet = 0
    }

    /// A producer connects and produces one record through `proxy`; once both have their
    /// answer the loop runs through the quiet window.
    private func produce(through proxy: FaultProxy, _ tls: TLSConfiguration,
                         connectTimeout: Duration = .seconds(2)) throws -> Seen {
        var seen = Seen()
        let producer = try TLSClientTests.producer(loop, proxy.address, tls, connectTimeout: connectTimeout)
        try BrokerTest.run(loop) { (done: @escaping (Result<Void, any Error>) -> Void) in
            var answers = 0
            func answered() {
                answers += 1
                if answers == 2 { done(.success(())) }
            }
            producer.connect { result in
                if case .failure(let error) = result { seen.connectErrors.append(error) }
                answered()
            }
            do {
                try producer.produce("secure", "never stored") { report in
                    if case .failure(let error) = report { seen.reports.append(error) }
                    answered()
                }
            } catch {
                done(.failure(error))
            }
        }
        seen.pollsWhileQuiet = try quietly()
        seen.connections = try proxy.stats().connections
        producer.close {}
        return seen
    }

    /// Runs the loop through the quiet window; returns how often it polled meanwhile.
    private func quietly() throws -> Int {
        let before = loop.pollCount
        try BrokerTest.run(loop) { (done: @escaping (Result<Void, any Error>) -> Void) in
            loop.callLater(Self.quietWindow) { done(.success(())) }
        }
        return loop.pollCount - before
    }

    private func assertOnce(_ seen: Seen, _ kind: TLSError.Kind, connections: Int = 1,
                            file: StaticString = #filePath, line: UInt = #line) {
        for (what, errors) in [("connect", seen.connectErrors), ("delivery report", seen.reports)] {
            XCTAssertEqual(errors.count, 1, "\(what): \(errors)", file: file, line: line)
            guard case .tls(let error)? = errors.first else {
                XCTFail("\(what) got \(String(describing: errors.first)), not a TLS error", file: file, line: line)
                continue
            }
            XCTAssertEqual(error.kind, kind, "\(what): \(error)", file: file, line: line)
            XCTAssertFalse(KielError.tls(error).isRetriable, file: file, line: line)
        }
        XCTAssertEqual(seen.connections, connections, "connections made", file: file, line: line)
        XCTAssertLessThan(seen.pollsWhileQuiet, 100, "the loop spun while nothing was left to do", file: file, line: line)
    }

    /// The broker behind stunnel with `settings`, a counting proxy in front.
    private func broker(_ settings: Stunnel.Settings) throws -> TLSBroker {
        try TLSBroker(settings, faults: FaultProxy.Faults())
    }

    func testUnknownCA() throws {
        let broker = try broker(try Stunnel.Settings.valid())
        defer { broker.stop() }
        assertOnce(try produce(through: broker.proxy!, TLSConfiguration(caFile: certs.otherCAFile)), .untrustedCertificate)
    }

    func testExpiredCertificate() throws {
        var settings = try Stunnel.Settings.valid()
        settings.certificate = certs.expiredCertificate
        let broker = try broker(settings)
        defer { broker.stop() }
        assertOnce(try produce(through: broker.proxy!, TLSConfiguration(caFile: certs.caFile)), .certificateExpired)
    }

    func testHostnameMismatch() throws {
        var settings = try Stunnel.Settings.valid()
        settings.certificate = certs.wrongHostCertificate
        let broker = try broker(settings)
        defer { broker.stop() }
        assertOnce(try produce(through: broker.proxy!, TLSConfiguration(caFile: certs.caFile)), .hostnameMismatch)
    }

    /// The server wants a client certificate and gets none.
    func testHandshakeRefusedWithoutAClientCertificate() throws {
        var settings = try Stunnel.Settings.valid()
        settings.clientCAFile = certs.caFile
        let broker = try broker(settings)
        defer { broker.stop() }
        assertOnce(try produce(through: broker.proxy!, TLSConfiguration(caFile: certs.caFile)), .handshakeRefused)
    }

    func testHandshakeRefusedBelowTheMinimumVersion() throws {
        var settings = try Stunnel.Settings.valid()
        settings.maximumVersion = "TLSv1.2"
        let broker = try broker(settings)
        defer { broker.stop() }
        var tls = TLSConfiguration(caFile: certs.caFile)
        tls.minimumVersion = .v1_3
        assertOnce(try produce(through: broker.proxy!, tls), .handshakeRefused)
    }

    /// TLS to the plaintext broker: Tansu waits for the frame the ClientHello seems to
    /// announce, so the handshake times out unanswered; a plaintext ApiVersions on a second
    /// connection shows it is Kafka without TLS. The connect timeout is below the request
    /// timeout, as by default (10 s and 30 s), so the request is still waiting for the answer.
    func testPlaintextPeer() throws {
        let proxy = try FaultProxy(upstream: try TestServices.broker(), faults: FaultProxy.Faults())
        defer { proxy.stop() }
        let seen = try produce(through: proxy, TLSConfiguration(caFile: certs.caFile), connectTimeout: .seconds(1))
        assertOnce(seen, .plaintextPeer, connections: 2)
    }

    /// The consumers too: a single consumer's subscription and a grouped consumer's `connect`
    /// each hand the error over once and stop asking.
    func testConsumersReportOnceAndStop() throws {
        var settings = try Stunnel.Settings.valid()
        settings.certificate = certs.wrongHostCertificate
        let broker = try broker(settings)
        defer { broker.stop() }
        let tls = TLSConfiguration(caFile: certs.caFile)
        let single = try TLSClientTests.consumer(loop, broker.proxy!.address, tls)
        var groupOptions = GroupedConsumer<String>.Options()
        groupOptions.cluster = TLSClientTests.options(tls)
        let zooKeeper = try TestServices.zookeeper()
        let grouped = try GroupedConsumer<String>(loop: loop, brokers: [broker.proxy!.address], group: TestServices.uniqueName("tls"),
                                                  zooKeeper: "\(zooKeeper.host):\(zooKeeper.port)", deserializer: .string,
                                                  options: groupOptions)
        var singleErrors: [KielError] = []
        var groupErrors: [KielError] = [], connects: [KielError] = []
        grouped.onError = { groupErrors.append($0) }
        try BrokerTest.run(loop) { (done: @escaping (Result<Void, any Error>) -> Void) in
            single.onError = { error in
                singleErrors.append(error)
                if !connects.isEmpty { done(.success(())) }
            }
            single.subscribe("secure", start: .beginning)
            grouped.subscribe("secure")
            grouped.connect { result in
                if case .failure(let error) = result { connects.append(error) }
                if !singleErrors.isEmpty { done(.success(())) }
            }
        }
        let polls = try quietly()
        for (what, errors) in [("single onError", singleErrors), ("grouped onError", groupErrors), ("grouped connect", connects)] {
            XCTAssertEqual(errors.count, 1, "\(what): \(errors)")
            guard case .tls(let error)? = errors.first else { XCTFail("\(what): \(errors)"); continue }
            XCTAssertEqual(error.kind, .hostnameMismatch)
        }
        XCTAssertEqual(try broker.proxy!.stats().connections, 2, "one connection for each consumer")
        XCTAssertLessThan(polls, 100, "the loop spun while nothing was left to do")
        try BrokerTest.run(loop) { (done: @escaping (Result<Void, any Error>) -> Void) in
            single.close { grouped.close { done(.success(())) } }
        }
    }

    /// TLS settings that cannot be loaded fail when the client is made, not at connect time.
    func testUnloadableSettingsFailTheClientsInit() {
        let tls = TLSConfiguration(caFile: certs.directory + "/no-such-ca.pem")
        XCTAssertThrowsError(try TLSClientTests.producer(loop, "127.0.0.1:9", tls)) { error in
            guard case .tls(let failure)? = error as? KielError else { return XCTFail("\(error)") }
            XCTAssertEqual(failure.kind, .configuration)
        }
    }
}
