import Foundation
import XCTest
import KielTestSupport

/// `kiel produce` and `kiel consume` with their kcat-style flags, the real binary against the
/// real broker; headers written by `kiel produce -H` are read back by confluent-kafka.
extension CLIIntegrationTests {
    func testKcatHeadersPartitionFilesAndFormatRoundTrip() throws {
        let topic = TestServices.uniqueName("kcat")
        try TestServices.createTopic(name: topic, partitions: 3)
        let produced = try kiel(["produce", "-b", try broker(), "-t", topic, "-p", "2", "-K", ":",
                                     "-H", "trace=abc", "-H", "env=dev"], stdin: "k1:one\nk2:two\n")
        XCTAssertEqual(produced.status, 0, produced.stderr)
        XCTAssertFalse(produced.stderr.contains("\r"), "no progress line when standard error is a pipe")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(TestServices.uniqueName("whole"))
        try Data("line 1\nline 2\n".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let whole = try kiel(["produce", "-b", try broker(), "-t", topic, "-p", "2", file.path])
        XCTAssertEqual(whole.status, 0, whole.stderr)

        let read = try kiel(["consume", "-b", try broker(), "-t", topic, "-o", "beginning", "-e",
                                 "-f", "%p %o %k=%s|%h|%K %S\\n"])
        XCTAssertEqual(read.status, 0, read.stderr)
        XCTAssertEqual(read.stdout, "2 0 k1=one|trace=abc,env=dev|2 3\n2 1 k2=two|trace=abc,env=dev|2 3\n"
                                    + "2 2 =line 1\nline 2\n||-1 14\n")

        // -o -1: the last record of each partition; -c stops after that many.
        let last = try kiel(["consume", "-b", try broker(), "-t", topic, "-o", "-1", "-c", "1", "-f", "%o\\n"])
        XCTAssertEqual(last.status, 0, last.stderr)
        XCTAssertEqual(last.stdout, "2\n")

        let seen = try TestServices.runPython(code: """
            import sys, confluent_kafka
            c = confluent_kafka.Consumer({"bootstrap.servers": sys.argv[1], "group.id": sys.argv[2],
                                          "auto.offset.reset": "earliest", "enable.auto.commit": False})
            c.assign([confluent_kafka.TopicPartition(sys.argv[2], 2, 0)])
            m = c.poll(10)
            print(m.value().decode(), [(k, v.decode()) for k, v in m.headers()])
            c.close()
            """, args: [try broker(), topic])
        XCTAssertEqual(seen.trimmingCharacters(in: .whitespacesAndNewlines), "one [('trace', 'abc'), ('env', 'dev')]")
    }

    func testKcatSeveralTopicsAndStatistics() throws {
        let a = TestServices.uniqueName("kcat-a"), b = TestServices.uniqueName("kcat-b")
        try TestServices.createTopic(name: a, partitions: 1)
        try TestServices.createTopic(name: b, partitions: 1)
        let lines = (1...50).map { "m\($0)\n" }.joined()
        let produced = try kiel(["produce", "-b", try broker(), "-t", a, "--stats"], stdin: lines)
        XCTAssertEqual(produced.status, 0, produced.stderr)
        XCTAssertTrue(produced.stderr.contains("stats: producer: 50 produced, 0 queued"), produced.stderr)
        XCTAssertTrue(produced.stderr.contains("50 delivered, 0 failed"), produced.stderr)
        XCTAssertEqual(try kiel(["produce", "-b", try broker(), "-t", b], stdin: "x\ny\n").status, 0)

        let read = try kiel(["consume", "-b", try broker(), "-t", a, "-t", b, "-o", "beginning", "-e",
                                 "--stats", "-f", "%t %s\\n"])
        XCTAssertEqual(read.status, 0, read.stderr)
        XCTAssertEqual(read.stdout.split(separator: "\n").count, 52)
        XCTAssertTrue(read.stdout.contains("\(b) y\n"))
        XCTAssertTrue(read.stderr.contains("stats: consumer: 52 messages"), read.stderr)
        XCTAssertTrue(read.stderr.contains("lag 0"), read.stderr)
    }
}
