// The pluggable function that divides a group's partitions among its members.

/// Decides which member of a consumer group consumes which partitions.
///
/// Every member runs the same allocator on the same inputs — the member names and the
/// `topic:partition` strings, both sorted with `kielSorted()` — whenever either changes, and
/// takes the share the result gives its own name. Nothing is negotiated: the members agree
/// only because the function is **stable** (the same inputs always give the same result, on
/// every host). A custom allocator must keep that promise, and should give each partition to
/// exactly one member.
///
/// The result maps member → topic → partition ids. A member missing from the result gets
/// nothing. Allocators are plain values and may be called from any thread.
public struct PartitionAllocator: Sendable {
    /// member → topic → partition ids.
    public typealias Allocation = [String: [String: [Int32]]]
    /// The allocator itself: sorted member names and sorted `topic:partition` strings in, the allocation out.
    public typealias Function = @Sendable (_ sortedMembers: [String], _ sortedPartitions: [String]) -> Allocation

    /// A name for logs.
    public let name: String
    private let function: Function

    /// A custom allocator; it must be stable (see above).
    public init(name: String, _ function: @escaping Function) {
        self.name = name
        self.function = function
    }

    /// Runs the allocator. The inputs must already be sorted (`kielSorted()`).
    public func callAsFunction(sortedMembers: [String], sortedPartitions: [String]) -> Allocation {
        function(sortedMembers, sortedPartitions)
    }

    /// Sorts `members` and `partitions` and runs the allocator on them.
    public func allocate(members: some Sequence<String>, partitions: some Sequence<String>) -> Allocation {
        function(Array(Set(members)).kielSorted(), Array(Set(partitions)).kielSorted())
    }

    /// kiel's default (its `naive_allocator`): deal the partitions out like cards, the i-th
    /// partition string to the (i mod n)-th member. Counts differ by at most one between
    /// members; a topic's partitions may cluster on some members. Gives the same result as a
    /// kiel member in the same group. Strings that are not `topic:partition` are skipped.
    public static let roundRobin = PartitionAllocator(name: "round-robin") { members, partitions in
        var allocation = emptyAllocation(members)
        guard !members.isEmpty else { return allocation }
        var next = 0
        for text in partitions {
            guard let key = TopicPartition(shareEntry: text) else { continue }
            allocation[members[next % members.count], default: [:]][key.topic, default: []].append(key.partition)
            next += 1
        }
        return allocation
    }

    /// kiel's name for `roundRobin` (its `naive_allocator`).
    public static var naive: PartitionAllocator { roundRobin }

    /// Kafka's range scheme: each topic's partitions, in numeric order, are cut into contiguous
    /// runs, one per member, the first `count mod n` members taking one extra. Balanced within
    /// one per topic; across several topics the first members carry the extras of each.
    public static let range = PartitionAllocator(name: "range") { members, partitions in
        var allocation = emptyAllocation(members)
        guard !members.isEmpty else { return allocation }
        var byTopic: [String: [Int32]] = [:]
        for text in partitions {
            guard let key = TopicPartition(shareEntry: text) else { continue }
            byTopic[key.topic, default: []].append(key.partition)
        }
        for topic in byTopic.keys {
            let ids = Array(Set(byTopic[topic] ?? [])).sorted()
            let share = ids.count / members.count
            let extra = ids.count % members.count
            var start = 0
            for (index, member) in members.enumerated() {
                let count = share + (index < extra ? 1 : 0)
                if count > 0 {
                    allocation[member, default: [:]][topic] = Array(ids[start ..< start + count])
                }
                start += count
            }
        }
        return allocation
    }

    private static func emptyAllocation(_ members: [String]) -> Allocation {
        Dictionary(members.map { ($0, [:]) }, uniquingKeysWith: { first, _ in first })
    }
}
