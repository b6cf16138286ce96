/// What both kinds of grouped consumer offer — `GroupedConsumer` (coordinated through
/// ZooKeeper) and `KafkaGroupConsumer` (coordinated by the broker) — so code that consumes
/// as a group member can be written once for either.
///
/// Loop-confined, like the consumers.
public protocol ConsumerGroupMember<Value>: AnyObject {
    /// What the deserializer makes of each record value.
    associatedtype Value
    /// This member's name in its group: its party name, or the member id the coordinator gave.
    var memberName: String { get }
    /// Batches of this member's share, in offset order within each partition.
    var onMessages: (([ConsumerMessage<Value>]) -> Void)? { get set }
    /// What this member gained and lost, once per rebalance.
    var onRebalance: ((AllocationChange) -> Void)? { get set }
    /// Errors no completion is waiting for.
    var onError: ((KielError) -> Void)? { get set }
    /// The partitions this member consumes now: topic → sorted partition ids.
    var allocation: [String: [Int32]] { get }
    /// Pause, resume, seek and lag for this member's partitions.
    var fetching: FetchControl { get }
    /// The group's committed offsets, read and committed by hand.
    var offsets: GroupOffsets { get }
    /// Consumes `topic` too, before or after `connect`.
    func subscribe(_ topic: String)
    /// Loads metadata and joins the group; `completion` runs once this member is in it.
    func connect(_ completion: @escaping (Result<Void, KielError>) -> Void)
    /// Commits the offsets of everything delivered so far.
    func commitOffsets(_ completion: ((Result<Void, KielError>) -> Void)?)
    /// Commits, leaves the group and closes; `completion` runs once that is done.
    func close(_ completion: @escaping () -> Void)
}

extension GroupedConsumer: ConsumerGroupMember {}

extension KafkaGroupConsumer: ConsumerGroupMember {
    /// The member id the coordinator gave ("" before the first join).
    public var memberName: String { memberId }
}
