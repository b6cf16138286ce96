import KielTestSupport
@testable import KafkaProtocol
@testable import KafkaCompression

/// Mutates compressed data with the codec's framing in mind: the damage goes inside a block
/// and the frame around it is made consistent again (chunk and block sizes rewritten, LZ4
/// header and block checksums recomputed, zstd and LZ4 content checksums dropped with their
/// flags), so the mutation reaches the block decoder instead of a length or checksum check.
/// Framing fields themselves are mutated too (sizes that lie, flags, descriptors).
enum CodecMutator {
    static func mutate(_ codec: CompressionCodec, _ data: [UInt8], _ random: inout FuzzRandom) -> [UInt8] {
        guard !data.isEmpty else { return random.bytes(random.below(16)) }
        switch codec {
        case .gzip: return gzip(data, &random)
        case .snappy: return Snappy.isXerialFramed(data) ? xerial(data, &random) : rawSnappy(data, &random)
        case .lz4: return lz4(data, &random)
        case .zstd: return zstd(data, &random)
        case .none: return data
        }
    }

    /// A few byte-level edits within `range` of `data`.
    static func damage(_ data: inout [UInt8], in range: Range<Int>, _ random: inout FuzzRandom) {
        guard !range.isEmpty else { return }
        for _ in 0..<(1 + random.below(3)) {
            let at = range.lowerBound + random.below(range.count)
            switch random.below(5) {
            case 0: data[at] ^= UInt8(1) << UInt8(random.below(8))
            case 1: data[at] = random.byte()
            case 2: data[at] = random.pick([0x00, 0x7F, 0x80, 0xFF])
            case 3: data[at] &+= 1
            default: data[at] &-= 1
            }
        }
    }

    static func gzip(_ data: [UInt8], _ random: inout FuzzRandom) -> [UInt8] {
        var out = data
        let body = min(10, out.count)..<max(min(10, out.count), out.count - 8)
        switch random.below(6) {
        case 0, 1, 2: damage(&out, in: body, &random)                 // the deflate stream
        case 3: if out.count > 3 { out[3] = random.byte() }           // header flags: fields that are not there
        case 4: out += out.prefix(random.below(out.count + 1))        // a second member, maybe cut
        default: out += random.bytes(1 + random.below(16))            // garbage after the member
        }
        return out
    }

    /// Raw snappy: the length preamble or the elements.
    static func rawSnappy(_ data: [UInt8], _ random: inout FuzzRandom) -> [UInt8] {
        var out = data
        var preamble = 0
        while preamble < out.count && out[preamble] & 0x80 != 0 { preamble += 1 }
        preamble = min(out.count, preamble + 1)
        if random.oneIn(4) {
            damage(&out, in: 0..<preamble, &random)
        } else {
            damage(&out, in: preamble..<out.count, &random)
        }
        return out
    }

