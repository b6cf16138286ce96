/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of a Kafka
/// RecordBatch v2. Software slicing-by-8: eight 256-entry tables, built once on first use.
///
/// Pure function; any thread may call it.
public enum CRC32C {
    /// The CRC-32C of `bytes`.
    @inlinable
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { update(0, $0) }
    }

    /// The CRC-32C of a slice of bytes.
    @inlinable
    public static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.withUnsafeBytes { update(0, $0) }
    }

    /// Continues a checksum: `update(checksum(a), b) == checksum(a + b)`; start from 0.
    public static func update(_ crc: UInt32, _ buffer: UnsafeRawBufferPointer) -> UInt32 {
        crc32cTables.withUnsafeBufferPointer { t in
            var c = ~crc
            var p = 0
            let n = buffer.count
            guard let base = buffer.baseAddress else { return crc }
            // Byte at a time until 8-byte aligned, so the word loads below are aligned.
            while p < n && (Int(bitPattern: base + p) & 7) != 0 {
                c = t[Int((c ^ UInt32(base.load(fromByteOffset: p, as: UInt8.self))) & 0xFF)] ^ (c >> 8)
                p += 1
            }
            while p + 8 <= n {
                let word = UInt64(littleEndian: base.load(fromByteOffset: p, as: UInt64.self))
                let lo = c ^ UInt32(truncatingIfNeeded: word)
                let hi = UInt32(truncatingIfNeeded: word >> 32)
                c = t[7 * 256 + Int(lo & 0xFF)] ^ t[6 * 256 + Int((lo >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((lo >> 16) & 0xFF)] ^ t[4 * 256 + Int(lo >> 24)]
                    ^ t[3 * 256 + Int(hi & 0xFF)] ^ t[2 * 256 + Int((hi >> 8) & 0xFF)]
                    ^ t[1 * 256 + Int((hi >> 16) & 0xFF)] ^ t[Int(hi >> 24)]
                p += 8
            }
            while p < n {
                c = t[Int((c ^ UInt32(base.load(fromByteOffset: p, as: UInt8.self))) & 0xFF)] ^ (c >> 8)
                p += 1
            }
            return ~c
        }
    }
}

/// Table k maps a byte to its CRC contribution when followed by k more zero bytes.
let crc32cTables: [UInt32] = {
    var table = [UInt32](repeating: 0, count: 8 * 256)
    for i in 0..<256 {
        var c = UInt32(i)
        for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
        table[i] = c
    }
    for k in 1..<8 {
        for i in 0..<256 {
            let prev = table[(k - 1) * 256 + i]
            table[k * 256 + i] = (prev >> 8) ^ table[Int(prev & 0xFF)]
        }
    }
    return table
}()
