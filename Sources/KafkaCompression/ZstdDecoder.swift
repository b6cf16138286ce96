/// Decodes a series of Zstandard and skippable frames (RFC 8878) into one output buffer.
///
/// One instance serves one `Zstd.decompress` call; it keeps the per-frame state the format
/// carries from block to block (previous Huffman table, previous FSE tables, repeat offsets).
/// Confined to the calling thread.
final class ZstdDecoder {
    static let magic: UInt32 = 0xFD2F_B528
    static let maxBlockSize = 128 * 1024

    let output: ZstdOutputBuffer
    /// Decoded literals of the current block, with slack for chunked copies. Grows on demand:
    /// small messages should not pay for a 128 KiB buffer.
    private(set) var literals: UnsafeMutablePointer<UInt8>
    private var literalsCapacity = 0
    var literalsCount = 0

    var huffman: ZstdHuffman.Table?
    var literalsLengthTable: ZstdSequenceTable?
    var offsetTable: ZstdSequenceTable?
    var matchLengthTable: ZstdSequenceTable?
    var repeatOffsets = (1, 4, 8)

    var frameStart = 0
    /// Where the frame's declared content ends (`Int.max` when it declares none).
    var frameLimit = Int.max
    var windowSize = 0
    var blockMaximum = maxBlockSize

    init(limit: Int, expectedSize: Int) {
        output = ZstdOutputBuffer(initialCapacity: expectedSize, limit: limit)
        literals = .allocate(capacity: ZstdOutputBuffer.slack)
    }

    init(output: ZstdOutputBuffer) {
        self.output = output
        literals = .allocate(capacity: ZstdOutputBuffer.slack)
    }

    /// Makes room for `count` literals (at most one block's worth); earlier content is dropped.
    func reserveLiterals(_ count: Int) {
        guard count > literalsCapacity else { return }
        let capacity = min(max(count, literalsCapacity * 2, 1024), Self.maxBlockSize)
        literals.deallocate()
        literals = .allocate(capacity: capacity + ZstdOutputBuffer.slack)
        literalsCapacity = capacity
    }

    deinit { literals.deallocate() }

    func decodeAll(_ input: UnsafeBufferPointer<UInt8>) throws(ZstdError) {
        guard let base = input.baseAddress, input.count > 0 else { throw .truncatedInput }
        let count = input.count
        var position = 0
        while position < count {
            guard count - position >= 4 else { throw .truncatedInput }
            let magic = Self.readLE32(base + position)
            if magic & 0xFFFF_FFF0 == 0x184D_2A50 {
                guard count - position >= 8 else { throw .truncatedInput }
                let size = Int(Self.readLE32(base + position + 4))
                guard size <= count - position - 8 else { throw .truncatedInput }
                position += 8 + size
                continue
            }
            guard magic == Self.magic else { throw .unknownMagic(magic) }
            position = try decodeFrame(base, count: count, position: position + 4)
        }
    }

