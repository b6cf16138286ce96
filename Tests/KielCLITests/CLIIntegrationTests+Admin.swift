import Foundation
import XCTest
import KielTestSupport

/// `kiel topic`, `kiel group list|describe|offsets|delete` and `kiel metadata` against Tansu,
/// with confluent-kafka's AdminClient checking that it sees the same.
extension CLIIntegrationTests {
    func json(_ text: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(text.utf8)) }

    func testTopicAndGroupAdministrationSeenAlikeByConfluentKafka() throws {
        let b = try broker()
        let topic = TestServices.uniqueName("cliadmin"), group = TestServices.uniqueName("cliadmin-g")
        let created = try kiel(["topic", "create", topic, "--partitions", "3", "--config", "retention.ms=123456", "-b", b])
        XCTAssertEqual(created.status, 0, created.stderr)
        XCTAssertEqual(created.stdout, "created topic \(topic)\n")
        let again = try kiel(["topic", "create", topic, "-p", "3", "-b", b])
        XCTAssertEqual(again.status, 1)
        XCTAssertTrue(again.stderr.contains("TOPIC_ALREADY_EXISTS"), again.stderr)
        let altered = try kiel(["topic", "alter-config", topic, "cleanup.policy=compact", "-b", b])
        XCTAssertEqual(altered.status, 0, altered.stderr)
        let grown = try kiel(["topic", "add-partitions", topic, "-p", "4", "-b", b])
        XCTAssertEqual(grown.status, 1)
        XCTAssertTrue(grown.stderr.contains("unsupported by this broker"), grown.stderr)
        let usage = try kiel(["topic", "create", topic, "-b", b])
        XCTAssertEqual(usage.status, 2)

        // confluent-kafka commits offsets for the group, then reports what it sees.
        let python = """
            import json, sys
            from confluent_kafka import Consumer, TopicPartition
            from confluent_kafka.admin import AdminClient, ConfigResource
            broker, topic, group, mode = sys.argv[1:5]
            if mode == "commit":
                c = Consumer({"bootstrap.servers": broker, "group.id": group, "enable.auto.commit": False})
                c.commit(offsets=[TopicPartition(topic, 0, 5), TopicPartition(topic, 2, 7)], asynchronous=False)
                c.close()
                sys.exit(0)
            a = AdminClient({"bootstrap.servers": broker})
            md = a.list_topics(timeout=10)
            out = {"partitions": len(md.topics[topic].partitions) if topic in md.topics else None}
            if mode == "check":
                res = a.describe_configs([ConfigResource("topic", topic)])
                cfg = list(res.values())[0].result(timeout=10)
                out["configs"] = {k: v.value for k, v in cfg.items()}
                c = Consumer({"bootstrap.servers": broker, "group.id": group, "enable.auto.commit": False})
                out["committed"] = {str(tp.partition): tp.offset for tp in c.committed([TopicPartition(topic, p) for p in range(3)], timeout=10)}
                c.close()
            print(json.dumps(out))
            """
        _ = try TestServices.runPython(code: python, args: [b, topic, group, "commit"])
        let seen = try json(try TestServices.runPython(code: python, args: [b, topic, group, "check"])) as? [String: Any]
        XCTAssertEqual(seen?["partitions"] as? Int, 3)
        let confluentConfigs = seen?["configs"] as? [String: String]
        XCTAssertEqual(confluentConfigs?["retention.ms"], "123456")
        XCTAssertEqual(confluentConfigs?["cleanup.policy"], "compact")
        XCTAssertEqual(seen?["committed"] as? [String: Int], ["0": 5, "1": -1001, "2": 7])

        // kiel sees the same.
        let list = try kiel(["topic", "list", "-J", "-b", b])
        let listed = try json(list.stdout) as? [[String: Any]]
        XCTAssertEqual(listed?.first { $0["name"] as? String == topic }?["partitions"] as? Int, 3)
        let described = try kiel(["topic", "describe", topic, "--all", "-J", "-b", b])
        XCTAssertEqual(described.status, 0, described.stderr)
        let description = (try json(described.stdout) as? [[String: Any]])?.first
        XCTAssertEqual((description?["partitions"] as? [Any])?.count, 3)
        XCTAssertEqual(description?["configs"] as? [String: String], confluentConfigs?.filter { $0.key == "retention.ms" || $0.key == "cleanup.policy" })
        let groups = try kiel(["group", "list", "-b", b])
        XCTAssertTrue(groups.stdout.contains(group), groups.stdout)
        let offsets = try kiel(["group", "offsets", group, "-J", "-b", b])
        XCTAssertEqual(offsets.status, 0, offsets.stderr)
        let rows = ((try json(offsets.stdout) as? [String: Any])?["offsets"] as? [[String: Any]]) ?? []
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: rows.map { ("\($0["partition"]!)", $0["offset"] as? Int) }), ["0": 5, "2": 7])
        let text = try kiel(["group", "offsets", group, "-b", b])
        XCTAssertTrue(text.stdout.contains("\(topic)          0          5           0           0\n"), text.stdout)
        let metadata = try kiel(["metadata", "-t", topic, "-b", b])
        XCTAssertTrue(metadata.stdout.contains("partition 2, leader 111, replicas: 111, isrs: 111"), metadata.stdout)

        // Delete the group and the topic; confluent-kafka no longer sees the topic.
        let groupDeleted = try kiel(["group", "delete", group, "-b", b])
        XCTAssertEqual(groupDeleted.status, 0, groupDeleted.stderr)
        let deleted = try kiel(["topic", "delete", topic, "-b", b])
        XCTAssertEqual(deleted.stdout, "deleted topic \(topic)\n", deleted.stderr)
        let gone = try json(try TestServices.runPython(code: python, args: [b, topic, group, "topics"])) as? [String: Any]
        XCTAssertTrue(gone?["partitions"] is NSNull, "\(String(describing: gone))")
    }
}
