/// Writes the literals section of a compressed block. Pure functions; any thread.
enum ZstdLiteralsEncoder {
    static func encode(_ literals: [UInt8], into body: inout [UInt8]) {
        writeRaw(literals, into: &body)
    }

    static func writeRaw(_ literals: [UInt8], into body: inout [UInt8]) {
        let size = literals.count
        if size < 32 {
            body.append(UInt8(size << 3))
        } else if size < 4096 {
            body.append(UInt8((size & 0xF) << 4 | 0x04))
            body.append(UInt8(size >> 4))
        } else {
            body.append(UInt8((size & 0xF) << 4 | 0x0C))
            body.append(UInt8((size >> 4) & 0xFF))
            body.append(UInt8(size >> 12))
        }
        body.append(contentsOf: literals)
    }
}
