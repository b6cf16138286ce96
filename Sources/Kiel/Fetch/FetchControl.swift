/// Per-partition control over what a consumer fetches: pause and resume, seek, and where each
/// partition stands (position, high watermark, lag). Every consumer has one as `fetching`;
/// the partitions are the consumer's own (a grouped consumer's current share).
///
/// Loop-confined: call it on the loop thread, from any callback (`onMessages` included).
public final class FetchControl {
    let engine: FetchEngine

    init(engine: FetchEngine) { self.engine = engine }

    /// Stops fetching `partitions` until `resume`; their positions are kept. A fetch already on
    /// the wire for one of them is dropped when it comes back (and asked again after `resume`),
    /// so nothing of a paused partition is delivered after this returns. A partition whose
    /// fetching has not started yet (one `onRebalance` just reported as gained) is paused as
    /// soon as it starts.
    public func pause(_ partitions: some Sequence<TopicPartition>) {
        engine.loop.assertInLoop()
        for tp in partitions { engine.pause(tp) }
    }

    /// Fetches `partitions` again from where they were paused.
    public func resume(_ partitions: some Sequence<TopicPartition>) {
        engine.loop.assertInLoop()
        for tp in partitions { engine.resume(tp) }
    }

    /// The partitions paused now (and those paused before their fetching started).
    public var paused: Set<TopicPartition> {
        Set(engine.assignments.filter { $0.value.paused }.map(\.key)).union(engine.pausedAhead)
    }

    /// Moves `partition` to an offset, a time (ListOffsets by timestamp), the beginning or the
    /// end; the next fetch starts there. Records fetched before the seek are not delivered.
    public func seek(_ partition: TopicPartition, to start: StartPosition) {
        engine.loop.assertInLoop()
        engine.seek(partition, to: start)
    }

    /// The next offset to deliver of `partition`; nil while its start is being looked up or
    /// the partition is not the consumer's.
    public func position(_ partition: TopicPartition) -> Int64? { engine.position(partition) }

    /// The high watermark `partition` reported in its last fetch answer.
    public func highWatermark(_ partition: TopicPartition) -> Int64? { engine.highWatermark(partition) }

    /// How many records `partition` has that were not delivered yet: its high watermark minus
    /// its position, as of the last fetch answer; nil until both are known.
    public func lag(_ partition: TopicPartition) -> Int64? {
        guard let end = highWatermark(partition), let position = position(partition) else { return nil }
        return max(0, end - position)
    }

    /// The consumer's partitions now, sorted.
    public var partitions: [TopicPartition] { engine.assignments.keys.sorted() }
}
