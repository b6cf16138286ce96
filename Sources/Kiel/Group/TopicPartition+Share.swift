// The `topic:partition` strings a consumer group keeps in its shared set.

/// kiel stores every partition a group divides among its members as a `topic:partition`
/// string in the JSON list at `/kiel/groups/<group>/partitions`; allocators receive them
/// sorted, and a member's claim on a partition is a znode of that name.
extension TopicPartition {
    /// Parses `topic:partition`; nil unless the text after the last colon is a non-negative
    /// decimal partition id that fits an `Int32` and the topic before it is not empty.
    public init?(shareEntry text: String) {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        let topic = text[..<colon]
        let digits = text[text.index(after: colon)...]
        // Int32("+1") and Int32("-1") parse; a partition id is digits only.
        guard !topic.isEmpty, !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              let partition = Int32(digits) else { return nil }
        self.init(String(topic), partition)
    }

    /// `topic:partition`, as kiel writes it in the shared set.
    public var shareEntry: String { "\(topic):\(partition)" }

    /// Every partition of every topic in `partitions` (topic → partition ids).
    public static func all(_ partitions: [String: [Int32]]) -> [TopicPartition] {
        partitions.flatMap { topic, ids in ids.map { TopicPartition(topic, $0) } }
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
