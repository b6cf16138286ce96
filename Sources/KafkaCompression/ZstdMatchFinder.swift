/// One LZ77 sequence: `literalLength` literals, then `matchLength` bytes copied from
/// `offset` bytes back.
struct ZstdSequence {
    var literalLength: Int
    var matchLength: Int
    var offset: Int
}

/// Hash-chain LZ77 match finder over the whole input, for the levels above 4 (it still serves
/// any level); keeps its tables across blocks so matches may reach into earlier blocks within
/// the window. Confined to the encoding thread.
struct ZstdMatchFinder: ZstdSequenceFinder {
    static let minMatch = 4
    /// Positions indexed at each end of a long match at the fast (not lazy) levels.
    static let sparseEdge = 8
    let hashLog: Int
    /// Bytes hashed per position: longer hashes keep chains selective on repetitive data.
    let hashLength: Int
    let windowSize: Int
    let searchDepth: Int
    let lazy: Bool
    /// Larger values skip through incompressible data faster.
    let skipShift: Int
    /// Recently used offsets, most recent first; matches at these offsets code cheaply.
    var recent = (1, 4, 8)
    /// The latest position per hash, and per position the one before it with the same hash;
    /// -1 for none.
    let head: UnsafeMutablePointer<Int32>
    let chain: UnsafeMutablePointer<Int32>
    private let headTable: ZstdPositionTable
    private let chainTable: ZstdPositionTable
    let chainMask: Int

    init(level: Int, inputCount: Int, windowLog: Int) {
        let level = min(max(level, 1), 22)
        // Small inputs (the usual Kafka batch) get small tables: zero-filling is the main cost.
        let sizeLog = 64 - max(inputCount, 1).leadingZeroBitCount + 1
        hashLog = min(level >= 10 ? 18 : 17, max(8, sizeLog))
        hashLength = level <= 2 ? 4 : 6
        windowSize = 1 << windowLog
        searchDepth = level <= 1 ? 1 : min(1 << (level / 2 + 1), 256)
        lazy = level >= 5
        skipShift = level <= 2 ? 5 : level < 10 ? 6 : 8
        // The fast levels walk at most a few links, so a chain of the last 64K positions serves
        // them as well as one per input byte, and zero-filling it no longer costs 4 bytes of
        // memset per input byte. An entry overwritten by a later position is not followed
        // (links must point backwards), so a short chain only ends walks early.
        let chainLimit = lazy ? min(inputCount, windowSize) : min(inputCount, windowSize, 1 << 16)
        var chainSize = 1
        while chainSize < chainLimit { chainSize <<= 1 }
        headTable = ZstdPositionTable(count: 1 << hashLog, filledWith: -1)
        chainTable = ZstdPositionTable(count: chainSize, filledWith: -1)
        head = headTable.entries
        chain = chainTable.entries
        chainMask = chainSize - 1
    }

    @inline(__always)
    func hash(_ p: UnsafePointer<UInt8>, _ pos: Int) -> Int {
        if hashLength == 4 {
            let v = UnsafeRawPointer(p + pos).loadUnaligned(as: UInt32.self)
            return Int((v &* 2_654_435_761) >> UInt32(32 - hashLog))
        }
        let v = UnsafeRawPointer(p + pos).loadUnaligned(as: UInt64.self) << 16
        return Int(truncatingIfNeeded: (v &* 0xCF1B_BCDC_B7A5_6463) >> UInt64(64 - hashLog))
    }

    @inline(__always)
    mutating func insert(_ p: UnsafePointer<UInt8>, _ pos: Int) -> Int {
        let h = hash(p, pos)
        let previous = Int(head[h])
        head[h] = Int32(pos)
        chain[pos & chainMask] = Int32(previous)
        return previous
    }

    /// Length of the common prefix of `p+a` and `p+b` (a < b), not reading at or past `limit`.
    /// Wrapping arithmetic: every index here lies between 0 and `limit`.
    @inline(__always)
    static func matchLength(_ p: UnsafePointer<UInt8>, _ a: Int, _ b: Int, limit: Int) -> Int {
        let available = limit &- b
        let x = UnsafeRawPointer(p + a), y = UnsafeRawPointer(p + b)
        var n = 0
        while n &+ 8 <= available {
            let diff = x.loadUnaligned(fromByteOffset: n, as: UInt64.self)
                ^ y.loadUnaligned(fromByteOffset: n, as: UInt64.self)
            if diff != 0 { return n &+ diff.trailingZeroBitCount &>> 3 }
            n &+= 8
        }
        while n < available && p[a &+ n] == p[b &+ n] { n &+= 1 }
        return n
    }

