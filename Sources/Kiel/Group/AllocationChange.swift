// What one member gains and loses when its group rebalances.

/// The partitions a member gained and lost between two allocations; what the
/// rebalance callback reports. A plain value: safe to use from any thread.
public struct AllocationChange: Equatable, Sendable, CustomStringConvertible {
    /// topic → partition ids newly assigned, sorted.
    public var gained: [String: [Int32]]
    /// topic → partition ids no longer assigned, sorted.
    public var lost: [String: [Int32]]

    /// A change from its parts (topic → partition ids).
    public init(gained: [String: [Int32]] = [:], lost: [String: [Int32]] = [:]) {
        self.gained = gained
        self.lost = lost
    }

    /// The change from `old` to `new` (each topic → partition ids; order and duplicates ignored).
    public init(from old: [String: [Int32]], to new: [String: [Int32]]) {
        self.gained = AllocationChange.subtract(new, old)
        self.lost = AllocationChange.subtract(old, new)
    }

    /// The change for every member that appears in either allocation, empty changes left out.
    public static func perMember(from old: PartitionAllocator.Allocation,
                                 to new: PartitionAllocator.Allocation) -> [String: AllocationChange] {
        var changes: [String: AllocationChange] = [:]
        for member in Set(old.keys).union(new.keys) {
            let change = AllocationChange(from: old[member] ?? [:], to: new[member] ?? [:])
            if !change.isEmpty { changes[member] = change }
        }
        return changes
    }

    /// Whether nothing was gained or lost.
    public var isEmpty: Bool { gained.isEmpty && lost.isEmpty }

    /// `+t:0,1 -u:3` (topics sorted), or `none`.
    public var description: String {
        func list(_ sign: String, _ parts: [String: [Int32]]) -> [String] {
            parts.keys.kielSorted().map { "\(sign)\($0):" + parts[$0, default: []].map(String.init).joined(separator: ",") }
        }
        let words = list("+", gained) + list("-", lost)
        return words.isEmpty ? "none" : words.joined(separator: " ")
    }

    private static func subtract(_ lhs: [String: [Int32]], _ rhs: [String: [Int32]]) -> [String: [Int32]] {
        var result: [String: [Int32]] = [:]
        for (topic, ids) in lhs {
            let remaining = Set(ids).subtracting(rhs[topic] ?? [])
            if !remaining.isEmpty { result[topic] = remaining.sorted() }
        }
        return result
    }
}
