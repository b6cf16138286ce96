/// Builds Zstandard frames: LZ77 sequences from `ZstdDoubleFastMatchFinder` (levels 1–4) or
/// `ZstdMatchFinder` (5 and up), coded with the predefined
/// FSE distributions, literals raw or Huffman-coded, blocks of at most 128 KiB, each kept raw
/// when coding would not make it smaller. Frames carry the content size and an XXH64 checksum.
/// Confined to the calling thread.
struct ZstdEncoder {
    static let blockSize = 128 * 1024
    let level: Int

    init(level: Int) { self.level = min(max(level, 1), 22) }

    func compress(_ input: [UInt8]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(input.count + input.count / 128 + 32)
        let windowLog = level >= 10 ? 23 : 21
        writeFrameHeader(&out, contentSize: input.count, windowLog: windowLog)
        if input.isEmpty {
            appendBlockHeader(&out, last: true, type: 0, size: 0)
        } else {
            input.withUnsafeBufferPointer { buffer in
                guard let p = buffer.baseAddress else { return }
                if level <= 4 {
                    var finder = ZstdDoubleFastMatchFinder(level: level, inputCount: input.count, windowLog: windowLog)
                    writeBlocks(p, count: input.count, finder: &finder, into: &out)
                } else {
                    var finder = ZstdMatchFinder(level: level, inputCount: input.count, windowLog: windowLog)
                    writeBlocks(p, count: input.count, finder: &finder, into: &out)
                }
            }
        }
        let checksum = UInt32(truncatingIfNeeded: ZstdXXH64.hash(input))
        for i in 0..<4 { out.append(UInt8(truncatingIfNeeded: checksum >> UInt32(8 * i))) }
        return out
    }

    /// Appends the blocks for the `count` bytes at `p`, each compressed, a run or stored raw,
    /// whichever is smallest.
    private func writeBlocks<Finder: ZstdSequenceFinder>(
        _ p: UnsafePointer<UInt8>, count: Int, finder: inout Finder, into out: inout [UInt8]
    ) {
        var sequences = [ZstdSequence]()
        var repeats = (1, 4, 8)
        var start = 0
        while start < count {
            let end = min(start + Self.blockSize, count)
            let last = end == count
            var blockRepeats = repeats
            // Finders store positions as Int32; beyond that, blocks are stored raw.
            if count < Int(Int32.max),
               case let trailing = finder.sequences(p, count: count, start: start, end: end, into: &sequences),
               let body = ZstdBlockEncoder.encode(
                p, start: start, end: end, sequences: sequences, trailingLiterals: trailing,
                repeats: &blockRepeats), body.count < end - start {
                appendBlockHeader(&out, last: last, type: 2, size: body.count)
                out.append(contentsOf: body)
                repeats = blockRepeats
            } else if Self.isRun(p, start: start, end: end) {
                appendBlockHeader(&out, last: last, type: 1, size: end - start)
                out.append(p[start])
            } else {
                appendBlockHeader(&out, last: last, type: 0, size: end - start)
                out.append(contentsOf: UnsafeBufferPointer(start: p + start, count: end - start))
            }
            start = end
        }
    }

    private static func isRun(_ p: UnsafePointer<UInt8>, start: Int, end: Int) -> Bool {
        let first = p[start]
        for i in start..<end where p[i] != first { return false }
        return true
    }

    private func writeFrameHeader(_ out: inout [UInt8], contentSize: Int, windowLog: Int) {
        for i in 0..<4 { out.append(UInt8(truncatingIfNeeded: ZstdDecoder.magic >> UInt32(8 * i))) }
        let singleSegment = contentSize <= 1 << windowLog
        let sizeFlag: UInt8
        let sizeBytes: Int
        var sizeValue = UInt64(contentSize)
        if contentSize < 256 && singleSegment {
            (sizeFlag, sizeBytes) = (0, 1)
        } else if contentSize >= 256 && contentSize < 65536 + 256 {
            (sizeFlag, sizeBytes) = (1, 2)
            sizeValue -= 256
        } else if contentSize <= 0xFFFF_FFFF {
            (sizeFlag, sizeBytes) = (2, 4)
        } else {
            (sizeFlag, sizeBytes) = (3, 8)
        }
        out.append(sizeFlag << 6 | (singleSegment ? 0x20 : 0) | 0x04)
        if !singleSegment { out.append(UInt8(windowLog - 10) << 3) }
        for i in 0..<sizeBytes { out.append(UInt8(truncatingIfNeeded: sizeValue >> UInt64(8 * i))) }
    }

    private func appendBlockHeader(_ out: inout [UInt8], last: Bool, type: Int, size: Int) {
        let header = size << 3 | type << 1 | (last ? 1 : 0)
        out.append(UInt8(truncatingIfNeeded: header))
        out.append(UInt8(truncatingIfNeeded: header >> 8))
        out.append(UInt8(truncatingIfNeeded: header >> 16))
    }
}
