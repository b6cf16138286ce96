import Foundation
import KafkaProtocol

/// Turns a producer's values into record bytes. Runs on the loop thread, inside `produce`;
/// a thrown error becomes `KielError.serialization` in that message's delivery report.
public struct Serializer<Value> {
    /// The conversion; a thrown error fails that `produce` call.
    public let serialize: (Value) throws -> [UInt8]
    /// A serializer from a closure.
    public init(_ serialize: @escaping (Value) throws -> [UInt8]) { self.serialize = serialize }
}

/// Turns record bytes back into a consumer's values. Runs on the loop thread; a thrown error is
/// reported and the record is skipped (the partition keeps moving).
public struct Deserializer<Value> {
    /// The conversion; a thrown error skips that record and goes to `onError`.
    public let deserialize: ([UInt8]) throws -> Value
    /// A deserializer from a closure.
    public init(_ deserialize: @escaping ([UInt8]) throws -> Value) { self.deserialize = deserialize }
}

extension Serializer where Value: Encodable {
    /// kiel's default: JSON with sorted keys, laid out byte for byte like Python's
    /// `json.dumps(value, sort_keys=True)`.
    public static var json: Serializer<Value> {
        Serializer { value in
            if let direct = value as? JSON { return direct.pythonSerialized() }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let compact = try encoder.encode(value)
            return try JSON.parse(compact).pythonSerialized()
        }
    }
}

extension Serializer where Value == [UInt8] {
    /// The value is the record's bytes, unchanged.
    public static var bytes: Serializer<[UInt8]> { Serializer { $0 } }
}

extension Serializer where Value == String {
    /// UTF-8 text.
    public static var string: Serializer<String> { Serializer { Array($0.utf8) } }
}

extension Deserializer where Value: Decodable {
    /// kiel's default: JSON.
    public static var json: Deserializer<Value> {
        Deserializer { bytes in
            if Value.self == JSON.self { return try JSON.parse(bytes) as! Value }
            return try JSONDecoder().decode(Value.self, from: Data(bytes))
        }
    }
}

extension Deserializer where Value == [UInt8] {
    /// The record's bytes, unchanged.
    public static var bytes: Deserializer<[UInt8]> { Deserializer { $0 } }
}

extension Deserializer where Value == String {
    /// UTF-8 text; invalid UTF-8 is an error (so it is reported, not silently repaired).
    public static var string: Deserializer<String> {
        Deserializer { bytes in
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw KielError.serialization("record value is not valid UTF-8", underlying: nil)
            }
            return text
        }
    }
}

extension Deserializer {
    /// Appends `records` of `partition` to `out` as messages, in order. A record whose value
    /// fails to deserialize goes to `failed` and is skipped (every consumer does the same).
    func append(_ records: [Record], of partition: TopicPartition, to out: inout [ConsumerMessage<Value>],
                failed: ((KielError) -> Void)?) {
        out.reserveCapacity(out.count + records.count)
        for record in records {
            do {
                out.append(ConsumerMessage(topic: partition.topic, partition: partition.partition, offset: record.offset,
                                           key: record.key, timestamp: record.timestamp, headers: record.headers,
                                           value: try deserialize(record.value ?? [])))
            } catch {
                failed?(.serialization("cannot deserialize \(partition)@\(record.offset)", underlying: error))
            }
        }
    }
}
