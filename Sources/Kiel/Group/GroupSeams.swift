// The two sides a group member talks to — ZooKeeper and Kafka — as the member sees them.
// The real implementations sit on the ZooKeeper client and the Kafka cluster; tests put
// scripted ones in their place to drive handovers, suspensions and expiries on demand.

/// What ZooKeeper tells a group member.
enum GroupCoordinationEvent: Equatable {
    /// Joined the party with a (possibly new) session; member and partition lists follow.
    case joined
    /// The connection came back and the session survived: ephemeral nodes are still ours.
    case reconnected
    /// The connection dropped; the session may still be alive on the servers.
    case suspended
    /// The session is gone, and with it our party node and partition claims.
    case expired
    /// The party's members (unsorted).
    case members([String])
    /// The shared set's contents (unsorted).
    case partitions([String])
    /// The claim on a partition that another member held is gone; it may be claimed now.
    case claimFreed(TopicPartition)
}

/// The answer to a claim on a partition.
enum ClaimOutcome: Equatable {
    /// We own the claim (we created it, or it was already ours in this session).
    case acquired
    /// Another member holds it; `claimFreed` follows once it lets go.
    case heldByOther(String)
}

/// The ZooKeeper side of a group member: the party, the shared set of partitions, and the
/// per-partition claims that keep two members from consuming one partition at once.
/// Loop thread only; every completion runs on the loop, once.
protocol GroupCoordination: AnyObject {
    var onEvent: ((GroupCoordinationEvent) -> Void)? { get set }
    /// The session timeout the servers granted, once known.
    var sessionTimeout: Duration? { get }
    /// Connects, creates the group's znodes, watches members and partitions, joins the party.
    func start(_ completion: @escaping (Result<Void, KielError>) -> Void)
    /// Adds `topic:partition` strings to the shared set (under its lock); a no-op when present.
    func addPartitions(_ partitions: Set<String>, _ completion: @escaping (Result<Void, KielError>) -> Void)
    /// Claims a partition for this member.
    func claim(_ key: TopicPartition, _ completion: @escaping (Result<ClaimOutcome, KielError>) -> Void)
    /// Gives a claim up (a no-op when it is not ours or gone).
    func release(_ key: TopicPartition, _ completion: @escaping (Result<Void, KielError>) -> Void)
    /// Leaves the party and closes the session (which drops every claim left).
    func stop(_ completion: @escaping () -> Void)
}

/// The Kafka side of a group member: metadata, the group's committed offsets, and fetching.
/// Loop thread only; every completion runs on the loop, once.
protocol GroupPartitionSource<Batch>: AnyObject {
    associatedtype Batch
    /// Records fetched from one partition, and the offset to fetch next.
    var onBatch: ((TopicPartition, Batch, _ nextOffset: Int64) -> Void)? { get set }
    /// Something went wrong that no caller is waiting for (a fetch failed for good, say).
    var onError: ((KielError) -> Void)? { get set }
    /// topic → partition count for the topics that exist.
    func partitionCounts(_ topics: [String], _ completion: @escaping (Result<[String: Int], KielError>) -> Void)
    /// Where to start each partition: the group's committed offset, or the reset position.
    func startOffsets(_ keys: [TopicPartition], _ completion: @escaping (Result<[TopicPartition: Int64], KielError>) -> Void)
    /// Commits offsets (the next offset to consume) for the group.
    func commit(_ offsets: [TopicPartition: Int64], _ completion: @escaping (Result<Void, KielError>) -> Void)
    func startFetching(_ key: TopicPartition, at offset: Int64)
    /// Stops at once: batches of this partition still in flight are not delivered.
    func stopFetching(_ key: TopicPartition)
    func close()
}
