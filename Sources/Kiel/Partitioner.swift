/// Chooses the partition for a record from its key and the topic's partition ids (all of them,
/// sorted ascending, as metadata lists them). Called on the loop thread, once per record.
///
/// The closure may keep state (round-robin does), so a partitioner belongs to one producer.
public struct Partitioner {
    /// The rule: the record key (nil for none) and the sorted partition ids in, a partition id out.
    public let choose: (_ key: [UInt8]?, _ partitions: [Int32]) -> Int32

    /// A custom rule, kiel style: `(key, partitions) -> partition`. The result must be one of
    /// `partitions`; anything else fails that message with `.unknownPartition`.
    public init(_ choose: @escaping (_ key: [UInt8]?, _ partitions: [Int32]) -> Int32) {
        self.choose = choose
    }

    /// The default: keyed records go where the Java client and librdkafka's `murmur2_random`
    /// put them (`toPositive(murmur2(key)) % count`); unkeyed records go to a random partition,
    /// as kiel's default partitioner does.
    public static var `default`: Partitioner {
        Partitioner { key, partitions in
            if let key { return partitions[Murmur2.partition(forKey: key, count: partitions.count)] }
            return partitions.randomElement()!
        }
    }

    /// Java-compatible murmur2 for keyed records; unkeyed records fall back to random.
    public static var murmur2: Partitioner { .default }

    /// kiel's default: a random partition regardless of the key.
    public static var random: Partitioner { Partitioner { _, partitions in partitions.randomElement()! } }

    /// Each record to the next partition in turn, key ignored.
    public static var roundRobin: Partitioner {
        final class Counter { var next = 0 }
        let counter = Counter()
        return Partitioner { _, partitions in
            let chosen = partitions[counter.next % partitions.count]
            counter.next &+= 1
            return chosen
        }
    }
}
