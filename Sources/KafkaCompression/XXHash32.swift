/// xxHash32 (Yann Collet's 32-bit xxHash, from its published specification): the header,
/// block and content checksums of the LZ4 frame format.
///
/// Pure function; any thread may call it.
public enum XXHash32 {
    static let prime1: UInt32 = 2_654_435_761
    static let prime2: UInt32 = 2_246_822_519
    static let prime3: UInt32 = 3_266_489_917
    static let prime4: UInt32 = 668_265_263
    static let prime5: UInt32 = 374_761_393

    /// The xxHash32 of `bytes` with `seed`.
    public static func hash(_ bytes: [UInt8], seed: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { hash($0, seed: seed) }
    }

    /// The xxHash32 of a slice of bytes with `seed`.
    public static func hash(_ bytes: ArraySlice<UInt8>, seed: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { hash($0, seed: seed) }
    }

    @inline(__always)
    static func round(_ acc: UInt32, _ lane: UInt32) -> UInt32 {
        (acc &+ lane &* prime2).rotatedLeft(13) &* prime1
    }

    /// The xxHash32 of the bytes in `buffer` with `seed`.
    public static func hash(_ buffer: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
        let n = buffer.count
        var p = 0
        var h: UInt32
        @inline(__always) func lane(_ at: Int) -> UInt32 {
            UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: at, as: UInt32.self))
        }
        if n >= 16 {
            var v1 = seed &+ prime1 &+ prime2
            var v2 = seed &+ prime2
            var v3 = seed
            var v4 = seed &- prime1
            while p + 16 <= n {
                v1 = round(v1, lane(p))
                v2 = round(v2, lane(p + 4))
                v3 = round(v3, lane(p + 8))
                v4 = round(v4, lane(p + 12))
                p += 16
            }
            h = v1.rotatedLeft(1) &+ v2.rotatedLeft(7) &+ v3.rotatedLeft(12) &+ v4.rotatedLeft(18)
        } else {
            h = seed &+ prime5
        }
        h = h &+ UInt32(truncatingIfNeeded: n)
        while p + 4 <= n {
            h = (h &+ lane(p) &* prime3).rotatedLeft(17) &* prime4
            p += 4
        }
        while p < n {
            h = (h &+ UInt32(buffer[p]) &* prime5).rotatedLeft(11) &* prime1
            p += 1
        }
        h ^= h >> 15
        h = h &* prime2
        h ^= h >> 13
        h = h &* prime3
        h ^= h >> 16
        return h
    }
}

extension UInt32 {
    @inline(__always)
    func rotatedLeft(_ count: UInt32) -> UInt32 { (self << count) | (self >> (32 - count)) }
}