    /// Xerial framing: a chunk's raw block is damaged and its length rewritten to match, or a
    /// chunk length lies.
    static func xerial(_ data: [UInt8], _ random: inout FuzzRandom) -> [UInt8] {
        var chunks: [[UInt8]] = []
        var at = Snappy.xerialHeaderSize
        while at + 4 <= data.count {
            let length = Int(data[at]) << 24 | Int(data[at + 1]) << 16 | Int(data[at + 2]) << 8 | Int(data[at + 3])
            guard length <= data.count - at - 4 else { break }
            chunks.append(Array(data[(at + 4)..<(at + 4 + length)]))
            at += 4 + length
        }
        var lie: Int?
        if !chunks.isEmpty {
            let i = random.below(chunks.count)
            switch random.below(4) {
            case 0: lie = i
            case 1: chunks[i].insert(contentsOf: random.bytes(1 + random.below(4)), at: random.below(chunks[i].count + 1))
            case 2 where !chunks[i].isEmpty: chunks[i].remove(at: random.below(chunks[i].count))
            default: chunks[i] = rawSnappy(chunks[i], &random)
            }
        }
        var out = Array(data.prefix(Snappy.xerialHeaderSize))
        if random.oneIn(8) { damage(&out, in: 8..<out.count, &random) }    // version fields
        for (i, chunk) in chunks.enumerated() {
            let length = i == lie ? random.pick([chunk.count + 1, max(0, chunk.count - 1), Int(Int32.max), 0]) : chunk.count
            out += [UInt8(truncatingIfNeeded: length >> 24), UInt8(truncatingIfNeeded: length >> 16),
                    UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length)]
            out += chunk
        }
        return out
    }

    static func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * UInt32($0))) } }

    /// LZ4 frames: descriptor bits (with the header checksum recomputed), block contents and
    /// sizes (block checksums recomputed), the uncompressed bit, the content checksum dropped.
    static func lz4(_ data: [UInt8], _ random: inout FuzzRandom) -> [UInt8] {
        guard data.count >= 7, LZ4Frame.read32(data, 0) == LZ4Frame.magic else { return rawSnappy(data, &random) }
        var flg = data[4]
        var bd = data[5]
        var at = 7 + (flg & LZ4Frame.flagContentSize != 0 ? 8 : 0)
        guard at <= data.count else { return data }
        var contentSize = flg & LZ4Frame.flagContentSize != 0 ? Array(data[6..<14]) : []
        let blockChecksums = flg & LZ4Frame.flagBlockChecksum != 0
        var blocks: [(word: UInt32, data: [UInt8])] = []
        while at + 4 <= data.count {
            let word = LZ4Frame.read32(data, at)
            at += 4
            if word == 0 { break }
            let size = Int(word & ~LZ4Frame.uncompressedBit)
            guard size <= data.count - at else { break }
            blocks.append((word & LZ4Frame.uncompressedBit, Array(data[at..<(at + size)])))
            at += size + (blockChecksums ? 4 : 0)
        }
        switch random.below(7) {
        case 0:
            // Descriptor bits: block size code, independence, checksum flags.
            bd = random.oneIn(2) ? UInt8(random.below(8)) << 4 : random.byte()
            flg ^= random.pick([LZ4Frame.flagBlockIndependence, LZ4Frame.flagBlockChecksum, LZ4Frame.flagContentChecksum, 0x02])
        case 1:
            // A content size, right or not.
            flg |= LZ4Frame.flagContentSize
            contentSize = le32(UInt32(random.below(1 << 20))) + le32(random.oneIn(4) ? UInt32.max : 0)
        case 2:
            if let i = blocks.indices.randomElement(using: &random) { blocks[i].word ^= LZ4Frame.uncompressedBit }
        default:
            if let i = blocks.indices.randomElement(using: &random) {
                if random.oneIn(3) {
                    blocks[i].data.insert(contentsOf: random.bytes(1 + random.below(4)), at: random.below(blocks[i].data.count + 1))
                } else {
                    damage(&blocks[i].data, in: 0..<blocks[i].data.count, &random)
                }
            }
        }
        flg &= ~LZ4Frame.flagContentChecksum
        var out = le32(LZ4Frame.magic) + [flg, bd] + (flg & LZ4Frame.flagContentSize != 0 ? contentSize : [])
        let descriptor = Array(out[4...])
        out.append(descriptor.withUnsafeBytes { LZ4Frame.headerChecksum($0) })
        for block in blocks {
            out += le32(UInt32(block.data.count) | block.word)
            out += block.data
            if flg & LZ4Frame.flagBlockChecksum != 0 { out += le32(XXHash32.hash(block.data)) }
        }
        out += le32(0)
        return out
    }

    /// Zstd frames: the content checksum is dropped with its flag, then a block's contents,
    /// a block header, or the declared content size is damaged.
    static func zstd(_ data: [UInt8], _ random: inout FuzzRandom) -> [UInt8] {
        guard data.count >= 6, LZ4Frame.read32(data, 0) == ZstdDecoder.magic else { return rawSnappy(data, &random) }
        var out = data
        let descriptor = out[4]
        let singleSegment = descriptor & 0x20 != 0
        let contentSizeBytes = [singleSegment ? 1 : 0, 2, 4, 8][Int(descriptor >> 6)]
        let header = 5 + (singleSegment ? 0 : 1) + [0, 1, 2, 4][Int(descriptor & 3)] + contentSizeBytes
        guard header <= out.count else { return out }
        if descriptor & 0x04 != 0 && out.count >= header + 4 {
            out[4] &= ~0x04
            out.removeLast(4)
        }
        var blocks: [(headerAt: Int, body: Range<Int>)] = []
        var at = header
        while at + 3 <= out.count {
            let word = Int(out[at]) | Int(out[at + 1]) << 8 | Int(out[at + 2]) << 16
            let size = (word >> 1) & 3 == 1 ? 1 : word >> 3
            let end = min(out.count, at + 3 + size)
            blocks.append((at, (at + 3)..<end))
            at = end
            if word & 1 != 0 { break }
        }
        switch random.below(6) {
        case 0 where contentSizeBytes > 0:
            damage(&out, in: (header - contentSizeBytes)..<header, &random)
        case 1 where !blocks.isEmpty:
            let block = random.pick(blocks)
            damage(&out, in: block.headerAt..<(block.headerAt + 3), &random)
        default:
            if let block = blocks.randomElement(using: &random) { damage(&out, in: block.body, &random) }
        }
        return out
    }
}
