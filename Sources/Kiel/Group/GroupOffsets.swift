/// A group's committed offsets, read and written by hand: `offsets` on `GroupedConsumer` and
/// `KafkaGroupConsumer`. The offset committed for a partition is the next one to read; Kafka's
/// other clients read the same offsets (and metadata) for the same group.
///
/// With `autocommit` on, the consumer's own commits of what it delivered go on as well and may
/// overwrite an offset committed here; turn it off to commit only by hand.
///
/// Loop-confined: call it on the loop thread; completions run there.
public final class GroupOffsets {
    let store: GroupOffsetStore

    init(store: GroupOffsetStore) { self.store = store }

    /// The group's committed offset for each of `partitions`; -1 where it has none.
    public func committed(_ partitions: [TopicPartition],
                          _ completion: @escaping (Result<[TopicPartition: Int64], KielError>) -> Void) {
        store.loop.assertInLoop()
        store.fetch(partitions, completion)
    }

    /// Commits `offsets` (the next offset to read, per partition) with `metadata` (kiel's
    /// "committed by <member>" when nil). A broker-coordinated member commits under its current
    /// generation, so a commit after its partitions moved is refused.
    public func commit(_ offsets: [TopicPartition: Int64], metadata: String? = nil,
                       _ completion: @escaping (Result<Void, KielError>) -> Void = { _ in }) {
        store.loop.assertInLoop()
        store.commit(offsets, metadata: metadata, completion)
    }
}
