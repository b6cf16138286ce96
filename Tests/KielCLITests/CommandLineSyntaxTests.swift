import XCTest
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
        assertUsageError("produce -b h -t t extra", contains: "unexpected argument extra")
        assertUsageError("frob", contains: "unknown command frob")
        XCTAssertThrowsError(try CommandLineSyntax.parse([]))
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
        XCTAssertTrue(LineFormat.split("k:v:w", separator: ":") == ("k", "v:w"))
        XCTAssertTrue(LineFormat.split("no key", separator: ":") == (nil, "no key"))
        XCTAssertTrue(LineFormat.split("a::b", separator: "::") == ("a", "b"))
        XCTAssertTrue(LineFormat.split("x:y", separator: nil) == (nil, "x:y"))
    }
}
