/// Writes the literals section of a compressed block. Pure functions; any thread.
enum ZstdLiteralsEncoder {
    static func encode(_ literals: [UInt8], into body: inout [UInt8]) {
        let rawSize = literals.count + (literals.count < 32 ? 1 : literals.count < 4096 ? 2 : 3)
        if literals.count >= 16, let first = literals.first, literals.allSatisfy({ $0 == first }) {
            writeRun(first, count: literals.count, into: &body)
            return
        }
        if ZstdHuffmanEncoder.encode(literals, rawSize: rawSize, into: &body) { return }
        writeRaw(literals, into: &body)
    }

    static func writeRun(_ byte: UInt8, count: Int, into body: inout [UInt8]) {
        writeSizeHeader(type: 1, size: count, into: &body)
        body.append(byte)
    }

    static func writeRaw(_ literals: [UInt8], into body: inout [UInt8]) {
        writeSizeHeader(type: 0, size: literals.count, into: &body)
        body.append(contentsOf: literals)
    }

    /// The 1- to 3-byte header shared by raw and RLE literals.
    private static func writeSizeHeader(type: UInt8, size: Int, into body: inout [UInt8]) {
        if size < 32 {
            body.append(UInt8(size << 3) | type)
        } else if size < 4096 {
            body.append(UInt8((size & 0xF) << 4) | 0x04 | type)
            body.append(UInt8(size >> 4))
        } else {
            body.append(UInt8((size & 0xF) << 4) | 0x0C | type)
            body.append(UInt8((size >> 4) & 0xFF))
            body.append(UInt8(size >> 12))
        }
    }
}