    /// How much a match is worth: each byte saves a literal; far offsets cost extra bits.
    @inline(__always)
    static func score(_ length: Int, _ offset: Int) -> Int {
        length * 4 - (63 - UInt64(offset).leadingZeroBitCount)
    }

    /// Best-scoring match for `pos` among the chain starting at `candidate`.
    @inline(__always)
    func bestMatch(_ p: UnsafePointer<UInt8>, pos: Int, candidate first: Int, limit: Int) -> (length: Int, offset: Int) {
        var bestLength = 0
        var bestOffset = 0
        var bestScore = Int.min
        var candidate = first
        var depth = searchDepth
        let lowest = pos - windowSize
        while candidate >= 0 && candidate > lowest && depth > 0 {
            if bestLength == 0 || p[candidate + bestLength] == p[pos + bestLength] {
                let length = Self.matchLength(p, candidate, pos, limit: limit)
                let offset = pos - candidate
                if length >= Self.minMatch && Self.score(length, offset) > bestScore {
                    bestLength = length
                    bestOffset = offset
                    bestScore = Self.score(length, offset)
                    if pos + length >= limit { break }
                }
            }
            let next = Int(chain[candidate & chainMask])
            if next >= candidate { break }
            candidate = next
            depth -= 1
        }
        return (bestLength, bestOffset)
    }

    /// The longest match at one of the two most recent offsets.
    @inline(__always)
    func repeatMatch(_ p: UnsafePointer<UInt8>, pos: Int, limit: Int) -> (length: Int, offset: Int) {
        var best = (length: 0, offset: 0)
        for offset in [recent.0, recent.1] where offset <= pos && offset < windowSize {
            let length = Self.matchLength(p, pos - offset, pos, limit: limit)
            if length > best.length { best = (length, offset) }
        }
        return best
    }

    /// Finds the sequences covering `start ..< end`; returns the trailing literal count.
    mutating func sequences(_ p: UnsafePointer<UInt8>, count: Int, start: Int, end: Int,
                            into result: inout [ZstdSequence]) -> Int {
        result.removeAll(keepingCapacity: true)
        var anchor = start
        var pos = start
        // Positions below `inserted` are already in the hash chains.
        var inserted = start
        // Hashing reads 8 bytes at a position when hashLength is 6 (4 when it is 4).
        let hashEnd = min(end, count - (hashLength == 4 ? 3 : 7))
        while pos + Self.minMatch <= end && pos < hashEnd {
            let candidate = pos >= inserted ? insert(p, pos) : Int(chain[pos & chainMask])
            inserted = max(inserted, pos + 1)
            var (length, offset) = bestMatch(p, pos: pos, candidate: candidate, limit: end)
            if pos > anchor {
                let (repLength, repOffset) = repeatMatch(p, pos: pos, limit: end)
                if repLength >= Self.minMatch && repLength * 4 + 2 >= Self.score(length, max(offset, 1)) {
                    (length, offset) = (repLength, repOffset)
                }
            }
            if length < Self.minMatch {
                pos += 1 + ((pos - anchor) >> skipShift)
                continue
            }
            if lazy {
                while pos + 1 < hashEnd {
                    let next = insert(p, pos + 1)
                    inserted = pos + 2
                    let (l2, o2) = bestMatch(p, pos: pos + 1, candidate: next, limit: end)
                    if l2 >= Self.minMatch && Self.score(l2, o2) > Self.score(length, offset) + 4 {
                        pos += 1
                        length = l2
                        offset = o2
                    } else {
                        break
                    }
                }
            }
            // Extend backwards into pending literals.
            while pos > anchor && pos - offset > 0 && p[pos - 1] == p[pos - offset - 1] {
                pos -= 1
                length += 1
            }
            result.append(ZstdSequence(literalLength: pos - anchor, matchLength: length, offset: offset))
            if offset == recent.1 {
                recent = (offset, recent.0, recent.2)
            } else if offset == recent.2 {
                recent = (offset, recent.0, recent.1)
            } else if offset != recent.0 {
                recent = (offset, recent.0, recent.1)
            }
            let matchEnd = pos + length
            var fill = inserted
            let fillEnd = min(matchEnd, hashEnd)
            // Hashing every position inside a long match was most of the fast levels' time on
            // repetitive batches. Like zstd's fast strategies, they index only its edges: its
            // first and last `sparseEdge` positions (later matches start at or past its end).
            if !lazy && fillEnd - fill > 4 * Self.sparseEdge {
                while fill < inserted + Self.sparseEdge {
                    _ = insert(p, fill)
                    fill += 1
                }
                fill = fillEnd - Self.sparseEdge
            }
            while fill < fillEnd {
                _ = insert(p, fill)
                fill += 1
            }
            inserted = max(inserted, fillEnd)
            pos = matchEnd
            anchor = pos
        }
        return end - anchor
    }
}
