// Assignors of the broker-coordinated group: pure functions from the members' subscriptions
// and the topics' partition counts to each member's partitions.

/// Decides which member of a broker-coordinated consumer group (`KafkaGroupConsumer`)
/// consumes which partitions, as Kafka's client-side assignors do.
///
/// Assignors are negotiated by name. Each member offers its assignors in JoinGroup, most
/// preferred first; the coordinator picks one every member offers, and the group's leader
/// runs it for everyone and hands the result out through SyncGroup. So an assignor must mean
/// the same thing in every client that offers its name: `range` and `roundrobin` here follow
/// Kafka's definitions (the Java client's `RangeAssignor` and `RoundRobinAssignor`, which
/// librdkafka and kafka-python follow too), so Kiel members share groups with them.
///
/// A custom assignor is a name and a function. Only the leader runs it, once per rebalance;
/// the other members only need to offer the same name. Assignors are plain values and may be
/// called from any thread.
public struct GroupAssignor: Sendable {
    /// One member as the leader sees it: its id and what its subscription says.
    public struct Member: Equatable, Sendable {
        /// The id the coordinator gave the member.
        public var memberId: String
        /// A static member's instance id (KIP-345); nil for a dynamic member.
        public var groupInstanceId: String?
        /// The topics it consumes.
        public var topics: [String]
        /// Its assignor's own bytes, if any.
        public var userData: [UInt8]?
        /// topic → partition ids it held when it joined (subscription v1+).
        public var ownedPartitions: [String: [Int32]]
        /// The generation its `ownedPartitions` are from; -1 if unknown. Where two members
        /// claim one partition, the later generation's claim stands.
        public var generation: Int32

        /// A member from its parts.
        public init(memberId: String, groupInstanceId: String? = nil, topics: [String], userData: [UInt8]? = nil,
                    ownedPartitions: [String: [Int32]] = [:], generation: Int32 = -1) {
            self.memberId = memberId
            self.groupInstanceId = groupInstanceId
            self.topics = topics
            self.userData = userData
            self.ownedPartitions = ownedPartitions
            self.generation = generation
        }
    }

    /// member id → topic → partition ids.
    public typealias Assignment = [String: [String: [Int32]]]
    /// The assignor itself: the members in Kafka's order (see `sorted(_:)`) and each
    /// subscribed topic's partition count in, the assignment out.
    public typealias Function = @Sendable (_ sortedMembers: [Member], _ partitionCounts: [String: Int]) -> Assignment

    /// The protocol name it is offered and negotiated under.
    public let name: String
    /// Whether it rebalances cooperatively (KIP-429): members keep their partitions through a
    /// rebalance and give up only those that move. A member uses the cooperative protocol when
    /// every assignor it offers is cooperative, and the eager one otherwise.
    public let cooperative: Bool
    private let function: Function

    /// A custom assignor offered as `name`. Every member of a group that offers the name must
    /// mean the same assignor by it; give each partition to one member only.
    ///
    /// A `cooperative` assignor sees each member's `ownedPartitions` and should leave most of
    /// them where they are; `assign` then holds back every partition it moves from one member
    /// to another, so the old owner gives it up first and the next rebalance hands it over.
    public init(name: String, cooperative: Bool = false, _ function: @escaping Function) {
        self.name = name
        self.cooperative = cooperative
        self.function = function
    }

    /// Runs the assignor: members sorted, topics nobody subscribes to or without a partition
    /// count left out. Every member appears in the result (with nothing, if nothing is its
    /// share), partition ids sorted, topics a member doesn't subscribe to dropped.
    public func assign(members: [Member], partitionCounts: [String: Int]) -> Assignment {
        let sortedMembers = Self.sorted(members)
        let wanted = Set(members.flatMap(\.topics))
        let counts = partitionCounts.filter { wanted.contains($0.key) && $0.value > 0 }
        let raw = function(sortedMembers, counts)
        // Cooperative: a partition still owned by another member waits until that one gave it up.
        let owners = cooperative ? Self.currentOwners(sortedMembers, partitionCounts: counts) : [:]
        var result: Assignment = [:]
        for member in sortedMembers {
            let topics = Set(member.topics)
            var mine: [String: [Int32]] = [:]
            for (topic, ids) in raw[member.memberId] ?? [:] where topics.contains(topic) && !ids.isEmpty {
                let kept = Set(ids).filter { owners[TopicPartition(topic, $0)].map { $0 == member.memberId } ?? true }
                if !kept.isEmpty { mine[topic] = kept.sorted() }
            }
            result[member.memberId] = mine
        }
        return result
    }

