import XCTest
import Kiel
@testable import KielCLI

final class CommandLineSyntaxTests: XCTestCase {
    func parse(_ line: String) throws -> Command {
        try CommandLineSyntax.parse(line.split(separator: " ").map(String.init))
    }

    func assertUsageError(_ line: String, contains text: String, file: StaticString = #filePath, line l: UInt = #line) {
        XCTAssertThrowsError(try parse(line), file: file, line: l) { error in
            XCTAssertTrue("\(error)".contains(text), "\(error)", file: file, line: l)
        }
    }

    func testMetadata() throws {
        XCTAssertEqual(try parse("metadata -b a,b:9093"), .metadata(MetadataOptions(brokers: ["a", "b:9093"], topic: nil)))
        XCTAssertEqual(try parse("metadata --brokers=h -t x"), .metadata(MetadataOptions(brokers: ["h"], topic: "x")))
    }

    func testProduceOptionsInAllSpellings() throws {
        let expected = ProduceOptions(brokers: ["h:1"], topic: "t", codec: "zstd", keySeparator: ":", partition: 3)
        XCTAssertEqual(try parse("produce -b h:1 -t t -z zstd -K : -p 3"), .produce(expected))
        XCTAssertEqual(try parse("produce -bh:1 -tt -zzstd -K: -p3"), .produce(expected))
        XCTAssertEqual(try parse("produce --brokers h:1 --topic=t --compression zstd --key-delimiter=: --partition 3"),
                       .produce(expected))
        XCTAssertEqual(try parse("produce -b h -t t"), .produce(ProduceOptions(brokers: ["h"], topic: "t")))
    }

    func testConsumeStartPositionsAndFlags() throws {
        guard case .consume(let c) = try parse("consume -b h -t t -o beginning -c 10 -eJ") else { return XCTFail() }
        XCTAssertEqual(c.start, .beginning)
        XCTAssertEqual(c.count, 10)
        XCTAssertTrue(c.exitAtEnd)
        XCTAssertTrue(c.json)
        guard case .consume(let d) = try parse("consume -b h -t t") else { return XCTFail() }
        XCTAssertEqual(d.start, .end)
        XCTAssertFalse(d.exitAtEnd)
        XCTAssertEqual(try CommandLineSyntax.startOption("42"), .offset(42))
        XCTAssertEqual(try CommandLineSyntax.startOption("@1700000000000"), .timestamp(1_700_000_000_000))
        XCTAssertEqual(try CommandLineSyntax.startOption("end"), .end)
    }

    func testErrorsNameTheProblem() {
        assertUsageError("produce -t t", contains: "missing --brokers")
        assertUsageError("produce -b h", contains: "missing --topic")
        assertUsageError("produce -b h -t t -z brotli", contains: "unknown compression brotli")
        assertUsageError("consume -b h -t t -o yesterday", contains: "bad start yesterday")
        assertUsageError("consume -b h -t t -c 0", contains: "positive count")
        assertUsageError("consume -b h -t t -x", contains: "unknown option -x")
        assertUsageError("consume -b h -t t --frobnicate", contains: "unknown option --frobnicate")
        assertUsageError("consume -b h -t", contains: "-t needs a value")
        assertUsageError("consume -b h -t t -e=1", contains: "unknown option -=")
        assertUsageError("consume -b h -t t --exit=1", contains: "takes no value")
        assertUsageError("consume -b h -t t extra", contains: "unexpected argument extra")
        assertUsageError("frob", contains: "unknown command frob")
        XCTAssertThrowsError(try CommandLineSyntax.parse([]))
    }

