/// Huffman coding of literals for the encoder: code lengths limited to 11 bits and forming a
/// complete tree (as the format requires), canonical codes matching the decoder's table
/// order, the direct-weights tree description, and 1- or 4-stream literals sections.
/// Pure functions; any thread.
enum ZstdHuffmanEncoder {
    static let maxBits = 11

    /// Code lengths (0 = absent) for symbol counts; nil when fewer than two symbols occur.
    static func codeLengths(_ counts: [Int]) -> [Int]? {
        var leaves = counts.enumerated().filter { $0.element > 0 }.map { (count: $0.element, node: $0.offset) }
        guard leaves.count >= 2 else { return nil }
        leaves.sort { $0.count != $1.count ? $0.count < $1.count : $0.node < $1.node }
        // Two-queue Huffman: nodes 0..<256 are symbols, 256... are inner.
        var parent = [Int](repeating: -1, count: 512)
        var inner = [(count: Int, node: Int)]()
        var li = 0, ii = 0
        func takeSmallest() -> (count: Int, node: Int) {
            if li < leaves.count && (ii >= inner.count || leaves[li].count <= inner[ii].count) {
                li += 1
                return leaves[li - 1]
            }
            ii += 1
            return inner[ii - 1]
        }
        var next = 256
        for _ in 0..<(leaves.count - 1) {
            let a = takeSmallest(), b = takeSmallest()
            parent[a.node] = next
            parent[b.node] = next
            inner.append((a.count + b.count, next))
            next += 1
        }
        var lengths = [Int](repeating: 0, count: counts.count)
        for leaf in leaves {
            var depth = 0
            var n = leaf.node
            while parent[n] != -1 { n = parent[n]; depth += 1 }
            lengths[leaf.node] = depth
        }
        limit(&lengths, counts: counts)
        return lengths
    }

    /// Clamps lengths to `maxBits`, then restores an exactly complete tree (Kraft sum 1).
    private static func limit(_ lengths: inout [Int], counts: [Int]) {
        let full = 1 << maxBits
        var kraft = 0
        for i in lengths.indices where lengths[i] > 0 {
            lengths[i] = min(lengths[i], maxBits)
            kraft += 1 << (maxBits - lengths[i])
        }
        // Over-full: lengthen the rarest codes that can still grow.
        while kraft > full {
            var pick = -1
            for i in lengths.indices where lengths[i] > 0 && lengths[i] < maxBits {
                if pick < 0 || counts[i] < counts[pick] { pick = i }
            }
            kraft -= 1 << (maxBits - lengths[pick] - 1)
            lengths[pick] += 1
        }
        // Under-full: shorten the most frequent codes whose extra weight still fits.
        while kraft < full {
            var pick = -1
            for i in lengths.indices where lengths[i] > 1 && kraft + (1 << (maxBits - lengths[i])) <= full {
                if pick < 0 || counts[i] > counts[pick] { pick = i }
            }
            if pick < 0 { break }
            kraft += 1 << (maxBits - lengths[pick])
            lengths[pick] -= 1
        }
    }

    /// Writes a Huffman-compressed literals section if it is smaller than `rawSize`.
    static func encode(_ literals: [UInt8], rawSize: Int, into body: inout [UInt8]) -> Bool {
        literals.withUnsafeBufferPointer { encode($0, rawSize: rawSize, into: &body) }
    }

    private static func encode(_ literals: UnsafeBufferPointer<UInt8>, rawSize: Int, into body: inout [UInt8]) -> Bool {
        let n = literals.count
        guard n >= 64, n <= 128 * 1024 else { return false }
        let counts = histogram(literals)
        guard let lengths = codeLengths(counts) else { return false }
        let last = lengths.lastIndex { $0 > 0 } ?? 0
        guard last >= 1 else { return false }
        let tableLog = lengths.max() ?? 0
        var weights = [Int](repeating: 0, count: 256)
        for i in 0...last where lengths[i] > 0 { weights[i] = tableLog + 1 - lengths[i] }
        // Canonical codes in the decoder's order: by weight, then by symbol. Each entry holds
        // the code above its length's 8 bits, so the stream loop makes one lookup per symbol.
        var codes = [UInt64](repeating: 0, count: 256)
        var position = 0
        for w in 1...tableLog {
            for s in 0...last where weights[s] == w {
                codes[s] = UInt64(position >> (w - 1)) << 8 | UInt64(lengths[s])
                position += 1 << (w - 1)
            }
        }

        guard var section = treeDescription(Array(weights[0..<last])) else { return false }
        let fourStreams = n > 1023
        if fourStreams {
            let segment = (n + 3) / 4
            var streams = [[UInt8]]()
            for k in 0..<4 {
                let lo = min(k * segment, n), hi = min(lo + segment, n)
                streams.append(stream(literals, lo, hi, codes))
            }
            guard streams[0].count <= 0xFFFF, streams[1].count <= 0xFFFF, streams[2].count <= 0xFFFF else {
                return false
            }
            for k in 0..<3 {
                section.append(UInt8(streams[k].count & 0xFF))
                section.append(UInt8(streams[k].count >> 8))
            }
            for s in streams { section += s }
        } else {
            section += stream(literals, 0, n, codes)
        }
        let compressed = section.count
        let sizeFormat: Int, fieldBits: Int, headerBytes: Int
        if !fourStreams {
            (sizeFormat, fieldBits, headerBytes) = (0, 10, 3)
        } else if n <= 1023 && compressed <= 1023 {
            (sizeFormat, fieldBits, headerBytes) = (1, 10, 3)
        } else if n <= 16383 && compressed <= 16383 {
            (sizeFormat, fieldBits, headerBytes) = (2, 14, 4)
        } else {
            (sizeFormat, fieldBits, headerBytes) = (3, 18, 5)
        }
        guard compressed < 1 << fieldBits, headerBytes + compressed < rawSize else { return false }
        let header = 2 | sizeFormat << 2 | n << 4 | compressed << (4 + fieldBits)
        for k in 0..<headerBytes { body.append(UInt8(truncatingIfNeeded: header >> (8 * k))) }
        body += section
        return true
    }

