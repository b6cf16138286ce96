import Foundation
import XCTest
import Kiel
@testable import KielCLI

/// librdkafka's security properties and `-F FILE` on the command line: what they set, and the
/// errors for names, values and combinations that would not do what they say.
final class SecurityPropertiesTests: XCTestCase {
    func parse(_ words: [String]) throws -> Command { try CommandLineSyntax.parse(words) }

    func assertUsageError(_ words: [String], contains text: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try parse(words), file: file, line: line) { error in
            XCTAssertTrue("\(error)".contains(text), "\(error)", file: file, line: line)
        }
    }

    func testTLSPropertiesSetTheClusterSecurity() throws {
        let words = ["consume", "-b", "h", "-t", "t", "-X", "security.protocol=SSL", "-X", "ssl.ca.location=/etc/ca.pem",
                     "-X", "ssl.certificate.location=/etc/me.pem", "-X", "ssl.key.location=/etc/me.key",
                     "-X", "ssl.key.password=pw", "-X", "ssl.endpoint.identification.algorithm=none"]
        guard case .consume(let c) = try parse(words) else { return XCTFail() }
        var options = SingleConsumer<[UInt8]>.Options()
        c.properties.apply(to: &options)
        XCTAssertEqual(options.cluster.security.transport, .ssl)
        var expected = TLSConfiguration(caFile: "/etc/ca.pem", certificateFile: "/etc/me.pem", privateKeyFile: "/etc/me.key",
                                        privateKeyPassword: "pw")
        expected.insecureSkipHostnameVerification = true
        XCTAssertEqual(options.cluster.security.tls, expected)

        // A directory is a CA directory; without any property the cluster stays plaintext.
        let directory = NSTemporaryDirectory()
        guard case .metadata(let m) = try parse(["metadata", "-b", "h", "-X", "security.protocol=ssl",
                                                 "-X", "ssl.ca.location=\(directory)"]) else { return XCTFail() }
        var cluster = Cluster.Options()
        m.properties.apply(to: &cluster)
        XCTAssertEqual(cluster.security.tls.caDirectory, directory)
        XCTAssertNil(cluster.security.tls.caFile)
        guard case .produce(let p) = try parse(["produce", "-b", "h", "-t", "t"]) else { return XCTFail() }
        var producer = Producer<[UInt8]>.Options()
        p.properties.apply(to: &producer)
        XCTAssertEqual(producer.cluster.security, .plaintext)
    }

    func testSASLPropertiesSetTheMechanism() throws {
        guard case .produce(let p) = try parse(["produce", "-b", "h", "-t", "t", "-X", "security.protocol=SASL_SSL",
                                                "-X", "sasl.mechanisms=scram-sha-512", "-X", "sasl.username=svc",
                                                "-X", "sasl.password=pw", "-X", "ssl.ca.location=/ca.pem"]) else { return XCTFail() }
        var producer = Producer<[UInt8]>.Options()
        p.properties.apply(to: &producer)
        XCTAssertEqual(producer.cluster.security.protocolName, "SASL_SSL")
        XCTAssertEqual(producer.cluster.security.sasl, .scramSHA512(username: "svc", password: "pw"))
        XCTAssertEqual(producer.cluster.security.tls.caFile, "/ca.pem")
        guard case .consume(let c) = try parse(["consume", "-b", "h", "-t", "t", "-X", "security.protocol=sasl_plaintext",
                                                "-X", "sasl.mechanism=PLAIN", "-X", "sasl.username=u",
                                                "-X", "sasl.password=p"]) else { return XCTFail() }
        var consumer = SingleConsumer<[UInt8]>.Options()
        c.properties.apply(to: &consumer)
        XCTAssertEqual(consumer.cluster.security.protocolName, "SASL_PLAINTEXT")
        XCTAssertEqual(consumer.cluster.security.sasl, .plain(username: "u", password: "p"))
    }

    func testBadSecuritySettingsAreUsageErrors() {
        assertUsageError(["produce", "-b", "h", "-t", "t", "-X", "security.protocol=SASL_SSL"], contains: "needs sasl.mechanism")
        assertUsageError(["produce", "-b", "h", "-t", "t", "-X", "security.protocol=tls"], contains: "plaintext, ssl, sasl_plaintext or sasl_ssl")
        assertUsageError(["produce", "-b", "h", "-t", "t", "-X", "ssl.ca.location=/ca.pem"], contains: "needs security.protocol=ssl")
        assertUsageError(["produce", "-b", "h", "-t", "t", "-X", "sasl.username=u"], contains: "needs security.protocol=sasl_")
        assertUsageError(["produce", "-b", "h", "-t", "t", "-X", "security.protocol=sasl_plaintext",
                          "-X", "sasl.mechanism=GSSAPI"], contains: "needs one of PLAIN")
        assertUsageError(["produce", "-b", "h", "-t", "t", "-X", "security.protocol=sasl_plaintext",
                          "-X", "sasl.mechanism=SCRAM-SHA-256", "-X", "sasl.username=u"], contains: "needs sasl.password")
        assertUsageError(["produce", "-b", "h", "-t", "t", "-X", "security.protocol=sasl_plaintext",
                          "-X", "sasl.mechanism=OAUTHBEARER"], contains: "needs sasl.oauthbearer.token")
        assertUsageError(["consume", "-b", "h", "-t", "t", "-X", "security.protocol=ssl",
                          "-X", "ssl.endpoint.identification.algorithm=yes"], contains: "https or none")
        assertUsageError(["consume", "-b", "h", "-t", "t", "-X", "security.protocol=ssl", "-X", "ssl.key.location="],
                         contains: "needs a value")
        assertUsageError(["group", "-b", "h", "-z", "z", "-g", "g", "-t", "t", "-X", "linger.ms=5"], contains: "producers only")
    }

    func testAConfigFileIsReadLikeRepeatedX() throws {
        let path = NSTemporaryDirectory() + "kiel-\(UUID().uuidString).properties"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try """
            # a librdkafka client configuration
            bootstrap.servers=b1:9093,b2:9093
            security.protocol=ssl
              ssl.ca.location = /etc/kafka/ca.pem

            request.timeout.ms=4000
            """.write(toFile: path, atomically: true, encoding: .utf8)
        guard case .consume(let c) = try parse(["consume", "-t", "t", "-F", path, "-X", "request.timeout.ms=5000"]) else {
            return XCTFail()
        }
        XCTAssertEqual(c.brokers, ["b1:9093", "b2:9093"], "bootstrap.servers stands in for -b")
        var options = SingleConsumer<[UInt8]>.Options()
        c.properties.apply(to: &options)
        XCTAssertEqual(options.cluster.security.tls.caFile, "/etc/kafka/ca.pem")
        XCTAssertEqual(options.cluster.connection.requestTimeout, .milliseconds(5000), "-X after -F wins")
        guard case .group(let g) = try parse(["group", "-z", "z", "-g", "g", "-t", "t", "-F", path, "-b", "h"]) else {
            return XCTFail()
        }
        XCTAssertEqual(g.brokers, ["h"], "-b wins over the file")
        XCTAssertEqual(g.properties.brokers, ["b1:9093", "b2:9093"])

        try "linger.ms\n".write(toFile: path, atomically: true, encoding: .utf8)
        assertUsageError(["produce", "-t", "t", "-F", path], contains: ":1: expected name=value")
        assertUsageError(["produce", "-b", "h", "-t", "t", "-F", path + ".missing"], contains: "cannot read")
    }
}
