/// zstd's "double fast" LZ77 strategy (its levels 3 and 4; Kiel's levels 1–4): at each position
/// one lookup in a table of 8-byte hashes and one in a table of 5-byte hashes, no chains. An
/// 8-byte hit is preferred (it is likely long); a 5-byte hit is taken unless the next position
/// has an 8-byte one. The scan's step grows the longer it goes without a match, so
/// incompressible stretches cost little. Tables persist across blocks, so matches reach into
/// earlier blocks of the frame within the window. Confined to the encoding thread.
struct ZstdDoubleFastMatchFinder: ZstdSequenceFinder {
    static let minMatch = 4
    /// Bytes every hashed position needs from its start (the long hash reads 8).
    static let hashReadSize = 8
    let longLog: Int
    let shortLog: Int
    let windowSize: Int
    /// Shifts that keep a hash's top `longLog` and `shortLog` bits.
    private let longShift: UInt64
    private let shortShift: UInt64
    /// The scan's step grows by one after each `stepIncrement` bytes without a match.
    let stepIncrement: Int
    /// The two most recent offsets; 0 when none can be used yet.
    var rep1 = 0
    var rep2 = 0
    /// The latest position per 8-byte and per 5-byte hash. Empty entries hold `Int32.min`, so
    /// that one offset-in-window comparison also rejects them.
    let long: UnsafeMutablePointer<Int32>
    let short: UnsafeMutablePointer<Int32>
    private let longTable: ZstdPositionTable
    private let shortTable: ZstdPositionTable

    init(level: Int, inputCount: Int, windowLog: Int) {
        // Small inputs (the usual Kafka batch) get small tables: filling them is a fixed cost.
        let sizeLog = 64 - max(inputCount, 1).leadingZeroBitCount
        longLog = max(8, min(level >= 4 ? 18 : level >= 3 ? 17 : 16, sizeLog))
        shortLog = longLog - 1
        longShift = UInt64(64 - longLog)
        shortShift = UInt64(64 - shortLog)
        windowSize = 1 << windowLog
        stepIncrement = level >= 3 ? 256 : 128
        longTable = ZstdPositionTable(count: 1 << longLog, filledWith: .min)
        shortTable = ZstdPositionTable(count: 1 << shortLog, filledWith: .min)
        long = longTable.entries
        short = shortTable.entries
    }

    @inline(__always)
    static func read32(_ p: UnsafePointer<UInt8>, _ pos: Int) -> UInt32 {
        UnsafeRawPointer(p + pos).loadUnaligned(as: UInt32.self)
    }

    @inline(__always)
    static func read64(_ p: UnsafePointer<UInt8>, _ pos: Int) -> UInt64 {
        UnsafeRawPointer(p + pos).loadUnaligned(as: UInt64.self)
    }

    /// Hash of the 8 bytes at `pos` (zstd's multiplier).
    @inline(__always)
    func longHash(_ p: UnsafePointer<UInt8>, _ pos: Int) -> Int {
        Int(truncatingIfNeeded: (Self.read64(p, pos) &* 0xCF1B_BCDC_B7A5_6463) &>> longShift)
    }

    /// Hash of the 5 bytes at `pos` (reads 8, keeps the low 5).
    @inline(__always)
    func shortHash(_ p: UnsafePointer<UInt8>, _ pos: Int) -> Int {
        Int(truncatingIfNeeded: ((Self.read64(p, pos) &<< 24) &* 889_523_592_379) &>> shortShift)
    }

    /// Whether a table entry for `pos` is a usable match source: earlier, and inside the window.
    @inline(__always)
    func inWindow(_ candidate: Int32, _ pos: Int) -> Bool {
        UInt(bitPattern: pos &- Int(candidate) &- 1) < UInt(bitPattern: windowSize &- 1)
    }

    /// A match found by the scan: where it starts, its source, its length, and the position
    /// the scan stood on (`searched`) with the one it would have looked at next (`next`).
    struct Match {
        var start: Int
        var offset: Int
        var length: Int
        var searched: Int
        var next: Int
        var step: Int
        var isRepeat: Bool
    }

    /// Finds the sequences covering `start ..< end`; returns the trailing literal count.
    mutating func sequences(_ p: UnsafePointer<UInt8>, count: Int, start: Int, end: Int,
                            into result: inout [ZstdSequence]) -> Int {
        result.removeAll(keepingCapacity: true)
        // Every scanned position reads 8 bytes, and a match found there stays in the block.
        let limit = end - Self.hashReadSize
        // Offsets from before this block that reach before the input are unusable here.
        if rep1 > start { rep1 = 0 }
        if rep2 > start { rep2 = 0 }
        var anchor = start
        // The input's first byte can't match anything.
        var pos = start == 0 ? 1 : start
        while let match = scan(p, from: pos, anchor: anchor, limit: limit, end: end) {
            if !match.isRepeat {
                (rep2, rep1) = (rep1, match.offset)
                // The position the scan would have read next precedes the match's end when
                // the step is below the minimum match length: worth indexing.
                if match.step < Self.minMatch {
                    long[longHash(p, match.next)] = Int32(truncatingIfNeeded: match.next)
                }
            }
            result.append(ZstdSequence(literalLength: match.start - anchor, matchLength: match.length,
                                       offset: match.offset))
            pos = match.start + match.length
            anchor = pos
            guard pos <= limit else { break }
            indexAfterMatch(p, searched: match.searched, end: pos)
            pos = repeatMatches(p, at: pos, limit: limit, end: end, into: &result)
            anchor = pos
        }
        return end - anchor
    }

