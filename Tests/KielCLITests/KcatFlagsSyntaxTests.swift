import XCTest
import Kiel
@testable import KielCLI

/// The kcat-style flags of `kiel produce` and `kiel consume`, parsed and rendered without a
/// broker: headers, files, start positions, format strings, several topics, and help texts
/// that list every flag.
final class KcatFlagsSyntaxTests: XCTestCase {
    func parse(_ args: [String]) throws -> Command { try CommandLineSyntax.parse(args) }

    func testProduceHeadersFilesAndStats() throws {
        guard case .produce(let p) = try parse(["produce", "-b", "h", "-t", "t", "-H", "a=1", "-H", "b==2", "--stats",
                                                "one.bin", "two.bin"]) else { return XCTFail() }
        XCTAssertEqual(p.headers, [HeaderOption(name: "a", value: "1"), HeaderOption(name: "b", value: "=2")])
        XCTAssertEqual(p.files, ["one.bin", "two.bin"])
        XCTAssertFalse(p.linesFromFiles)
        XCTAssertTrue(p.stats)
        guard case .produce(let l) = try parse(["produce", "-b", "h", "-t", "t", "-l", "lines.txt",
                                                "-X", "statistics.interval.ms=250"]) else { return XCTFail() }
        XCTAssertTrue(l.linesFromFiles)
        XCTAssertTrue(l.stats, "statistics.interval.ms turns the reports on")
        XCTAssertThrowsError(try parse(["produce", "-b", "h", "-t", "t", "-H", "novalue"]))
        XCTAssertThrowsError(try parse(["produce", "-b", "h", "-t", "t", "-l"]), "-l needs its file")
        XCTAssertThrowsError(try parse(["produce", "-b", "h", "-t", "t", "-X", "statistics.interval.ms=soon"]))
    }

    func testConsumeStartsTopicsAndFormat() throws {
        guard case .consume(let c) = try parse(["consume", "-b", "h", "-t", "a", "-t", "b", "-o", "-5",
                                                "-f", "%t/%p@%o\\t%s\\n"]) else { return XCTFail() }
        XCTAssertEqual(c.topics, ["a", "b"])
        XCTAssertEqual(c.start, .fromEnd(5))
        XCTAssertEqual(c.format, "%t/%p@%o\t%s\n")
        XCTAssertEqual(try CommandLineSyntax.startOption("s@1700000000000"), .timestamp(1_700_000_000_000))
        XCTAssertThrowsError(try CommandLineSyntax.startOption("stored")) { error in
            XCTAssertTrue("\(error)".contains("kiel group"), "\(error)")
        }
        XCTAssertThrowsError(try CommandLineSyntax.startOption("-many"))
        XCTAssertThrowsError(try parse(["consume", "-b", "h", "-t", "a", "-J", "-f", "%s"]))
    }

    func testFormatFields() {
        let m = ConsumerMessage<[UInt8]>(topic: "t", partition: 2, offset: 41, key: Array("k".utf8), timestamp: 1700,
                                         headers: [RecordHeader(key: "a", value: Array("1".utf8)),
                                                   RecordHeader(key: "n", value: nil)],
                                         value: Array("value".utf8))
        var out: [UInt8] = []
        MessageFormat.render(MessageFormat.unescape("%t %p %o %k %s %K %S %h %T %% %x\\n"), m, into: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "t 2 41 k value 1 5 a=1,n 1700 % %x\n")
        var unkeyed: [UInt8] = []
        var noKey = m
        noKey.key = nil
        MessageFormat.render("[%k] %K", noKey, into: &unkeyed)
        XCTAssertEqual(String(decoding: unkeyed, as: UTF8.self), "[] -1")
        XCTAssertEqual(MessageFormat.unescape("a\\tb\\\\n\\q"), "a\tb\\n\\q")
    }

    func testHelpListsEveryFlag() throws {
        for (command, specs) in [("produce", CommandLineSyntax.produceSpecs), ("consume", CommandLineSyntax.consumeSpecs)] {
            guard case .help(let text) = try parse([command, "--help"]) else { return XCTFail(command) }
            for spec in specs {
                XCTAssertTrue(text.contains("--\(spec.long)"), "\(command) --help lacks --\(spec.long)")
                if let short = spec.short { XCTAssertTrue(text.contains("-\(short),"), "\(command) --help lacks -\(short)") }
            }
        }
    }
}