    /// Decodes one frame whose header starts at `position`; returns the position after it.
    func decodeFrame(_ base: UnsafePointer<UInt8>, count: Int, position start: Int) throws(ZstdError) -> Int {
        var position = start
        guard position < count else { throw .truncatedInput }
        let descriptor = base[position]
        position += 1
        let contentSizeFlag = Int(descriptor >> 6)
        let singleSegment = descriptor & 0x20 != 0
        guard descriptor & 0x08 == 0 else { throw .reservedBitSet }
        let hasChecksum = descriptor & 0x04 != 0
        let dictionaryIDSize = [0, 1, 2, 4][Int(descriptor & 3)]
        let contentSizeSize = [singleSegment ? 1 : 0, 2, 4, 8][contentSizeFlag]
        let headerRest = (singleSegment ? 0 : 1) + dictionaryIDSize + contentSizeSize
        guard count - position >= headerRest else { throw .truncatedInput }

        var window: UInt64 = 0
        if !singleSegment {
            let wd = base[position]
            position += 1
            let windowLog = 10 + UInt64(wd >> 3)
            let windowBase = UInt64(1) << windowLog
            window = windowBase + (windowBase / 8) * UInt64(wd & 7)
        }
        var dictionaryID: UInt32 = 0
        for i in 0..<dictionaryIDSize { dictionaryID |= UInt32(base[position + i]) << UInt32(8 * i) }
        position += dictionaryIDSize
        guard dictionaryID == 0 else { throw .dictionaryNotSupported(id: dictionaryID) }
        var contentSize: UInt64?
        if contentSizeSize > 0 {
            var value: UInt64 = 0
            for i in 0..<contentSizeSize { value |= UInt64(base[position + i]) << UInt64(8 * i) }
            if contentSizeSize == 2 { value += 256 }
            contentSize = value
            position += contentSizeSize
        }
        if singleSegment { window = contentSize ?? 0 }

        frameStart = output.count
        frameLimit = Int.max
        if let declared = contentSize {
            guard declared <= UInt64(output.limit - frameStart) else {
                throw .outputTooLarge(limit: output.limit)
            }
            frameLimit = frameStart + Int(declared)
            // Trust the declared size only as far as the input could plausibly expand, so a
            // hostile header under a generous maxSize cannot force a huge allocation up front.
            let plausible = max(1 << 20, count.multipliedReportingOverflow(by: 64).partialValue)
            try output.reserve(total: frameStart + min(Int(declared), plausible))
        }
        windowSize = window > UInt64(Int.max / 2) ? Int.max / 2 : Int(window)
        blockMaximum = min(windowSize, Self.maxBlockSize)
        huffman = nil
        literalsLengthTable = nil
        offsetTable = nil
        matchLengthTable = nil
        repeatOffsets = (1, 4, 8)

        while true {
            guard count - position >= 3 else { throw .truncatedInput }
            let header = Int(base[position]) | Int(base[position + 1]) << 8 | Int(base[position + 2]) << 16
            position += 3
            let isLast = header & 1 != 0
            let size = header >> 3
            switch (header >> 1) & 3 {
            case 0:
                guard size <= blockMaximum else { throw .blockTooLarge }
                guard count - position >= size else { throw .truncatedInput }
                try output.append(base + position, count: size)
                position += size
            case 1:
                guard size <= blockMaximum else { throw .blockTooLarge }
                guard count - position >= 1 else { throw .truncatedInput }
                try output.append(repeating: base[position], count: size)
                position += 1
            case 2:
                guard size <= blockMaximum else { throw .blockTooLarge }
                guard count - position >= size else { throw .truncatedInput }
                try decodeCompressedBlock(base + position, count: size)
                position += size
            default:
                throw .reservedBlockType
            }
            if isLast { break }
        }

        let produced = output.count - frameStart
        if let declared = contentSize, declared != UInt64(produced) {
            throw .contentSizeMismatch(declared: declared, actual: produced)
        }
        if hasChecksum {
            guard count - position >= 4 else { throw .truncatedInput }
            let stored = Self.readLE32(base + position)
            position += 4
            let digest = ZstdXXH64.hash(UnsafeRawBufferPointer(start: output.base + frameStart, count: produced))
            let computed = UInt32(truncatingIfNeeded: digest)
            guard stored == computed else { throw .checksumMismatch(stored: stored, computed: computed) }
        }
        return position
    }

    func decodeCompressedBlock(_ block: UnsafePointer<UInt8>, count: Int) throws(ZstdError) {
        let literalsSize = try decodeLiterals(block, count: count)
        try decodeSequences(block + literalsSize, count: count - literalsSize)
    }

    /// The content size the first frame of `input` declares, if it starts with a Zstandard
    /// frame header that declares one; nil otherwise. Checks nothing else.
    static func declaredContentSize(_ input: UnsafeBufferPointer<UInt8>) -> UInt64? {
        guard let base = input.baseAddress, input.count >= 5, readLE32(base) == magic else { return nil }
        let descriptor = base[4]
        let singleSegment = descriptor & 0x20 != 0
        let size = [singleSegment ? 1 : 0, 2, 4, 8][Int(descriptor >> 6)]
        guard size > 0 else { return nil }
        let at = 5 + (singleSegment ? 0 : 1) + [0, 1, 2, 4][Int(descriptor & 3)]
        guard input.count - at >= size else { return nil }
        var value: UInt64 = 0
        for i in 0..<size { value |= UInt64(base[at + i]) << UInt64(8 * i) }
        return size == 2 ? value + 256 : value
    }

    /// For one frame that does not declare its size and is all of `input`: the most its
    /// blocks can decode to, from their headers (a raw or RLE block its size, a compressed one
    /// the largest block there is). nil for anything else, which is decoded the general way.
    static func contentBound(_ input: UnsafeBufferPointer<UInt8>) -> UInt64? {
        guard let base = input.baseAddress, input.count >= 5, readLE32(base) == magic else { return nil }
        let descriptor = base[4]
        let singleSegment = descriptor & 0x20 != 0
        guard descriptor >> 6 == 0, !singleSegment else { return nil }
        var at = 6 + [0, 1, 2, 4][Int(descriptor & 3)]
        var bound: UInt64 = 0
        while input.count - at >= 3 {
            let header = Int(base[at]) | Int(base[at + 1]) << 8 | Int(base[at + 2]) << 16
            let size = header >> 3
            at += 3
            switch (header >> 1) & 3 {
            case 0: bound += UInt64(size); at += size
            case 1: bound += UInt64(size); at += 1
            case 2: bound += UInt64(maxBlockSize); at += size
            default: return nil
            }
            if header & 1 != 0 {
                at += descriptor & 0x04 != 0 ? 4 : 0
                return at == input.count ? bound : nil
            }
        }
        return nil
    }

    @inline(__always)
    static func readLE32(_ p: UnsafePointer<UInt8>) -> UInt32 {
        UInt32(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt32.self))
    }
}
