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
///
/// Consumers hand it each value as a view into the fetch answer's bytes (`deserializeView`),
/// so a deserializer that reads the bytes where they lie (`init(view:)`) costs no copy; one
/// made from an array closure (`init(_:)`) gets a copy of the value first.
public struct Deserializer<Value> {
    /// The conversion from an array of its own; a thrown error skips that record and goes to
    /// `onError`.
    public let deserialize: ([UInt8]) throws -> Value
    /// The conversion from a view into the bytes the record came in (indices are theirs:
    /// count from `startIndex`); what consumers call.
    public let deserializeView: (ArraySlice<UInt8>) throws -> Value

    /// A deserializer from a closure that takes an array: consumers copy each value into one.
    public init(_ deserialize: @escaping ([UInt8]) throws -> Value) {
        self.deserialize = deserialize
        deserializeView = { try deserialize(Array($0)) }
    }

    /// A deserializer from a closure that reads the value where it lies, without a copy. A
    /// `Value` that keeps the view (or a slice of it) keeps the whole fetch answer's bytes
    /// alive with it.
    public init(view: @escaping (ArraySlice<UInt8>) throws -> Value) {
        deserializeView = view
        deserialize = { try view($0[...]) }
    }
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
        Deserializer(view: { bytes in
            if Value.self == JSON.self { return try JSON.parse(bytes) as! Value }
            return try JSONDecoder().decode(Value.self, from: Data(bytes))
        })
    }
}

extension Deserializer where Value == [UInt8] {
    /// The record's bytes, unchanged, in an array of their own.
    public static var bytes: Deserializer<[UInt8]> { Deserializer(view: { Array($0) }) }
}

extension Deserializer where Value == ArraySlice<UInt8> {
    /// The record's bytes, unchanged and not copied: a view into the fetch answer, which it
    /// keeps alive (up to a fetch's size) as long as it lives. Indices are the fetch answer's:
    /// count from `startIndex`.
    public static var view: Deserializer<ArraySlice<UInt8>> { Deserializer(view: { $0 }) }
}

extension Deserializer where Value == String {
    /// UTF-8 text; invalid UTF-8 is an error (so it is reported, not silently repaired).
    public static var string: Deserializer<String> {
        Deserializer(view: { bytes in
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw KielError.serialization("record value is not valid UTF-8", underlying: nil)
            }
            return text
        })
    }
}

extension Deserializer {
    /// Appends `records` of `partition` to `out` as messages, in order. A record whose value
    /// fails to deserialize goes to `failed` and is skipped (every consumer does the same).
    ///
    /// The consumers are generic classes, so this runs unspecialized for a user's `Value`
    /// (a metadata lookup and witness calls per message); for the built-in deserializers' types
    /// it checks the type once and runs a specialized copy instead.
    @_specialize(where Value == [UInt8])
    @_specialize(where Value == ArraySlice<UInt8>)
    @_specialize(where Value == String)
    @_specialize(where Value == JSON)
    func append(_ records: [Record], of partition: TopicPartition, to out: inout [ConsumerMessage<Value>],
                failed: ((KielError) -> Void)?) {
        out.reserveCapacity(out.count + records.count)
        for record in records {
            do {
                out.append(ConsumerMessage(topic: partition.topic, partition: partition.partition, offset: record.offset,
                                           key: record.key, timestamp: record.timestamp, headers: record.headers,
                                           value: try deserializeView(record.valueBytes ?? [])))
            } catch {
                failed?(.serialization("cannot deserialize \(partition)@\(record.offset)", underlying: error))
            }
        }
    }
}
