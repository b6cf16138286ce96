import Foundation

/// One record handed to a consumer's user: the deserialized value with everything Kafka
/// stored next to it. A plain value.
public struct ConsumerMessage<Value> {
    /// The topic the record was read from.
    public var topic: String
    /// The partition the record was read from.
    public var partition: Int32
    /// The record's offset in its partition.
    public var offset: Int64
    /// The record key as stored; nil when the record had none.
    public var key: [UInt8]?
    /// Milliseconds since the epoch (create time or log-append time, as the topic keeps it).
    public var timestamp: Int64
    /// The record headers, in the order they were written.
    public var headers: [RecordHeader]
    /// The record value, deserialized.
    public var value: Value

    /// A message as the consumers build it (tests and adapters build their own).
    public init(topic: String, partition: Int32, offset: Int64, key: [UInt8]?, timestamp: Int64,
                headers: [RecordHeader], value: Value) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.timestamp = timestamp
        self.headers = headers
        self.value = value
    }

    /// `timestamp` as a `Date`.
    public var date: Date { Date(timeIntervalSince1970: Double(timestamp) / 1000) }
}

extension ConsumerMessage: Sendable where Value: Sendable {}
extension ConsumerMessage: Equatable where Value: Equatable {}
