/// A topic by name with its per-partition entries: the nesting Produce, ListOffsets,
/// OffsetCommit and OffsetFetch share (each message's `Topic` is this with its own
/// `Partition`). Value type; any thread.
public struct NamedTopic<Partition: WireStruct>: WireStruct {
    /// The topic's name.
    public var name = ""
    /// The per-partition entries.
    public var partitions: [Partition] = []
    /// Every field at its default; decoding starts from this.
    public init() {}
    /// The topic `name` with `partitions`.
    public init(name: String, partitions: [Partition]) {
        self.name = name
        self.partitions = partitions
    }
    /// Its fields in wire order at `v`, for `c` to write or read.
    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        c.string(&name)
        c.structs(&partitions, version: v)
        c.noTaggedFields()
    }
}
