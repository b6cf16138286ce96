// The `topic:partition` strings a consumer group keeps in its shared set.

/// One partition of one topic, written `topic:partition` in the group's shared set.
///
/// kiel stores every partition a group divides among its members as such a string in the
/// JSON list at `/kiel/groups/<group>/partitions`; allocators receive them sorted. A plain
/// value: safe to use from any thread.
public struct PartitionKey: Hashable, Sendable, CustomStringConvertible {
    public var topic: String
    public var partition: Int

    public init(topic: String, partition: Int) {
        self.topic = topic
        self.partition = partition
    }

    /// Parses `topic:partition`; nil unless the text after the last colon is a non-negative
    /// decimal partition id and the topic before it is not empty.
    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        let topic = text[..<colon]
        let digits = text[text.index(after: colon)...]
        // Int("+1") and Int("-1") parse; a partition id is digits only.
        guard !topic.isEmpty, !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              let partition = Int(digits) else { return nil }
        self.topic = String(topic)
        self.partition = partition
    }

    /// `topic:partition`, as kiel writes it.
    public var description: String { "\(topic):\(partition)" }

    /// Every partition of every topic in `partitions` (topic → partition ids), as keys.
    public static func keys(_ partitions: [String: [Int]]) -> [PartitionKey] {
        partitions.flatMap { topic, ids in ids.map { PartitionKey(topic: topic, partition: $0) } }
    }
}

extension Sequence where Element == String {
    /// Sorted the way kiel's members sort (Python's `sorted()` on `str`: by code point), so a
    /// member written in Swift computes the same allocation as every other member. Note that
    /// this puts `t:10` before `t:2`.
    package func kielSorted() -> [String] {
        sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}
