/// A topic by name with its per-partition entries: the nesting Produce, ListOffsets,
/// OffsetCommit and OffsetFetch share (each message's `Topic` is this with its own
/// `Partition`). Value type; any thread.
public struct NamedTopic<Partition: WireStruct>: WireStruct {
    public var name = ""
    public var partitions: [Partition] = []
    public init() {}
    public init(name: String, partitions: [Partition]) {
        self.name = name
        self.partitions = partitions
    }
    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        c.string(&name)
        c.structs(&partitions, version: v)
        c.noTaggedFields()
    }
}