    /// Who owns each partition now, from the members' `ownedPartitions`: only partitions that
    /// exist, of topics the member still subscribes to; of two claims, the later generation's
    /// (then the first member's, in member order).
    static func currentOwners(_ sortedMembers: [Member], partitionCounts: [String: Int]) -> [TopicPartition: String] {
        var owners: [TopicPartition: (member: String, generation: Int32)] = [:]
        for member in sortedMembers {
            let topics = Set(member.topics)
            for (topic, ids) in member.ownedPartitions where topics.contains(topic) {
                let count = partitionCounts[topic] ?? 0
                for id in ids where id >= 0 && Int(id) < count {
                    let key = TopicPartition(topic, id)
                    if let other = owners[key], other.generation >= member.generation { continue }
                    owners[key] = (member.memberId, member.generation)
                }
            }
        }
        return owners.mapValues(\.member)
    }

    /// Kafka's member order: static members (by instance id) before dynamic ones (by member
    /// id), strings compared byte by byte.
    public static func sorted(_ members: [Member]) -> [Member] {
        func less(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }
        return members.sorted { a, b in
            switch (a.groupInstanceId, b.groupInstanceId) {
            case let (x?, y?): return x == y ? less(a.memberId, b.memberId) : less(x, y)
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): return less(a.memberId, b.memberId)
            }
        }
    }

    /// The assignor offered under `name`, among the built-in ones (`range`, `roundrobin`,
    /// `cooperative-sticky`).
    public static func named(_ name: String) -> GroupAssignor? {
        [range, roundRobin, cooperativeSticky].first { $0.name == name }
    }

    /// Kafka's `range`: topic by topic, the members subscribed to it (in member order) each
    /// take a contiguous run of its partitions, the first `count mod members` one more.
    /// With members C0, C1 and topics t0, t1 of three partitions each: C0 gets t0p0, t0p1,
    /// t1p0, t1p1 and C1 gets t0p2, t1p2.
    public static let range = GroupAssignor(name: "range") { members, counts in
        var assignment: Assignment = [:]
        for (topic, count) in counts {
            let consumers = members.filter { $0.topics.contains(topic) }
            guard !consumers.isEmpty else { continue }
            let share = count / consumers.count
            let extra = count % consumers.count
            for (i, member) in consumers.enumerated() {
                let start = share * i + min(i, extra)
                let length = share + (i < extra ? 1 : 0)
                guard length > 0 else { continue }
                assignment[member.memberId, default: [:]][topic] = (start ..< start + length).map { Int32($0) }
            }
        }
        return assignment
    }

    /// Kafka's `roundrobin`: every partition of every subscribed topic (topics sorted,
    /// partitions in order) goes to the next member in a circle (in member order), skipping
    /// members not subscribed to its topic. With members C0, C1 and topics t0, t1 of three
    /// partitions each: C0 gets t0p0, t0p2, t1p1 and C1 gets t0p1, t1p0, t1p2.
    public static let roundRobin = GroupAssignor(name: "roundrobin") { members, counts in
        var assignment: Assignment = [:]
        guard !members.isEmpty else { return assignment }
        var next = 0
        for topic in counts.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            guard members.contains(where: { $0.topics.contains(topic) }) else { continue }
            for partition in 0 ..< Int32(clamping: counts[topic]!) {
                while !members[next % members.count].topics.contains(topic) { next += 1 }
                assignment[members[next % members.count].memberId, default: [:]][topic, default: []].append(partition)
                next += 1
            }
        }
        return assignment
    }
}
