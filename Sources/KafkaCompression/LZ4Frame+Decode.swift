extension LZ4Frame {
    /// Decompresses one or more concatenated LZ4 frames, refusing more than `maxSize` bytes.
    /// Accepts the header checksum that Kafka 0.8/0.9 wrote (computed over the magic too).
    public static func decompress(_ input: [UInt8], maxSize: Int) throws(CompressionError) -> [UInt8] {
        var buffers = DecompressionBuffers.none
        return try decompress(input, maxSize: maxSize, buffers: &buffers)
    }

    /// Like `decompress(_:maxSize:)`; the first frame is decoded into an array kept in
    /// `buffers` when one is free (Kafka's batches are one frame each).
    public static func decompress(_ input: [UInt8], maxSize: Int,
                                  buffers: inout DecompressionBuffers) throws(CompressionError) -> [UInt8] {
        let maxSize = max(0, maxSize)
        var output = [UInt8]()
        var ip = 0
        repeat {
            ip = try decodeFrame(input, from: ip, into: &output, maxSize: maxSize, buffers: &buffers)
        } while ip < input.count
        return output
    }

    static func malformed(_ reason: String) -> CompressionError { .malformed(.lz4, reason: reason) }

    static func read32(_ input: [UInt8], _ at: Int) -> UInt32 {
        UInt32(input[at]) | UInt32(input[at + 1]) << 8 | UInt32(input[at + 2]) << 16 | UInt32(input[at + 3]) << 24
    }

    /// Decodes the frame at `start`, appending to `output`; returns where the frame ended.
    static func decodeFrame(_ input: [UInt8], from start: Int, into output: inout [UInt8],
                            maxSize: Int, buffers: inout DecompressionBuffers) throws(CompressionError) -> Int {
        var ip = start
        guard input.count - ip >= 7 else { throw malformed("truncated frame header") }
        guard read32(input, ip) == magic else { throw malformed("bad frame magic") }
        ip += 4
        let flg = input[ip]
        let bd = input[ip + 1]
        guard flg & 0xC0 == version else { throw malformed("unsupported frame version") }
        guard flg & 0x02 == 0, bd & 0x8F == 0 else { throw malformed("reserved descriptor bits set") }
        let code = Int(bd >> 4)
        guard code >= 4 else { throw malformed("bad block maximum size") }
        guard flg & flagDictionary == 0 else { throw malformed("preset dictionaries are not supported") }
        let descriptorLength = 2 + (flg & flagContentSize != 0 ? 8 : 0)
        guard input.count - ip >= descriptorLength + 1 else { throw malformed("truncated frame header") }
        let hc = input[ip + descriptorLength]
        let good = input.withUnsafeBytes { raw in
            hc == headerChecksum(UnsafeRawBufferPointer(rebasing: raw[ip..<(ip + descriptorLength)]))
                || hc == headerChecksum(UnsafeRawBufferPointer(rebasing: raw[start..<(ip + descriptorLength)]))
        }
        guard good else { throw CompressionError.checksumMismatch(.lz4) }
        var contentSize: Int?
        if flg & flagContentSize != 0 {
            let size = UInt64(read32(input, ip + 2)) | UInt64(read32(input, ip + 6)) << 32
            guard size <= UInt64(maxSize - output.count) else { throw CompressionError.outputTooLarge(.lz4, limit: maxSize) }
            contentSize = Int(size)
        }
        ip += descriptorLength + 1
        let layout = BlockLayout(
            blockMax: blockMaxSize(code: code), independent: flg & flagBlockIndependence != 0,
            blockChecksums: flg & flagBlockChecksum != 0, contentChecksum: flg & flagContentChecksum != 0)
        // Decode the whole frame into one array sized once from the block headers, so each
        // block lands where it belongs instead of being decoded apart and then copied.
        let limitLeft = maxSize - output.count
        let bound = min(contentBound(input, from: ip, layout), limitLeft)
        var end = ip
        // The first frame may land in a kept array; later ones are appended to it.
        func decode(into pool: inout DecompressionBuffers) throws(CompressionError) -> [UInt8] {
            try input.withUnsafeBufferPointer { (src) throws(CompressionError) -> [UInt8] in
                try pool.fill(capacity: max(bound, 1)) { (dst) throws(CompressionError) -> Int in
                    let written: Int
                    (end, written) = try decodeBlocks(src, from: ip, into: dst.baseAddress!, capacity: bound,
                                                      limitLeft: limitLeft, maxSize: maxSize, layout)
                    return written
                }
            }
        }
        var spare = DecompressionBuffers.none
        let content = output.isEmpty ? try decode(into: &buffers) : try decode(into: &spare)
        if let contentSize, contentSize != content.count {
            throw malformed("content size does not match")
        }
        if output.isEmpty {
            // Blocks that decode to much less than their room came back as an exact copy (`fill`).
            output = content
        } else {
            output.reserve(adding: content.count, limit: maxSize)
            output.append(contentsOf: content)
        }
        return end
    }

    /// What the frame descriptor says about the blocks that follow it.
    struct BlockLayout {
        var blockMax: Int
        var independent: Bool
        var blockChecksums: Bool
        var contentChecksum: Bool
    }

    /// The most the blocks starting at `start` can decode to, as `decodeBlocks` sets room
    /// aside for them: a stored block its size, a compressed one `blockRoom` without the
    /// limit. Stops at the end mark or at the first block `decodeBlocks` would refuse.
    static func contentBound(_ input: [UInt8], from start: Int, _ layout: BlockLayout) -> Int {
        var ip = start
        var total = 0
        let trailer = layout.blockChecksums ? 4 : 0
        while input.count - ip >= 4 {
            let word = read32(input, ip)
            ip += 4
            if word == 0 { break }
            let size = Int(word & ~uncompressedBit)
            guard size <= layout.blockMax, size <= input.count - ip - trailer else { break }
            total += word & uncompressedBit != 0 ? size : min(layout.blockMax, size * 255 + 16)
            ip += size + trailer
        }
        return total
    }

    /// Decodes the blocks starting at `start` (and checks the content checksum) into
    /// `dst[0..<capacity]`; `limitLeft` is what the caller's limit leaves for this frame.
    /// Returns where the frame ended in `input` and the content's size.
    static func decodeBlocks(_ input: UnsafeBufferPointer<UInt8>, from start: Int,
                             into dst: UnsafeMutablePointer<UInt8>, capacity: Int,
                             limitLeft: Int, maxSize: Int, _ layout: BlockLayout) throws(CompressionError) -> (Int, Int) {
        let base = input.baseAddress!
        let count = input.count
        func read32(_ at: Int) -> UInt32 { UInt32(littleEndian: UnsafeRawPointer(base + at).loadUnaligned(as: UInt32.self)) }
        let trailer = layout.blockChecksums ? 4 : 0
        var ip = start
        var op = 0
        while true {
            guard count - ip >= 4 else { throw malformed("truncated block size") }
            let word = read32(ip)
            ip += 4
            if word == 0 { break }
            let size = Int(word & ~uncompressedBit)
            guard size <= layout.blockMax else { throw malformed("block larger than the frame's maximum") }
            guard size <= count - ip - trailer else { throw malformed("block runs past the input") }
            let block = UnsafeBufferPointer(start: base + ip, count: size)
            if layout.blockChecksums {
                guard XXHash32.hash(UnsafeRawBufferPointer(block)) == read32(ip + size) else {
                    throw CompressionError.checksumMismatch(.lz4)
                }
            }
            if word & uncompressedBit != 0 {
                guard size <= limitLeft - op else { throw CompressionError.outputTooLarge(.lz4, limit: maxSize) }
                guard size <= capacity - op else { throw malformed("block runs past the frame's bound") }
                (dst + op).update(from: base + ip, count: size)
                op += size
            } else {
                let room = blockRoom(compressedSize: size, blockMax: layout.blockMax, limitLeft: limitLeft - op)
                guard room <= capacity - op else { throw malformed("block runs past the frame's bound") }
                let result = LZ4Block.decode(block, dst: dst, start: op, capacity: op + room,
                                             windowStart: layout.independent ? op : 0)
                switch result {
                case .ok(let end):
                    op = end
                case .overflow:
                    if room == limitLeft - op && room < layout.blockMax {
                        throw CompressionError.outputTooLarge(.lz4, limit: maxSize)
                    }
                    throw malformed("block decodes past the frame's maximum")
                case .malformed(let reason):
                    throw malformed(reason)
                }
            }
            ip += size + trailer
        }
        if layout.contentChecksum {
            guard count - ip >= 4 else { throw malformed("truncated content checksum") }
            guard XXHash32.hash(UnsafeRawBufferPointer(start: dst, count: op)) == read32(ip) else {
                throw CompressionError.checksumMismatch(.lz4)
            }
            ip += 4
        }
        return (ip, op)
    }

    /// Output space to set aside for one block: the frame's block maximum, but never more
    /// than the caller's limit allows or than `compressedSize` bytes can expand to (under 255
    /// times: a match-length byte adds at most 255). A stream of tiny blocks in a frame that
    /// declares 4 MiB blocks must not cost 4 MiB of zero-filling each.
    static func blockRoom(compressedSize: Int, blockMax: Int, limitLeft: Int) -> Int {
        min(blockMax, limitLeft, compressedSize * 255 + 16)
    }
}
