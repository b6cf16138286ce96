/// The LZ4 frame format (magic 0x184D2204, FLG/BD descriptor, header checksum, size-prefixed
/// blocks, end mark, optional xxHash32 block and content checksums) that Kafka uses for lz4
/// batches. Writes independent 64 KiB blocks without optional checksums, as Kafka's Java
/// client does; reads every flag combination except preset dictionaries.
///
/// Pure functions; any thread may call them.
public enum LZ4Frame {
    static let magic: UInt32 = 0x184D_2204
    static let version: UInt8 = 0x40
    static let flagBlockIndependence: UInt8 = 0x20
    static let flagBlockChecksum: UInt8 = 0x10
    static let flagContentSize: UInt8 = 0x08
    static let flagContentChecksum: UInt8 = 0x04
    static let flagDictionary: UInt8 = 0x01
    static let uncompressedBit: UInt32 = 0x8000_0000

    /// Block maximum sizes by BD code 4...7.
    static func blockMaxSize(code: Int) -> Int { 1 << (8 + 2 * code) }

    /// Compresses `input` into one frame of independent blocks of `blockSizeCode` (4 = 64 KiB,
    /// 5 = 256 KiB, 6 = 1 MiB, 7 = 4 MiB), optionally with an xxHash32 content checksum.
    public static func compress(_ input: [UInt8], blockSizeCode: Int = 4, contentChecksum: Bool = false) -> [UInt8] {
        let code = min(7, max(4, blockSizeCode))
        let blockMax = blockMaxSize(code: code)
        let blocks = (input.count + blockMax - 1) / blockMax
        let capacity = 7 + blocks * (4 + LZ4Block.maxCompressedLength(blockMax)) + 8
        return input.withUnsafeBufferPointer { src in
            [UInt8](unsafeUninitializedCapacity: capacity) { out, written in
                let dst = out.baseAddress!
                var op = 0
                func put32(_ v: UInt32) {
                    for i in 0..<4 { dst[op + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(i))) }
                    op += 4
                }
                put32(magic)
                let flg = version | flagBlockIndependence | (contentChecksum ? flagContentChecksum : 0)
                let bd = UInt8(code << 4)
                dst[op] = flg
                dst[op + 1] = bd
                dst[op + 2] = headerChecksum(UnsafeRawBufferPointer(start: dst + op, count: 2))
                op += 3
                var start = 0
                while start < src.count {
                    let end = min(start + blockMax, src.count)
                    let chunk = UnsafeBufferPointer(rebasing: src[start..<end])
                    let n = LZ4Block.compress(chunk, into: dst + op + 4)
                    if n < chunk.count {
                        let sizeAt = op
                        op += 4 + n
                        let saved = op
                        op = sizeAt
                        put32(UInt32(n))
                        op = saved
                    } else {
                        // Incompressible: store the block as is.
                        put32(UInt32(chunk.count) | uncompressedBit)
                        (dst + op).update(from: chunk.baseAddress!, count: chunk.count)
                        op += chunk.count
                    }
                    start = end
                }
                put32(0)
                if contentChecksum { put32(XXHash32.hash(UnsafeRawBufferPointer(src))) }
                written = op
            }
        }
    }

    /// The descriptor checksum byte: the second byte of the xxHash32 of the descriptor.
    static func headerChecksum(_ descriptor: UnsafeRawBufferPointer) -> UInt8 {
        UInt8(truncatingIfNeeded: XXHash32.hash(descriptor) >> 8)
    }
}
