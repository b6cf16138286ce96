/// The 32-bit MurmurHash2 variant Kafka's Java client uses to place keyed records
/// (seed 0x9747b28c, little-endian 4-byte blocks, the tail mixed in byte order). Together with
/// `toPositive` it reproduces the Java client's and librdkafka's `murmur2_random` placement.
public enum Murmur2 {
    /// The hash as Java's `Utils.murmur2` returns it (a signed 32-bit value).
    public static func hash(_ data: some Collection<UInt8>) -> Int32 {
        let m: UInt32 = 0x5bd1_e995
        let r: UInt32 = 24
        let bytes = Array(data)
        let length = bytes.count
        var h: UInt32 = 0x9747_b28c ^ UInt32(truncatingIfNeeded: length)
        let blocks = length / 4
        for i in 0..<blocks {
            let o = i * 4
            var k = UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16
                | UInt32(bytes[o + 3]) << 24
            k = k &* m
            k ^= k >> r
            k = k &* m
            h = h &* m
            h ^= k
        }
        let tail = blocks * 4
        switch length & 3 {
        case 3:
            h ^= UInt32(bytes[tail + 2]) << 16
            fallthrough
        case 2:
            h ^= UInt32(bytes[tail + 1]) << 8
            fallthrough
        case 1:
            h ^= UInt32(bytes[tail])
            h = h &* m
        default: break
        }
        h ^= h >> 13
        h = h &* m
        h ^= h >> 15
        return Int32(bitPattern: h)
    }

    /// Java's `Utils.toPositive`: clears the sign bit (not `abs`, which overflows).
    public static func toPositive(_ value: Int32) -> Int32 { value & 0x7fff_ffff }

    /// The partition index the Java client chooses for a key among `count` partitions.
    public static func partition(forKey key: some Collection<UInt8>, count: Int) -> Int {
        Int(toPositive(hash(key))) % count
    }
}
