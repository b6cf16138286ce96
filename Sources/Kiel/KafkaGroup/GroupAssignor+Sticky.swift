// The sticky assignment: balanced like round-robin, but every member keeps what it owns
// wherever the balance allows, so a rebalance moves as few partitions as it can.

extension GroupAssignor {
    /// Kafka's `cooperative-sticky` (KIP-429), which librdkafka and the Java client offer
    /// under the same name: the partitions are spread as evenly as the subscriptions allow
    /// (counts differ by at most one among members of the same topics), each member keeps
    /// the partitions it owned as far as that balance allows, and the rebalance is cooperative:
    /// members keep consuming what they keep, and a partition that moves is first given up by
    /// its old owner, then handed to the new one in the next rebalance.
    public static let cooperativeSticky = GroupAssignor(name: "cooperative-sticky", cooperative: true) { members, counts in
        var balancer = StickyBalancer(members: members, partitionCounts: counts)
        return balancer.assign()
    }
}

/// The sticky assignment's steps: keep what each member validly owns, hand the unowned
/// partitions to the least loaded members that can take them, then move partitions from the
/// most to the least loaded until no move narrows the gap.
struct StickyBalancer {
    let members: [GroupAssignor.Member]
    let partitionCounts: [String: Int]
    /// member index → its partitions, in the order they were given.
    var held: [[TopicPartition]]
    /// The partitions each member owned before this rebalance (moved last).
    let owned: [Set<TopicPartition>]
    let subscribed: [Set<String>]

    init(members: [GroupAssignor.Member], partitionCounts: [String: Int]) {
        self.members = members
        self.partitionCounts = partitionCounts
        held = Array(repeating: [], count: members.count)
        subscribed = members.map { Set($0.topics) }
        let owners = GroupAssignor.currentOwners(members, partitionCounts: partitionCounts)
        var owned = Array(repeating: Set<TopicPartition>(), count: members.count)
        let index = Dictionary(members.enumerated().map { ($1.memberId, $0) }, uniquingKeysWith: { first, _ in first })
        for (key, member) in owners { if let i = index[member] { owned[i].insert(key) } }
        self.owned = owned
    }

    mutating func assign() -> GroupAssignor.Assignment {
        for i in members.indices { held[i] = owned[i].sorted() }
        let taken = Set(owned.flatMap { $0 })
        for key in everyPartition() where !taken.contains(key) {
            guard let i = leastLoaded(taking: key.topic) else { continue }
            held[i].append(key)
        }
        balance()
        var result: GroupAssignor.Assignment = [:]
        for (i, member) in members.enumerated() {
            var topics: [String: [Int32]] = [:]
            for key in held[i] { topics[key.topic, default: []].append(key.partition) }
            result[member.memberId] = topics
        }
        return result
    }

    /// Every partition of a subscribed topic: topics byte-ordered, partitions in order.
    private func everyPartition() -> [TopicPartition] {
        partitionCounts.keys.kielSortedTopics().flatMap { topic in
            (0 ..< Int32(clamping: partitionCounts[topic] ?? 0)).map { TopicPartition(topic, $0) }
        }
    }

    /// The member subscribed to `topic` holding the fewest partitions (the first in member order of those).
    private func leastLoaded(taking topic: String) -> Int? {
        var best: Int?
        for i in members.indices where subscribed[i].contains(topic) {
            if best == nil || held[i].count < held[best!].count { best = i }
        }
        return best
    }

    /// Moves one partition at a time from a member holding at least two more than another
    /// that can take it, preferring partitions the giver did not own before, until none
    /// qualifies. Each move narrows a gap of two or more, so this ends.
    private mutating func balance() {
        var moves = 0
        let limit = held.reduce(0) { $0 + $1.count } * max(1, members.count)
        while moves <= limit, let (from, to, at) = nextMove() {
            let key = held[from].remove(at: at)
            held[to].append(key)
            moves += 1
        }
    }

    private func nextMove() -> (from: Int, to: Int, at: Int)? {
        let byLoad = members.indices.sorted { held[$0].count != held[$1].count ? held[$0].count > held[$1].count : $0 < $1 }
        for from in byLoad {
            for to in byLoad.reversed() where held[from].count - held[to].count > 1 {
                // Prefer what the giver was only just given, then its highest partition.
                let candidates = held[from].indices.filter { subscribed[to].contains(held[from][$0].topic) }
                guard !candidates.isEmpty else { continue }
                let fresh = candidates.filter { !owned[from].contains(held[from][$0]) }
                let pool = fresh.isEmpty ? candidates : fresh
                let at = pool.max { held[from][$0] < held[from][$1] }!
                return (from, to, at)
            }
        }
        return nil
    }
}
