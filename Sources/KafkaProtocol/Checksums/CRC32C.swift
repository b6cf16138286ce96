import CCRC32C

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of a Kafka
/// RecordBatch v2. With the CPU's CRC-32C instruction where it has one (SSE4.2 on x86-64, the
/// CRC extension on ARMv8, detected at run time); elsewhere in software, slicing-by-16 over
/// sixteen 256-entry tables built once on first use.
///
/// Pure function; any thread may call it.
public enum CRC32C {
    /// Whether `update` runs on the CPU's CRC-32C instruction (else the software tables).
    public static let usesHardware = kiel_crc32c_hardware_available() != 0

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
        usesHardware ? updateHardware(crc, buffer) : updateSoftware(crc, buffer)
    }

    /// `update` on the CPU's instruction; only where `usesHardware`.
    static func updateHardware(_ crc: UInt32, _ buffer: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = buffer.baseAddress else { return crc }
        return kiel_crc32c_hardware(crc, base, buffer.count)
    }

    /// `update` in software, on any CPU.
    static func updateSoftware(_ crc: UInt32, _ buffer: UnsafeRawBufferPointer) -> UInt32 {
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
            while p + 16 <= n {
                let w0 = UInt64(littleEndian: base.load(fromByteOffset: p, as: UInt64.self))
                let w1 = UInt64(littleEndian: base.load(fromByteOffset: p + 8, as: UInt64.self))
                let a = c ^ UInt32(truncatingIfNeeded: w0)
                let b = UInt32(truncatingIfNeeded: w0 >> 32)
                let d = UInt32(truncatingIfNeeded: w1)
                let e = UInt32(truncatingIfNeeded: w1 >> 32)
                c = t[15 * 256 + Int(a & 0xFF)] ^ t[14 * 256 + Int((a >> 8) & 0xFF)]
                    ^ t[13 * 256 + Int((a >> 16) & 0xFF)] ^ t[12 * 256 + Int(a >> 24)]
                    ^ t[11 * 256 + Int(b & 0xFF)] ^ t[10 * 256 + Int((b >> 8) & 0xFF)]
                    ^ t[9 * 256 + Int((b >> 16) & 0xFF)] ^ t[8 * 256 + Int(b >> 24)]
                    ^ t[7 * 256 + Int(d & 0xFF)] ^ t[6 * 256 + Int((d >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((d >> 16) & 0xFF)] ^ t[4 * 256 + Int(d >> 24)]
                    ^ t[3 * 256 + Int(e & 0xFF)] ^ t[2 * 256 + Int((e >> 8) & 0xFF)]
                    ^ t[1 * 256 + Int((e >> 16) & 0xFF)] ^ t[Int(e >> 24)]
                p += 16
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
    var table = [UInt32](repeating: 0, count: 16 * 256)
    for i in 0..<256 {
        var c = UInt32(i)
        for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
        table[i] = c
    }
    for k in 1..<16 {
        for i in 0..<256 {
            let prev = table[(k - 1) * 256 + i]
            table[k * 256 + i] = (prev >> 8) ^ table[Int(prev & 0xFF)]
        }
    }
    return table
}()