    func testClientPropertiesUnderLibrdkafkaNames() throws {
        guard case .produce(let p) = try parse("produce -b h -t t -X linger.ms=20 -X acks=all -Xrequest.timeout.ms=1500") else {
            return XCTFail()
        }
        var po = Producer<[UInt8]>.Options()
        p.properties.apply(to: &po)
        XCTAssertEqual(po.linger, .milliseconds(20))
        XCTAssertEqual(po.requiredAcks, -1)
        XCTAssertEqual(po.cluster.connection.requestTimeout, .milliseconds(1500))
        guard case .consume(let c) = try parse("consume -b h -t t -X fetch.wait.max.ms=50 -X socket.timeout.ms=900") else {
            return XCTFail()
        }
        var co = SingleConsumer<[UInt8]>.Options()
        c.properties.apply(to: &co)
        XCTAssertEqual(co.maxWaitTime, .milliseconds(50))
        XCTAssertEqual(co.cluster.connection.requestTimeout, .milliseconds(900))
        guard case .consume(let rc) = try parse("consume -b h -t t -X isolation.level=read_committed") else { return XCTFail() }
        var rco = SingleConsumer<[UInt8]>.Options()
        rc.properties.apply(to: &rco)
        XCTAssertEqual(rco.isolationLevel, .readCommitted)
        assertUsageError("consume -b h -t t -X isolation.level=serializable", contains: "read_committed or read_uncommitted")
        assertUsageError("produce -b h -t t -X no.such.thing=1", contains: "unknown property no.such.thing")
        assertUsageError("produce -b h -t t -X linger.ms=soon", contains: "needs a number")
        assertUsageError("produce -b h -t t -X linger.ms", contains: "name=value")
        assertUsageError("produce -b h -t t -X enable.idempotence=yes", contains: "true or false")
        assertUsageError("consume -b h -t t -X linger.ms=5", contains: "producers only")
        assertUsageError("produce -b h -t t -X fetch.min.bytes=5", contains: "consumers only")
        assertUsageError("produce -b h -t t -X request.timeout.ms=0", contains: "above 0")
    }

    func testGroupTakesConsumerAndGroupProperties() throws {
        guard case .group(let g) = try parse("group -b h -z zk:2181 -g g -t t -X fetch.wait.max.ms=70 "
                                              + "-X session.timeout.ms=4000 -X enable.auto.commit=false") else {
            return XCTFail()
        }
        var go = GroupedConsumer<[UInt8]>.Options()
        g.properties.apply(to: &go)
        XCTAssertEqual(go.maxWaitTime, .milliseconds(70))
        XCTAssertEqual(go.sessionTimeout, .seconds(4))
        XCTAssertFalse(go.autocommit)
        assertUsageError("consume -b h -t t -X enable.auto.commit=false", contains: "grouped consumers only")
        assertUsageError("group -b h -z zk:2181 -g g -t t -X linger.ms=5", contains: "producers only")
    }

    func testHelpForEachCommand() throws {
        for command in ["metadata", "produce", "consume"] {
            guard case .help(let text) = try parse("\(command) --help") else { return XCTFail(command) }
            XCTAssertTrue(text.hasPrefix("usage: kiel \(command)"), text)
            XCTAssertTrue(text.contains("--brokers HOSTS"), text)
        }
        guard case .help(let consume) = try parse("consume -h") else { return XCTFail() }
        XCTAssertTrue(consume.contains("-J, --json"))
        guard case .help = try parse("--help") else { return XCTFail() }
    }

    func testKeySplitting() {
        func split(_ line: String, _ separator: String?) -> (String?, String) {
            let (key, value) = LineFormat.split(Array(line.utf8), separator: separator.map { Array($0.utf8) })
            return (key.map { String(decoding: $0, as: UTF8.self) }, String(decoding: value, as: UTF8.self))
        }
        XCTAssertTrue(split("k:v:w", ":") == ("k", "v:w"))
        XCTAssertTrue(split("no key", ":") == (nil, "no key"))
        XCTAssertTrue(split("a::b", "::") == ("a", "b"))
        XCTAssertTrue(split("x:y", nil) == (nil, "x:y"))
        XCTAssertTrue(split(":", ":") == ("", ""))
        // Bytes that are not UTF-8 come through unchanged on both sides of the separator.
        let binary: [UInt8] = [0xFF, 0xFE, 0x3A, 0x00, 0xC3]
        let parts = LineFormat.split(binary, separator: [0x3A])
        XCTAssertEqual(parts.key, [0xFF, 0xFE])
        XCTAssertEqual(parts.value, [0x00, 0xC3])
    }
}