    /// Scans from `pos` to the first match; nil when the block's scannable part ends first.
    /// Positions stay between 0 and `limit`, so the loop uses wrapping arithmetic.
    @inline(__always)
    mutating func scan(_ p: UnsafePointer<UInt8>, from start: Int, anchor: Int, limit: Int, end: Int) -> Match? {
        var pos = start
        var step = 1
        var nextStep = pos + stepIncrement
        var next = pos + step
        guard next <= limit else { return nil }
        var longSlot = longHash(p, pos)
        var longCandidate = long[longSlot]
        repeat {
            let shortSlot = shortHash(p, pos)
            let shortCandidate = short[shortSlot]
            long[longSlot] = Int32(truncatingIfNeeded: pos)
            short[shortSlot] = Int32(truncatingIfNeeded: pos)

            // The most recent offset, one byte ahead: the cheapest match to code.
            let ahead = pos &+ 1
            if rep1 > 0 && Self.read32(p, ahead &- rep1) == Self.read32(p, ahead) {
                let length = ZstdMatchFinder.matchLength(p, ahead &- rep1 &+ 4, ahead &+ 4, limit: end) &+ 4
                return Match(start: ahead, offset: rep1, length: length, searched: pos, next: next,
                             step: step, isRepeat: true)
            }
            let nextLongSlot = longHash(p, next)
            if inWindow(longCandidate, pos) && Self.read64(p, Int(longCandidate)) == Self.read64(p, pos) {
                return extend(p, pos, Int(longCandidate), known: 8, anchor: anchor, end: end,
                              searched: pos, next: next, step: step)
            }
            let nextLongCandidate = long[nextLongSlot]
            if inWindow(shortCandidate, pos) && Self.read32(p, Int(shortCandidate)) == Self.read32(p, pos) {
                // A long match one byte later usually beats the short one here.
                if inWindow(nextLongCandidate, next)
                    && Self.read64(p, Int(nextLongCandidate)) == Self.read64(p, next) {
                    return extend(p, next, Int(nextLongCandidate), known: 8, anchor: anchor, end: end,
                                  searched: pos, next: next, step: step)
                }
                return extend(p, pos, Int(shortCandidate), known: 4, anchor: anchor, end: end,
                              searched: pos, next: next, step: step)
            }
            if next >= nextStep {
                step &+= 1
                nextStep &+= stepIncrement
            }
            pos = next
            next &+= step
            longSlot = nextLongSlot
            longCandidate = nextLongCandidate
        } while next <= limit
        return nil
    }

    /// The match at `pos` from `source` whose first `known` bytes are equal, extended forwards
    /// to the block end and backwards into the pending literals.
    @inline(__always)
    func extend(_ p: UnsafePointer<UInt8>, _ pos: Int, _ source: Int, known: Int, anchor: Int, end: Int,
                searched: Int, next: Int, step: Int) -> Match {
        var start = pos
        var from = source
        var length = ZstdMatchFinder.matchLength(p, source + known, pos + known, limit: end) + known
        while start > anchor && from > 0 && p[start - 1] == p[from - 1] {
            start -= 1
            from -= 1
            length += 1
        }
        return Match(start: start, offset: pos - source, length: length, searched: searched, next: next,
                     step: step, isRepeat: false)
    }

    /// Indexes two positions inside a match and two near its end, so later data can match
    /// into it without hashing all of it.
    @inline(__always)
    func indexAfterMatch(_ p: UnsafePointer<UInt8>, searched: Int, end: Int) {
        let inside = searched + 2
        long[longHash(p, inside)] = Int32(truncatingIfNeeded: inside)
        long[longHash(p, end - 2)] = Int32(truncatingIfNeeded: end - 2)
        short[shortHash(p, inside)] = Int32(truncatingIfNeeded: inside)
        short[shortHash(p, end - 1)] = Int32(truncatingIfNeeded: end - 1)
    }

    /// Takes matches at the second most recent offset right at `pos` (no literals between:
    /// they code as a repeat); returns where the next scan starts.
    @inline(__always)
    mutating func repeatMatches(_ p: UnsafePointer<UInt8>, at start: Int, limit: Int, end: Int,
                                into result: inout [ZstdSequence]) -> Int {
        var pos = start
        while pos <= limit && rep2 > 0 && Self.read32(p, pos) == Self.read32(p, pos - rep2) {
            let length = ZstdMatchFinder.matchLength(p, pos - rep2 + 4, pos + 4, limit: end) + 4
            (rep1, rep2) = (rep2, rep1)
            short[shortHash(p, pos)] = Int32(truncatingIfNeeded: pos)
            long[longHash(p, pos)] = Int32(truncatingIfNeeded: pos)
            result.append(ZstdSequence(literalLength: 0, matchLength: length, offset: rep1))
            pos += length
        }
        return pos
    }
}

/// Finds a block's LZ77 sequences, keeping what it learnt for the frame's later blocks.
protocol ZstdSequenceFinder {
    /// Finds the sequences covering `start ..< end` of the `count` bytes at `p` into `result`
    /// (emptied first); returns the number of literals after the last sequence.
    mutating func sequences(_ p: UnsafePointer<UInt8>, count: Int, start: Int, end: Int,
                            into result: inout [ZstdSequence]) -> Int
}

/// A table of input positions in raw memory, for as long as a finder (or a copy of one)
/// lives: the finders' hot loops index their tables on every byte, and as arrays each write
/// paid a uniqueness check and a bounds check (every index is already masked to the size).
final class ZstdPositionTable {
    let entries: UnsafeMutablePointer<Int32>

    init(count: Int, filledWith value: Int32) {
        entries = .allocate(capacity: count)
        entries.initialize(repeating: value, count: count)
    }

    deinit { entries.deallocate() }
}
