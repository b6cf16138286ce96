/// XXH64, the 64-bit xxHash, as used for the Zstandard content checksum (seed 0).
///
/// Pure function; callable from any thread.
enum ZstdXXH64 {
    static let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
    static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    static let prime3: UInt64 = 0x1656_67B1_9E37_79F9
    static let prime4: UInt64 = 0x85EB_CA77_C2B2_AE63
    static let prime5: UInt64 = 0x27D4_EB2F_1656_67C5

    @inline(__always)
    static func round(_ acc: UInt64, _ lane: UInt64) -> UInt64 {
        var acc = acc &+ lane &* prime2
        acc = (acc << 31) | (acc >> 33)
        return acc &* prime1
    }

    @inline(__always)
    static func merge(_ acc: UInt64, _ value: UInt64) -> UInt64 {
        let acc = acc ^ round(0, value)
        return acc &* prime1 &+ prime4
    }

    @inline(__always)
    static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 {
        (x << r) | (x >> (64 - r))
    }

    static func hash(_ bytes: [UInt8], seed: UInt64 = 0) -> UInt64 {
        bytes.withUnsafeBytes { hash(UnsafeRawBufferPointer($0), seed: seed) }
    }

    static func hash(_ buffer: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
        let count = buffer.count
        guard let base = buffer.baseAddress, count > 0 else {
            return avalanche(seed &+ prime5)
        }
        var p = 0
        var acc: UInt64
        if count >= 32 {
            var v1 = seed &+ prime1 &+ prime2
            var v2 = seed &+ prime2
            var v3 = seed
            var v4 = seed &- prime1
            // A pointer walk with unchecked arithmetic: `p + 32 <= count` with its overflow
            // check cost a quarter of the loop (the decoder hashes every byte it writes).
            var stripe = base
            let lastStripe = base + (count - 32)
            repeat {
                v1 = round(v1, UInt64(littleEndian: stripe.loadUnaligned(as: UInt64.self)))
                v2 = round(v2, UInt64(littleEndian: stripe.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
                v3 = round(v3, UInt64(littleEndian: stripe.loadUnaligned(fromByteOffset: 16, as: UInt64.self)))
                v4 = round(v4, UInt64(littleEndian: stripe.loadUnaligned(fromByteOffset: 24, as: UInt64.self)))
                stripe += 32
            } while stripe <= lastStripe
            p = stripe - base
            acc = rotl(v1, 1) &+ rotl(v2, 7) &+ rotl(v3, 12) &+ rotl(v4, 18)
            acc = merge(acc, v1)
            acc = merge(acc, v2)
            acc = merge(acc, v3)
            acc = merge(acc, v4)
        } else {
            acc = seed &+ prime5
        }
        acc = acc &+ UInt64(count)
        while p + 8 <= count {
            let lane = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: p, as: UInt64.self))
            acc ^= round(0, lane)
            acc = rotl(acc, 27) &* prime1 &+ prime4
            p += 8
        }
        if p + 4 <= count {
            let lane = UInt64(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: p, as: UInt32.self)))
            acc ^= lane &* prime1
            acc = rotl(acc, 23) &* prime2 &+ prime3
            p += 4
        }
        while p < count {
            acc ^= UInt64(base.load(fromByteOffset: p, as: UInt8.self)) &* prime5
            acc = rotl(acc, 11) &* prime1
            p += 1
        }
        return avalanche(acc)
    }

    @inline(__always)
    static func avalanche(_ value: UInt64) -> UInt64 {
        var h = value
        h ^= h >> 33
        h = h &* prime2
        h ^= h >> 29
        h = h &* prime3
        h ^= h >> 32
        return h
    }
}
