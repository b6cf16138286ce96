import Foundation
import XCTest
import Kiel
@testable import KielCLI

/// Parsing of `kiel topic ...` and `kiel group list|describe|offsets|delete`, and that
/// `kiel group` without those words still joins a group.
final class AdminCommandLineTests: XCTestCase {
    func parse(_ line: String) throws -> Command {
        try CommandLineSyntax.parse(line.split(separator: " ").map(String.init))
    }

    func action(_ line: String) throws -> AdminAction? {
        guard case .admin(let o) = try parse(line) else { return nil }
        return o.action
    }

    func testTopicSubcommands() throws {
        XCTAssertEqual(try action("topic create orders -b h --partitions 3 -r 2 --config retention.ms=5 -c cleanup.policy=compact"),
                       .topicCreate(name: "orders", partitions: 3, replicationFactor: 2,
                                    configs: ["retention.ms": "5", "cleanup.policy": "compact"]))
        XCTAssertEqual(try action("topic create orders -b h -p 1"), .topicCreate(name: "orders", partitions: 1, replicationFactor: -1, configs: [:]))
        XCTAssertEqual(try action("topic delete a b -b h"), .topicDelete(["a", "b"]))
        XCTAssertEqual(try action("topic describe a -b h --all"), .topicDescribe(["a"], allConfigs: true))
        XCTAssertEqual(try action("topic list -b h -i"), .topicList(includeInternal: true))
        XCTAssertEqual(try action("topic alter-config a x=1 y= -d z -b h"), .topicAlterConfig(name: "a", set: ["x": "1", "y": ""], delete: ["z"]))
        XCTAssertEqual(try action("topic add-partitions a -p 6 -b h"), .topicAddPartitions(name: "a", total: 6))
        guard case .admin(let o) = try parse("topic list -b h -J") else { return XCTFail() }
        XCTAssertTrue(o.json)
    }

    func testGroupSubcommandsAndJoiningStayApart() throws {
        XCTAssertEqual(try action("group list -b h"), .groupList)
        XCTAssertEqual(try action("group describe g1 g2 -b h"), .groupDescribe(["g1", "g2"]))
        XCTAssertEqual(try action("group offsets g1 -b h"), .groupOffsets("g1"))
        XCTAssertEqual(try action("group delete g1 -b h"), .groupDelete(["g1"]))
        guard case .group(let join) = try parse("group -b h -g g -t t") else { return XCTFail("joining a group") }
        XCTAssertEqual(join.group, "g")
    }

    func testUsageErrors() {
        for (line, text) in [("topic create orders -b h", "--partitions"), ("topic create -b h -p 3", "missing topic name"),
                             ("topic create a b -b h -p 1", "unexpected argument b"), ("topic alter-config a -b h", "nothing to change"),
                             ("topic alter-config a novalue -b h", "KEY=VALUE"), ("topic frobnicate -b h", "unknown topic subcommand"),
                             ("group offsets -b h", "missing group"), ("topic delete a", "missing --brokers"), ("topic", "usage: kiel topic")] {
            XCTAssertThrowsError(try parse(line), line) { XCTAssertTrue("\($0)".contains(text), "\(line): \($0)") }
        }
    }

    func testHelpForEverySubcommandAndEveryCommandListed() throws {
        for sub in AdminCommandLine.topicSubcommands {
            guard case .help(let text) = try parse("topic \(sub) --help") else { return XCTFail(sub) }
            XCTAssertTrue(text.hasPrefix("usage: kiel topic \(sub)"), text)
            XCTAssertTrue(text.contains("Exit status"), text)
        }
        for sub in AdminCommandLine.groupSubcommands {
            guard case .help(let text) = try parse("group \(sub) -h") else { return XCTFail(sub) }
            XCTAssertTrue(text.hasPrefix("usage: kiel group \(sub)"), text)
        }
        guard case .help(let topic) = try parse("topic --help") else { return XCTFail() }
        XCTAssertTrue(AdminCommandLine.topicSubcommands.allSatisfy { topic.contains("  \($0)") }, topic)
        guard case .help(let all) = try parse("--help") else { return XCTFail() }
        for command in ["metadata", "produce", "consume", "group", "topic"] {
            XCTAssertTrue(all.contains("\n  \(command) "), "\(command) in\n\(all)")
        }
    }

    /// The bash completion script offers every command, subcommand and admin option.
    func testCompletionScriptKnowsEverySubcommandAndOption() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let script = try String(contentsOf: root.appendingPathComponent("scripts/kiel-completion.bash"), encoding: .utf8)
        let words = ["metadata", "produce", "consume", "group", "topic"] + AdminCommandLine.topicSubcommands + AdminCommandLine.groupSubcommands
            + (AdminCommandLine.createSpecs + AdminCommandLine.alterSpecs + AdminCommandLine.describeSpecs + AdminCommandLine.listSpecs).map { "--" + $0.long }
        for word in words { XCTAssertTrue(script.contains(word), word) }
    }
}
