// ZooKeeper: the ZooKeeper wire protocol (jute), a session client on KielIO's IOLoop, and the
// Party, Lock and SharedSet recipes.
//
// Layers, bottom up: `Jute*` (primitive reader/writer), `Protocol/` (one small type per
// request/response, pure, no I/O), `Client/` (the connection state machine and the public
// `ZooKeeperClient`), `Recipes/` (built only on the public client API).

/// Appends jute primitives (big-endian ints, length-prefixed buffers and strings, vectors).
///
/// A plain value type with no I/O; any thread.
public struct JuteWriter: Sendable {
    /// Everything written so far.
    public private(set) var bytes: [UInt8]

    /// An empty writer with room for `capacity` bytes.
    public init(capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// A big-endian `int`.
    public mutating func writeInt32(_ value: Int32) {
        let v = UInt32(bitPattern: value)
        bytes.append(UInt8(truncatingIfNeeded: v >> 24))
        bytes.append(UInt8(truncatingIfNeeded: v >> 16))
        bytes.append(UInt8(truncatingIfNeeded: v >> 8))
        bytes.append(UInt8(truncatingIfNeeded: v))
    }

    /// A big-endian `long`.
    public mutating func writeInt64(_ value: Int64) {
        let v = UInt64(bitPattern: value)
        for shift in stride(from: 56, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: v >> UInt64(shift)))
        }
    }

    /// A `boolean`: one byte, 1 or 0.
    public mutating func writeBool(_ value: Bool) {
        bytes.append(value ? 1 : 0)
    }

    /// A jute `buffer`: length then bytes; nil is written as length -1.
    public mutating func writeBuffer(_ value: [UInt8]?) {
        guard let value else { writeInt32(-1); return }
        writeInt32(Int32(value.count))
        bytes.append(contentsOf: value)
    }

    /// A jute `ustring`: UTF-8 length then bytes; nil is written as length -1.
    public mutating func writeString(_ value: String?) {
        guard let value else { writeInt32(-1); return }
        writeBuffer(Array(value.utf8))
    }

    /// A jute `vector<ustring>`: count then each string; nil is written as count -1.
    public mutating func writeStringVector(_ values: [String]?) {
        guard let values else { writeInt32(-1); return }
        writeInt32(Int32(values.count))
        for value in values { writeString(value) }
    }

    /// Bytes as given, with no length (an already encoded body).
    public mutating func writeRaw(_ raw: [UInt8]) {
        bytes.append(contentsOf: raw)
    }
}
