/// A JSON document as a value: what kiel's Python users pass around as dicts and lists.
/// `Producer<JSON>` and `SingleConsumer<JSON>` are the closest match to kiel's defaults.
/// A plain value: safe to pass between threads.
public enum JSON: Hashable, Sendable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number without fraction or exponent that fits 64 bits.
    case int(Int64)
    /// Any other number.
    case double(Double)
    /// A string.
    case string(String)
    /// An array, in order.
    case array([JSON])
    /// An object; member order is not kept (serialized with sorted keys).
    case object([String: JSON])

    /// Member lookup for objects; `nil` for anything else.
    public subscript(key: String) -> JSON? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The string, if this is a string.
    public var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    /// The integer, if this is an integer.
    public var intValue: Int64? { if case .int(let i) = self { return i }; return nil }
}

/// Values known only at run time: `["n": JSON(count), "name": JSON(name)]`.
extension JSON {
    /// A boolean.
    public init(_ value: Bool) { self = .bool(value) }
    /// An integer.
    public init(_ value: Int) { self = .int(Int64(value)) }
    /// An integer.
    public init(_ value: Int64) { self = .int(value) }
    /// An integer.
    public init(_ value: Int32) { self = .int(Int64(value)) }
    /// A number with a fraction.
    public init(_ value: Double) { self = .double(value) }
    /// A string.
    public init(_ value: String) { self = .string(value) }
    /// An array.
    public init(_ values: [JSON]) { self = .array(values) }
    /// An object.
    public init(_ members: [String: JSON]) { self = .object(members) }
    /// nil becomes `null`.
    public init<T>(_ value: T?) where T: JSONRepresentable { self = value.map(\.json) ?? .null }
}

/// A Swift value with an obvious JSON form (`JSON(optionalInt)` is `null` or a number).
public protocol JSONRepresentable { var json: JSON { get } }
extension Bool: JSONRepresentable { public var json: JSON { .bool(self) } }
extension Int: JSONRepresentable { public var json: JSON { .int(Int64(self)) } }
extension Int64: JSONRepresentable { public var json: JSON { .int(self) } }
extension Double: JSONRepresentable { public var json: JSON { .double(self) } }
extension String: JSONRepresentable { public var json: JSON { .string(self) } }

/// Prints as JSON text (sorted keys, as the `.json` serializer writes it), not as enum cases.
extension JSON: CustomStringConvertible {
    /// The JSON text, as kiel's Python serializer writes it.
    public var description: String { String(decoding: pythonSerialized(), as: UTF8.self) }
}

extension JSON: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral {
    /// `nil` is `null`.
    public init(nilLiteral: ()) { self = .null }
    /// `true` and `false`.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// An integer literal.
    public init(integerLiteral value: Int64) { self = .int(value) }
    /// A floating-point literal.
    public init(floatLiteral value: Double) { self = .double(value) }
    /// A string literal.
    public init(stringLiteral value: String) { self = .string(value) }
    /// An array literal.
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
    /// A dictionary literal; a repeated key keeps its last value.
    public init(dictionaryLiteral elements: (String, JSON)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

extension JSON: Codable {
    /// Decodes any JSON value (`JSON` is `Codable`).
    public init(from decoder: any Decoder) throws {
        if var array = try? decoder.unkeyedContainer() {
            var items: [JSON] = []
            while !array.isAtEnd { items.append(try array.decode(JSON.self)) }
            self = .array(items)
            return
        }
        if let object = try? decoder.container(keyedBy: AnyKey.self) {
            var members: [String: JSON] = [:]
            for key in object.allKeys { members[key.stringValue] = try object.decode(JSON.self, forKey: key) }
            self = .object(members)
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() { self = .null }
        else if let b = try? single.decode(Bool.self) { self = .bool(b) }
        else if let i = try? single.decode(Int64.self) { self = .int(i) }
        else if let d = try? single.decode(Double.self) { self = .double(d) }
        else { self = .string(try single.decode(String.self)) }
    }

    /// Encodes as the JSON value it is.
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null: var c = encoder.singleValueContainer(); try c.encodeNil()
        case .bool(let b): var c = encoder.singleValueContainer(); try c.encode(b)
        case .int(let i): var c = encoder.singleValueContainer(); try c.encode(i)
        case .double(let d): var c = encoder.singleValueContainer(); try c.encode(d)
        case .string(let s): var c = encoder.singleValueContainer(); try c.encode(s)
        case .array(let items):
            var c = encoder.unkeyedContainer()
            for item in items { try c.encode(item) }
        case .object(let members):
            var c = encoder.container(keyedBy: AnyKey.self)
            for (k, v) in members { try c.encode(v, forKey: AnyKey(stringValue: k)) }
        }
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { return nil }
    }
}
