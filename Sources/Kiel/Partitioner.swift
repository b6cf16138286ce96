/// Chooses the partition for a record from its topic, its key and the topic's partition ids
/// (all of them, sorted ascending, as metadata lists them). Called on the loop thread, once per
/// record the caller did not place itself.
///
/// A rule may keep state (round-robin and sticky do), so a partitioner belongs to one producer.
/// It may also watch batches: when the partition it chose has no open batch able to take the
/// record — the batch filling there was sent, or is full — the producer calls `batchSealed`
/// and asks once more. The sticky rule moves to another partition then; the others ignore it.
public struct Partitioner {
    private let rule: (_ topic: String, _ key: [UInt8]?, _ partitions: [Int32]) -> Int32
    private let sealed: ((_ topic: String, _ partition: Int32) -> Void)?

    /// A custom rule, kiel style: `(key, partitions) -> partition`. The result must be one of
    /// `partitions`; anything else fails that message with `.unknownPartition`.
    public init(_ choose: @escaping (_ key: [UInt8]?, _ partitions: [Int32]) -> Int32) {
        self.rule = { _, key, partitions in choose(key, partitions) }
        self.sealed = nil
    }

    /// A custom rule that sees the topic and hears when the batch of a partition it chose can
    /// take no more records (see the type's description): how a sticky rule is built.
    public init(choose: @escaping (_ topic: String, _ key: [UInt8]?, _ partitions: [Int32]) -> Int32,
                batchSealed: @escaping (_ topic: String, _ partition: Int32) -> Void) {
        self.rule = choose
        self.sealed = batchSealed
    }

    /// The partition for a record of `topic` with `key` (nil for none) among `partitions`.
    public func partition(topic: String, key: [UInt8]?, partitions: [Int32]) -> Int32 {
        rule(topic, key, partitions)
    }

    /// Whether the rule listens to `batchSealed`: the producer only checks batches for those.
    var watchesBatches: Bool { sealed != nil }

    /// Tells the rule that `partition` of `topic` has no open batch that can take the record it
    /// was just chosen for (the last one was sent or is full).
    public func batchSealed(topic: String, partition: Int32) {
        sealed?(topic, partition)
    }

    /// The default, as in the Java client and librdkafka: keyed records go where they put
    /// them (`toPositive(murmur2(key)) % count`); unkeyed records stick to one partition until
    /// its batch is sent or full, then to another one picked at random (KIP-480), so batches
    /// fill up instead of spreading thin over every partition.
    public static var `default`: Partitioner { sticky(seed: nil) }

    /// Java-compatible murmur2 for keyed records; unkeyed records are sticky, as in `default`.
    public static var murmur2: Partitioner { .default }

    /// The sticky rule of `default`, its random choices drawn from a generator seeded with
    /// `seed` (for reproducible placement) or from the system's generator when nil.
    public static func sticky(seed: UInt64?) -> Partitioner {
        /// One topic's partition for unkeyed records, and whether its batch was sealed (then
        /// the next record picks another one).
        final class Stick {
            var partition: Int32 = -1
            var sealed = true
        }
        /// Every topic's stick, and the last one asked for: a producer usually sends to one
        /// topic (the same string each time), which then costs a comparison, not a hash.
        final class State {
            var random: FastRandom
            var sticks: [String: Stick] = [:]
            var lastTopic = ""
            var last = Stick()
            init(_ random: FastRandom) { self.random = random }

            func stick(_ topic: String) -> Stick {
                if topic == lastTopic { return last }
                let found = sticks[topic] ?? Stick()
                sticks[topic] = found
                (lastTopic, last) = (topic, found)
                return found
            }
        }
        let state = State(seed.map(FastRandom.init(seed:)) ?? FastRandom())
        return Partitioner(choose: { topic, key, partitions in
            if let key { return partitions[Murmur2.partition(forKey: key, count: partitions.count)] }
            let stick = state.stick(topic)
            if !stick.sealed, partitions.contains(stick.partition) { return stick.partition }
            // Move on to a random partition, never the one just sealed when there is another.
            var index = state.random.index(below: partitions.count)
            if partitions.count > 1, let left = partitions.firstIndex(of: stick.partition) {
                index = (left + 1 + state.random.index(below: partitions.count - 1)) % partitions.count
            }
            (stick.partition, stick.sealed) = (partitions[index], false)
            return stick.partition
        }, batchSealed: { topic, partition in
            let stick = state.stick(topic)
            if stick.partition == partition { stick.sealed = true }
        })
    }

    /// Java-compatible murmur2 for keyed records and a random partition for unkeyed ones, per
    /// record (the default before sticky partitioning).
    public static var murmur2Random: Partitioner {
        var random = FastRandom()
        return Partitioner { key, partitions in
            if let key { return partitions[Murmur2.partition(forKey: key, count: partitions.count)] }
            return partitions[random.index(below: partitions.count)]
        }
    }

    /// kiel's default: a random partition regardless of the key.
    public static var random: Partitioner {
        var random = FastRandom()
        return Partitioner { _, partitions in partitions[random.index(below: partitions.count)] }
    }

    /// Each record to the next partition in turn, key ignored.
    public static var roundRobin: Partitioner {
        var next = 0
        return Partitioner { _, partitions in
            let chosen = partitions[next % partitions.count]
            next &+= 1
            return chosen
        }
    }
}

extension Partitioner {
    /// The partition for a record of `size` estimated bytes, as the producer asks for it: a
    /// partitioner that watches batches hears when its choice has no batch open in
    /// `accumulator` that can take the record (sent, or full), and is asked once more — the
    /// sticky rule moves on then, as the Java client's `onNewBatch` lets it.
    func place<Token>(key: [UInt8]?, size: Int, topic: String, partitions: [Int32],
                      accumulator: borrowing RecordAccumulator<Token>) -> Int32 {
        let chosen = partition(topic: topic, key: key, partitions: partitions)
        guard watchesBatches, !accumulator.openBatchTakes(size, at: TopicPartition(topic, chosen)) else { return chosen }
        batchSealed(topic: topic, partition: chosen)
        return partition(topic: topic, key: key, partitions: partitions)
    }
}
