/// A topic and one of its partitions: the unit records are batched, fetched and tracked by.
public struct TopicPartition: Hashable, Sendable, CustomStringConvertible, Comparable {
    /// The topic name.
    public var topic: String
    /// The partition id.
    public var partition: Int32
    /// A partition of a topic.
    public init(_ topic: String, _ partition: Int32) {
        self.topic = topic
        self.partition = partition
    }
    /// `topic/partition`.
    public var description: String { "\(topic)/\(partition)" }
    /// Ordered by topic, then partition.
    public static func < (a: TopicPartition, b: TopicPartition) -> Bool {
        (a.topic, a.partition) < (b.topic, b.partition)
    }
}

/// Where the broker stored a produced record: the delivery report's success value.
public struct RecordMetadata: Hashable, Sendable, CustomStringConvertible {
    /// The topic the record went to.
    public var topic: String
    /// The partition the record went to.
    public var partition: Int32
    /// The record's offset; -1 when the broker did not say (acks=0).
    public var offset: Int64
    /// The record's timestamp in milliseconds since the epoch (the broker's, for log-append time).
    public var timestamp: Int64
    /// Where a record landed.
    public init(topic: String, partition: Int32, offset: Int64, timestamp: Int64) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.timestamp = timestamp
    }
    /// `topic/partition@offset`.
    public var description: String { "\(topic)/\(partition)@\(offset)" }
}
