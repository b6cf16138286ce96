import KielIO
@testable import Kiel

/// An in-process stand-in for ZooKeeper as a group sees it: one party, one shared set, and the
/// partition claims, shared by several members on one loop. Notifications go out through the
/// loop, as a real client's watches would. Lets tests suspend or expire a member on demand.
final class FakeZooKeeperGroup {
    let loop: IOLoop
    private(set) var members: [String] = []
    private(set) var partitions: Set<String> = []
    private(set) var claims: [TopicPartition: String] = [:]
    private var coordinations: [String: FakeCoordination] = [:]
    private var waiters: [TopicPartition: Set<String>] = [:]

    init(loop: IOLoop) { self.loop = loop }

    func coordination(for member: String) -> FakeCoordination {
        let coordination = FakeCoordination(group: self, member: member)
        coordinations[member] = coordination
        return coordination
    }

    func join(_ member: String) {
        if !members.contains(member) { members.append(member) }
        send(.joined, to: member)
        send(.partitions(Array(partitions)), to: member)
        broadcastMembers()
    }

    /// The member's session ends: its party node and claims vanish, as with a SIGKILL.
    func endSession(_ member: String, tellIt: Bool) {
        members.removeAll { $0 == member }
        for (key, owner) in claims where owner == member { free(key) }
        broadcastMembers()
        if tellIt { send(.expired, to: member) }
    }

    func suspend(_ member: String) {
        coordinations[member]?.suspended = true
        coordinations[member]?.onEvent?(.suspended)
    }

    func reconnect(_ member: String) {
        guard let coordination = coordinations[member] else { return }
        coordination.suspended = false
        coordination.onEvent?(.reconnected)
        send(.members(members), to: member)
        send(.partitions(Array(partitions)), to: member)
        for key in waiters.keys where claims[key] == nil && waiters[key]!.contains(member) {
            send(.claimFreed(key), to: member)
        }
    }

    func add(_ items: Set<String>) {
        guard !items.isSubset(of: partitions) else { return }
        partitions.formUnion(items)
        for member in members { send(.partitions(Array(partitions)), to: member) }
    }

    func claim(_ key: TopicPartition, by member: String) -> ClaimOutcome {
        if let owner = claims[key], owner != member {
            waiters[key, default: []].insert(member)
            return .heldByOther(owner)
        }
        claims[key] = member
        return .acquired
    }

    func release(_ key: TopicPartition, by member: String) {
        if claims[key] == member { free(key) }
    }

    func leave(_ member: String) {
        coordinations[member] = nil
        endSession(member, tellIt: false)
    }

    private func free(_ key: TopicPartition) {
        claims[key] = nil
        for waiter in waiters.removeValue(forKey: key) ?? [] { send(.claimFreed(key), to: waiter) }
    }

    private func broadcastMembers() {
        for member in members { send(.members(members.reversed()), to: member) }
    }

    private func send(_ event: GroupCoordinationEvent, to member: String) {
        loop.callSoon { [weak self] in
            guard let coordination = self?.coordinations[member], !coordination.suspended else { return }
            coordination.onEvent?(event)
        }
    }
}

final class FakeCoordination: GroupCoordination {
    unowned let group: FakeZooKeeperGroup
    let member: String
    var suspended = false
    var onEvent: ((GroupCoordinationEvent) -> Void)?
    var sessionTimeout: Duration? { nil }

    init(group: FakeZooKeeperGroup, member: String) {
        self.group = group
        self.member = member
    }

    func start(_ completion: @escaping (Result<Void, KielError>) -> Void) {
        group.join(member)
        group.loop.callSoon { completion(.success(())) }
    }

    func addPartitions(_ partitions: Set<String>, _ completion: @escaping (Result<Void, KielError>) -> Void) {
        group.add(partitions)
        group.loop.callSoon { completion(.success(())) }
    }

    func claim(_ key: TopicPartition, _ completion: @escaping (Result<ClaimOutcome, KielError>) -> Void) {
        let outcome = group.claim(key, by: member)
        group.loop.callSoon { completion(.success(outcome)) }
    }

    func release(_ key: TopicPartition, _ completion: @escaping (Result<Void, KielError>) -> Void) {
        group.release(key, by: member)
        group.loop.callSoon { completion(.success(())) }
    }

    func stop(_ completion: @escaping () -> Void) {
        group.leave(member)
        group.loop.callSoon(completion)
    }
}

/// An in-process stand-in for Kafka: partitions with a number of records each, the group's
/// committed offsets, and fetchers that deliver the records as batches of offsets.
final class FakeKafka {
    var logEnd: [TopicPartition: Int64] = [:]
    var committed: [TopicPartition: Int64] = [:]
    var commitCount = 0

    func topic(_ name: String, partitions: Int, records: Int64) {
        for id in 0 ..< partitions { logEnd[TopicPartition(name, Int32(id))] = records }
    }

    var partitionCounts: [String: Int] {
        var counts: [String: Int] = [:]
        for key in logEnd.keys { counts[key.topic] = max(counts[key.topic] ?? 0, Int(key.partition) + 1) }
        return counts
    }
}

final class FakeSource: GroupPartitionSource {
    typealias Batch = [Int64]
    let loop: IOLoop
    let kafka: FakeKafka
    var onBatch: ((TopicPartition, [Int64], Int64) -> Void)?
    var onError: ((KielError) -> Void)?
    private(set) var fetching: [TopicPartition: Int64] = [:]
    private var pumping = false
    var closed = false

    init(loop: IOLoop, kafka: FakeKafka) {
        self.loop = loop
        self.kafka = kafka
    }

    func partitionCounts(_ topics: [String], _ completion: @escaping (Result<[String: Int], KielError>) -> Void) {
        let counts = kafka.partitionCounts.filter { topics.contains($0.key) }
        loop.callSoon { completion(.success(counts)) }
    }

    func startOffsets(_ keys: [TopicPartition], _ completion: @escaping (Result<[TopicPartition: Int64], KielError>) -> Void) {
        let offsets = Dictionary(uniqueKeysWithValues: keys.map { ($0, self.kafka.committed[$0] ?? 0) })
        loop.callSoon { completion(.success(offsets)) }
    }

    func commit(_ offsets: [TopicPartition: Int64], _ completion: @escaping (Result<Void, KielError>) -> Void) {
        kafka.commitCount += 1
        loop.callSoon { [kafka] in
            kafka.committed.merge(offsets) { $1 }
            completion(.success(()))
        }
    }

    func startFetching(_ key: TopicPartition, at offset: Int64) {
        fetching[key] = offset
        pump()
    }

    func stopFetching(_ key: TopicPartition) { fetching[key] = nil }

    func close() { closed = true; fetching = [:] }

    /// Delivers up to three records per partition per loop turn while there is data.
    private func pump() {
        guard !pumping else { return }
        pumping = true
        loop.callSoon { [weak self] in
            guard let self else { return }
            self.pumping = false
            var more = false
            for (key, offset) in self.fetching.sorted(by: { $0.key.description < $1.key.description }) {
                let end = self.kafka.logEnd[key] ?? 0
                guard offset < end, self.fetching[key] == offset else { continue }
                let next = min(end, offset + 3)
                self.fetching[key] = next
                self.onBatch?(key, Array(offset ..< next), next)
                more = more || next < end
            }
            if more { self.pump() }
        }
    }

    /// New records arrived: resume delivering.
    func poke() { pump() }
}