    /// How often each byte value occurs.
    static func histogram(_ bytes: UnsafeBufferPointer<UInt8>) -> [Int] {
        var counts = [Int](repeating: 0, count: 256)
        counts.withUnsafeMutableBufferPointer { counts in
            let counts = counts.baseAddress!
            guard var p = bytes.baseAddress else { return }
            let end = p + bytes.count
            while p + 4 <= end {
                counts[Int(p[0])] &+= 1
                counts[Int(p[1])] &+= 1
                counts[Int(p[2])] &+= 1
                counts[Int(p[3])] &+= 1
                p += 4
            }
            while p < end {
                counts[Int(p[0])] &+= 1
                p += 1
            }
        }
        return counts
    }

    /// The smaller of the direct (4 bits per weight) and FSE-compressed weight descriptions.
    static func treeDescription(_ weights: [Int]) -> [UInt8]? {
        var direct: [UInt8]?
        if weights.count <= 128 {
            var bytes = [UInt8(127 + weights.count)]
            var i = 0
            while i < weights.count {
                let high = UInt8(weights[i])
                let low = i + 1 < weights.count ? UInt8(weights[i + 1]) : 0
                bytes.append(high << 4 | low)
                i += 2
            }
            direct = bytes
        }
        var best = direct
        for log in [5, 6] {
            if let compressed = compressedWeights(weights, accuracyLog: log),
               compressed.count < 128, compressed.count + 1 < (best?.count ?? Int.max) {
                best = [UInt8(compressed.count)] + compressed
            }
        }
        return best
    }

    /// Weights coded with FSE, two interleaved states sharing one table. The decoder stops when
    /// an update runs out of bits, so the state that codes the second-to-last weight must read
    /// at least one bit, and every earlier update must find its bits.
    static func compressedWeights(_ weights: [Int], accuracyLog log: Int) -> [UInt8]? {
        let n = weights.count
        guard n >= 2 else { return nil }
        var counts = [Int](repeating: 0, count: maxBits + 1)
        for w in weights { counts[w] += 1 }
        guard counts.filter({ $0 > 0 }).count >= 2,
              let norm = ZstdSequenceEncoder.normalize(counts, accuracyLog: log) else { return nil }
        let encoder = ZstdFSEEncoder(counts: norm, accuracyLog: log)
        guard !encoder.entries.isEmpty else { return nil }
        guard let penultimate = encoder.entries.indices.first(where: {
            Int(encoder.entries[$0].symbol) == weights[n - 2] && encoder.entries[$0].nbBits > 0
        }) else { return nil }
        var states = [Int](repeating: 0, count: n)
        states[n - 1] = Int(encoder.initialState[weights[n - 1]])
        states[n - 2] = penultimate
        var writer = ZstdBitWriter(capacity: n + 8)
        var k = n - 3
        while k >= 0 {
            states[k] = encoder.encode(weights[k], from: states[k + 2], into: &writer)
            k -= 1
        }
        writer.write(UInt64(states[1]), log)
        writer.write(UInt64(states[0]), log)
        return ZstdSequenceEncoder.writeDistribution(norm, accuracyLog: log) + writer.close()
    }

    /// One backward stream: symbols written last-first so the decoder meets the first one first.
    private static func stream(_ literals: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int,
                               _ codes: [UInt64]) -> [UInt8] {
        var writer = ZstdBitWriter(capacity: (hi - lo) * maxBits / 8 + 8)
        codes.withUnsafeBufferPointer { codes in
            let codes = codes.baseAddress!
            let literals = literals.baseAddress!
            var i = hi
            // Four codes take at most 44 bits, which fit beside the 7 a store may leave.
            while i - 4 >= lo {
                put(codes[Int(literals[i - 1])], into: &writer)
                put(codes[Int(literals[i - 2])], into: &writer)
                put(codes[Int(literals[i - 3])], into: &writer)
                put(codes[Int(literals[i - 4])], into: &writer)
                writer.flush()
                i -= 4
            }
            while i > lo {
                i -= 1
                put(codes[Int(literals[i])], into: &writer)
                writer.flush()
            }
        }
        return writer.close()
    }

    /// Adds one code table entry (the code above its length's 8 bits).
    @inline(__always)
    private static func put(_ entry: UInt64, into writer: inout ZstdBitWriter) {
        writer.add(entry &>> 8, Int(entry & 0xFF))
    }
}
