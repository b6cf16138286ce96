import Foundation
import KielTestSupport
@testable import Kiel

/// A confluent-kafka consumer in a broker-coordinated group, as a child process running
/// Tests/Interop/group_member_confluent.py; its stdout is read back as it goes.
final class ConfluentMember {
    /// One line it printed: the event's word, its time (microseconds since the epoch) and
    /// the rest of the line.
    struct Event {
        var word: String
        var at: Int64?
        var partitions: Set<TopicPartition>
        var text: String
    }

    let label: String
    private let process: ChildProcess

    init(_ label: String, broker: String, group: String, topic: String, strategy: String) throws {
        self.label = label
        let script = "\(try TestServices.root())/Tests/Interop/group_member_confluent.py"
        let logs = try ChildProcess.scratchDirectory("confluent-\(label)")
        process = try ChildProcess(try TestServices.python(), [script, broker, group, topic, strategy], logs: logs)
    }

    var events: [Event] {
        process.stdout().split(separator: "\n").map { line in
            let words = line.split(separator: " ", maxSplits: 2).map(String.init)
            let word = words.first ?? ""
            let rest = words.count > 2 ? words[2] : ""
            var partitions: Set<TopicPartition> = []
            if word == "assigned" || word == "added" || word == "revoked", rest != "-" {
                partitions = Set(rest.split(separator: ",").compactMap { TopicPartition(shareEntry: String($0)) })
            }
            let at: Int64? = words.count > 1 && word != "msg" ? Int64(words[1]) : nil
            return Event(word: word, at: at, partitions: partitions, text: rest)
        }
    }

    /// The partitions it holds now: its last assignment, unless revoked since.
    var holding: Set<TopicPartition> {
        var held: Set<TopicPartition> = []
        for event in events {
            if event.word == "assigned" { held = event.partitions }
            if event.word == "added" { held.formUnion(event.partitions) }
            if event.word == "revoked" { held.subtract(event.partitions) }
        }
        return held
    }

    /// Every value it consumed, in order.
    var received: [String] {
        events.compactMap { event -> String? in
            guard event.word == "msg" else { return nil }
            let words = event.text.split(separator: " ", maxSplits: 1)
            return words.count == 2 ? String(words[1]) : nil
        }
    }

    /// Whether it printed `closed`.
    var closed: Bool { events.contains { $0.word == "closed" } }

    /// When it subscribed (microseconds since the epoch).
    var startedAt: Int64? { events.first { $0.word == "started" }?.at }

    /// When it was last assigned exactly `partitions` (microseconds since the epoch).
    func assignedAt(_ partitions: Set<TopicPartition>) -> Int64? {
        events.last { $0.word == "assigned" && $0.partitions == partitions }?.at
    }

    var stderr: String { process.stderr() }

    /// SIGTERM: it closes (commit, LeaveGroup) and exits; waits for that.
    func stop() { process.stop() }
}
