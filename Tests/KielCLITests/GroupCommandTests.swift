import XCTest
@testable import KielCLI
import Kiel

/// `kiel group`: its options and the lines it prints.
final class GroupCommandTests: XCTestCase {
    private func parse(_ line: String) throws -> Command {
        try CommandLineSyntax.parse(line.split(separator: " ").map(String.init))
    }

    func testOptions() throws {
        var expected = GroupOptions(brokers: ["h:1", "h:2"], zkHosts: ["z1:2181", "z2:2181/app"], group: "g", topics: ["t"])
        XCTAssertEqual(try parse("group -b h:1,h:2 -z z1:2181,z2:2181/app -g g -t t"), .group(expected))
        expected.json = true
        expected.count = 5
        expected.sessionTimeoutMs = 2000
        expected.maxWaitMs = 100
        expected.topics = ["t", "u"]
        XCTAssertEqual(try parse("group --brokers=h:1,h:2 --zookeeper z1:2181,z2:2181/app -gg -t t,u -J -c 5 --session-timeout 2000 --max-wait=100"),
                       .group(expected))
    }

    func testWithoutZooKeeperTheBrokerCoordinates() throws {
        var expected = GroupOptions(brokers: ["h:1"], zkHosts: [], group: "g", topics: ["t"])
        XCTAssertEqual(expected.assignors, ["range", "roundrobin"], "what librdkafka offers by default")
        XCTAssertEqual(try parse("group -b h:1 -g g -t t"), .group(expected))
        expected.assignors = ["roundrobin"]
        XCTAssertEqual(try parse("group -b h:1 -g g -t t -a roundrobin"), .group(expected))
        expected.assignors = ["roundrobin", "range"]
        XCTAssertEqual(try parse("group -b h:1 -g g -t t --assignor=roundrobin,range"), .group(expected))
    }

    func testMissingOrBadOptions() {
        for (line, text) in [("group -b h -g g -t t -a sticky", "unknown assignor sticky"),
                             ("group -b h -z z -g g -t t -a range", "--assignor is for broker-coordinated groups"),
                             ("group -b h -z z -t t", "--group"),
                             ("group -b h -z z -g g", "--topic"), ("group -z z -g g -t t", "--brokers"),
                             ("group -b h -z z -g g -t t --session-timeout 0", "--session-timeout"),
                             ("group -b h -g g -t t -c 0", "-c needs a positive count, not 0"),
                             ("group -b h -z z -g g -t t --count=x", "-c needs a positive count, not x"),
                             ("group -b h -z z -g g -t t extra", "extra")] {
            XCTAssertThrowsError(try parse(line), line) { XCTAssertTrue("\($0)".contains(text), "\(line): \($0)") }
        }
        guard case .help(let text) = try? parse("group --help") else { return XCTFail("--help") }
        XCTAssertTrue(text.contains("-z, --zookeeper"), text)
        XCTAssertTrue(text.contains("-a, --assignor"), text)
        XCTAssertTrue(text.contains("-c, --count N") && text.contains("leaves after N messages with exactly those committed"), text)
    }

    func testRebalanceLine() {
        let line = GroupOutput.rebalanceLine(member: "box:1", change: AllocationChange(gained: ["t": [10, 2]], lost: [:]),
                                             holding: ["t": [2, 10], "u": [0]])
        let words = line.split(separator: " ").map(String.init)
        XCTAssertEqual(words[0 ... 2], ["%", "rebalance", "member=box:1"])
        XCTAssertTrue(words[3].hasPrefix("at=") && Int64(words[3].dropFirst(3))! > 1_600_000_000_000_000)
        XCTAssertEqual(Array(words[4...]), ["gained=t:10,t:2", "lost=-", "holding=t:10,t:2,u:0\n"])
    }
}
