import Foundation
import XCTest
import KielTestSupport

/// The `kiel` executable against a broker behind stunnel, set up from a librdkafka-style file.
extension CLIIntegrationTests {
    func testProduceAndConsumeOverTLSFromAConfigFile() throws {
        let certs = try TestCertificates.shared()
        let broker = try TLSBroker(try Stunnel.Settings.valid())
        defer { broker.stop() }
        try broker.createTopic("cli-tls", partitions: 2)
        let file = certs.directory + "/client-\(UUID().uuidString).properties"
        try """
            # as a librdkafka or kcat client would have it
            bootstrap.servers=\(broker.bootstrap)
            security.protocol=SSL
            ssl.ca.location=\(certs.caFile)
            """.write(toFile: file, atomically: true, encoding: .utf8)

        try produceAndConsume(settings: file, topic: "cli-tls")

        // A CA that did not sign the broker's certificate: a clear error and exit 1, not a retry loop.
        let refused = try kiel(["consume", "-F", file, "-X", "ssl.ca.location=\(certs.otherCAFile)", "-t", "cli-tls", "-e"])
        XCTAssertEqual(refused.status, 1, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("TLS: the server's certificate was refused"), refused.stderr)
    }
}

/// Two keyed lines produced and read back with the settings in `file`.
extension CLIIntegrationTests {
    func produceAndConsume(settings file: String, topic: String, file source: StaticString = #filePath,
                           line: UInt = #line) throws {
        let produced = try kiel(["produce", "-F", file, "-t", topic, "-K", ":"], stdin: "a:one\nb:two\n")
        XCTAssertEqual(produced.status, 0, produced.stderr, file: source, line: line)
        let consumed = try kiel(["consume", "-F", file, "-t", topic, "-o", "beginning", "-e"])
        XCTAssertEqual(consumed.status, 0, consumed.stderr, file: source, line: line)
        XCTAssertEqual(Set(consumed.stdout.split(separator: "\n")), ["one", "two"], file: source, line: line)
    }
}

/// The same over SASL_SSL (SCRAM inside TLS, through stunnel and the SASL proxy).
extension CLIIntegrationTests {
    func testProduceAndConsumeOverSaslSSLFromAConfigFile() throws {
        let certs = try TestCertificates.shared()
        let broker = try SaslBroker(tls: try Stunnel.Settings.valid())
        defer { broker.stop() }
        try broker.createTopic("cli-sasl", partitions: 2)
        let file = certs.directory + "/sasl-\(UUID().uuidString).properties"
        try """
            bootstrap.servers=\(broker.bootstrap)
            security.protocol=SASL_SSL
            ssl.ca.location=\(certs.caFile)
            sasl.mechanism=SCRAM-SHA-512
            sasl.username=alice
            sasl.password=alice-secret
            """.write(toFile: file, atomically: true, encoding: .utf8)

        try produceAndConsume(settings: file, topic: "cli-sasl")

        // A wrong password: one clear error and exit 1, not a loop of attempts.
        let refused = try kiel(["consume", "-F", file, "-X", "sasl.password=wrong", "-t", "cli-sasl", "-e"])
        XCTAssertEqual(refused.status, 1, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("authentication failed"), refused.stderr)
        XCTAssertEqual(try broker.stats().failed, 1, refused.stderr)
    }
}
