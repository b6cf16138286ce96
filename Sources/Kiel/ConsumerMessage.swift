import Foundation

/// One record handed to a consumer's user: the deserialized value with everything Kafka
/// stored next to it. A plain value.
public struct ConsumerMessage<Value> {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var key: [UInt8]?
    /// Milliseconds since the epoch (create time or log-append time, as the topic keeps it).
    public var timestamp: Int64
    public var headers: [RecordHeader]
    public var value: Value

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

    public var date: Date { Date(timeIntervalSince1970: Double(timestamp) / 1000) }
}

extension ConsumerMessage: Sendable where Value: Sendable {}
extension ConsumerMessage: Equatable where Value: Equatable {}
