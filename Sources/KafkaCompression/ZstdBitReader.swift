/// Reads a Zstandard backward bitstream (FSE and Huffman streams): the writer appended bits
/// little-endian and closed the stream with a 1-bit marker, so the reader starts at the last
/// byte and walks towards the first one.
///
/// Reads past the beginning yield zero bits and leave `overflowed` true; callers check
/// `isExactlyConsumed` / `overflowed` at the end instead of on every read. The memory behind
/// `start` must stay valid while the reader is used. Confined to the decoding thread.
struct ZstdBackwardBitReader {
    let start: UnsafePointer<UInt8>
    /// `container` holds the 8 bytes at `ptr` (a stream shorter than 8 bytes sits in its low
    /// bytes, the missing top bytes counted as consumed), so the bits left are always
    /// `(ptr - start) * 8 + 64 - consumed`.
    var ptr: UnsafePointer<UInt8>
    var container: UInt64
    /// Bits already taken from the top of `container`.
    var consumed: Int

    /// Throws `error` when the stream is empty or its last byte lacks the end marker.
    init(start: UnsafePointer<UInt8>, count: Int, error: ZstdError) throws(ZstdError) {
        guard count >= 1 else { throw error }
        let last = start[count - 1]
        guard last != 0 else { throw error }
        self.start = start
        if count >= 8 {
            ptr = start + (count - 8)
            container = UInt64(littleEndian: UnsafeRawPointer(ptr).loadUnaligned(as: UInt64.self))
            consumed = 0
        } else {
            ptr = start
            var value: UInt64 = 0
            for i in 0..<count { value |= UInt64(start[i]) << UInt64(8 * i) }
            container = value
            consumed = 8 * (8 - count)
        }
        consumed += last.leadingZeroBitCount + 1
    }

    /// The next `n` bits (0...56 after a reload), most recently written first; zeros past
    /// the start of the stream.
    @inline(__always)
    mutating func read(_ n: Int) -> UInt64 {
        let value = (container << UInt64(truncatingIfNeeded: consumed)) >> UInt64(truncatingIfNeeded: 64 - n)
        consumed += n
        return value
    }

    /// `read` for hot loops: masking shifts, so `consumed + n` must stay within 64 for the
    /// value to mean anything (true of every valid stream after `refill`); past that the
    /// value is garbage, which the caller's final `isExactlyConsumed` check rejects. The
    /// extra shift by one makes `n == 0` yield 0 without a branch.
    @inline(__always)
    mutating func readFast(_ n: Int) -> Int {
        let value = ((container &<< UInt64(truncatingIfNeeded: consumed)) &>> 1) &>> UInt64(truncatingIfNeeded: 63 &- n)
        consumed &+= n
        return Int(truncatingIfNeeded: value)
    }

    /// The next `n` bits (1...56) without consuming them.
    @inline(__always)
    func peek(_ n: Int) -> UInt64 {
        (container << UInt64(truncatingIfNeeded: consumed)) >> UInt64(truncatingIfNeeded: 64 - n)
    }

    /// Refills the container so at least 56 bits are available, unless the start is near.
    /// Keeps the count of bits left exact even after an overflow, so the final check holds.
    @inline(__always)
    mutating func reload() {
        let bytes = consumed &>> 3
        if ptr - start >= bytes {
            ptr -= bytes
            consumed &= 7
        } else {
            if ptr == start { return }
            consumed -= (ptr - start) * 8
            ptr = start
        }
        container = UInt64(littleEndian: UnsafeRawPointer(ptr).loadUnaligned(as: UInt64.self))
    }

    /// Bits not read yet (negative after an overflow).
    var remainingBits: Int { (ptr - start) * 8 + 64 - consumed }
    var overflowed: Bool { remainingBits < 0 }
    var isExactlyConsumed: Bool { remainingBits == 0 }
}

/// Reads little-endian bit fields forwards, for FSE table descriptions. Bytes past `count`
/// read as zero; the caller compares `bytesUsed` with what was available.
struct ZstdForwardBitReader {
    let base: UnsafePointer<UInt8>
    let count: Int
    var bitPosition = 0

    init(base: UnsafePointer<UInt8>, count: Int) {
        self.base = base
        self.count = count
    }

    mutating func read(_ n: Int) -> Int {
        let value = peek(n)
        bitPosition += n
        return value
    }

    func peek(_ n: Int) -> Int {
        var value = 0
        var got = 0
        var pos = bitPosition
        while got < n {
            let byteIndex = pos >> 3
            let bitInByte = pos & 7
            let take = min(8 - bitInByte, n - got)
            let byte = byteIndex < count ? Int(base[byteIndex]) : 0
            value |= ((byte >> bitInByte) & ((1 << take) - 1)) << got
            got += take
            pos += take
        }
        return value
    }

    var bytesUsed: Int { (bitPosition + 7) >> 3 }
}
