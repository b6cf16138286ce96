import CZlib

/// CRC-32 (IEEE 802.3), the checksum of legacy MessageSet v0/v1 messages, computed by the
/// system zlib's `crc32`.
///
/// Pure function; any thread may call it.
public enum CRC32 {
    /// The CRC-32 of `bytes`.
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { update(0, $0) }
    }

    /// The CRC-32 of a slice of bytes.
    public static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.withUnsafeBytes { update(0, $0) }
    }

    /// Continues a checksum: `update(checksum(a), b) == checksum(a + b)`; start from 0.
    public static func update(_ crc: UInt32, _ buffer: UnsafeRawBufferPointer) -> UInt32 {
        guard var p = buffer.baseAddress?.assumingMemoryBound(to: Bytef.self) else { return crc }
        var c = UInt(crc)
        var left = buffer.count
        // zlib takes a 32-bit length; feed huge buffers in pieces.
        while left > 0 {
            let n = min(left, Int(UInt32.max >> 1))
            c = crc32(c, p, uInt(n))
            p += n
            left -= n
        }
        return UInt32(truncatingIfNeeded: c)
    }
}
