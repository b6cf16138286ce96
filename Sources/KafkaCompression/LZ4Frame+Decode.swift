extension LZ4Frame {
    /// Decompresses one or more concatenated LZ4 frames, refusing more than `maxSize` bytes.
    /// Accepts the header checksum that Kafka 0.8/0.9 wrote (computed over the magic too).
    public static func decompress(_ input: [UInt8], maxSize: Int) throws(CompressionError) -> [UInt8] {
        let maxSize = max(0, maxSize)
        var output = [UInt8]()
        var ip = 0
        repeat {
            ip = try decodeFrame(input, from: ip, into: &output, maxSize: maxSize)
        } while ip < input.count
        return output
    }

    static func malformed(_ reason: String) -> CompressionError { .malformed(.lz4, reason: reason) }

    static func read32(_ input: [UInt8], _ at: Int) -> UInt32 {
        UInt32(input[at]) | UInt32(input[at + 1]) << 8 | UInt32(input[at + 2]) << 16 | UInt32(input[at + 3]) << 24
    }

    /// Decodes the frame at `start`, appending to `output`; returns where the frame ended.
    static func decodeFrame(_ input: [UInt8], from start: Int, into output: inout [UInt8],
                            maxSize: Int) throws(CompressionError) -> Int {
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
        let blockMax = blockMaxSize(code: code)
        let independent = flg & flagBlockIndependence != 0
        let blockChecksums = flg & flagBlockChecksum != 0
        let frameStart = output.count
        while true {
            guard input.count - ip >= 4 else { throw malformed("truncated block size") }
            let word = read32(input, ip)
            ip += 4
            if word == 0 { break }
            let size = Int(word & ~uncompressedBit)
            guard size <= blockMax else { throw malformed("block larger than the frame's maximum") }
            guard size <= input.count - ip - (blockChecksums ? 4 : 0) else { throw malformed("block runs past the input") }
            let block = input[ip..<(ip + size)]
            if blockChecksums {
                guard XXHash32.hash(block) == read32(input, ip + size) else { throw CompressionError.checksumMismatch(.lz4) }
            }
            if word & uncompressedBit != 0 {
                guard size <= maxSize - output.count else { throw CompressionError.outputTooLarge(.lz4, limit: maxSize) }
                output.reserve(adding: size, limit: maxSize)
                output.append(contentsOf: block)
            } else {
                try decodeBlock(block, into: &output, blockMax: blockMax, maxSize: maxSize,
                                windowStart: independent ? output.count : frameStart)
            }
            ip += size + (blockChecksums ? 4 : 0)
        }
        if flg & flagContentChecksum != 0 {
            guard input.count - ip >= 4 else { throw malformed("truncated content checksum") }
            guard XXHash32.hash(output[frameStart...]) == read32(input, ip) else {
                throw CompressionError.checksumMismatch(.lz4)
            }
            ip += 4
        }
        if let contentSize, contentSize != output.count - frameStart {
            throw malformed("content size does not match")
        }
        return ip
    }

    /// Decodes one compressed block onto the end of `output`.
    static func decodeBlock(_ block: ArraySlice<UInt8>, into output: inout [UInt8], blockMax: Int,
                            maxSize: Int, windowStart: Int) throws(CompressionError) {
        let start = output.count
        let room = blockRoom(compressedSize: block.count, blockMax: blockMax, limitLeft: maxSize - start)
        var result = LZ4Block.DecodeResult.overflow
        if windowStart == start {
            // Independent block (what Kafka writes): decode into fresh memory, no zero-fill.
            let decoded = block.withUnsafeBufferPointer { src in
                [UInt8](unsafeUninitializedCapacity: room) { dst, written in
                    result = LZ4Block.decode(src, dst: dst.baseAddress!, start: 0, capacity: room, windowStart: 0)
                    if case .ok(let end) = result { written = end } else { written = 0 }
                }
            }
            if case .ok = result {
                if output.isEmpty {
                    output = decoded
                } else {
                    output.reserve(adding: decoded.count, limit: maxSize)
                    output.append(contentsOf: decoded)
                }
                return
            }
        } else {
            // Linked blocks: matches reach into earlier output, so decode in place after it.
            output.reserve(adding: room, limit: maxSize)
            output.append(contentsOf: repeatElement(0, count: room))
            result = block.withUnsafeBufferPointer { src in
                output.withUnsafeMutableBufferPointer { dst in
                    LZ4Block.decode(src, dst: dst.baseAddress!, start: start, capacity: start + room, windowStart: windowStart)
                }
            }
            if case .ok(let end) = result {
                output.removeLast(start + room - end)
                return
            }
        }
        switch result {
        case .ok:
            return
        case .overflow:
            if room == maxSize - start && room < blockMax { throw CompressionError.outputTooLarge(.lz4, limit: maxSize) }
            throw malformed("block decodes past the frame's maximum")
        case .malformed(let reason):
            throw malformed(reason)
        }
    }

    /// Output space to set aside for one block: the frame's block maximum, but never more
    /// than the caller's limit allows or than `compressedSize` bytes can expand to (under 255
    /// times: a match-length byte adds at most 255). A stream of tiny blocks in a frame that
    /// declares 4 MiB blocks must not cost 4 MiB of zero-filling each.
    static func blockRoom(compressedSize: Int, blockMax: Int, limitLeft: Int) -> Int {
        min(blockMax, limitLeft, compressedSize * 255 + 16)
    }
}
