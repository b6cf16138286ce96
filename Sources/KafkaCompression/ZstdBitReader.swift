/// Reads a Zstandard backward bitstream (FSE and Huffman streams): the writer appended bits
/// little-endian and closed the stream with a 1-bit marker, so the reader starts at the last
/// byte and walks towards the first one.
///
/// Reads past the beginning yield zero bits and leave `overflowed` true; callers check
/// `isExactlyConsumed` / `overflowed` at the end instead of on every read. The memory behind
/// `start` must stay valid while the reader is used. Confined to the decoding thread.
struct ZstdBackwardBitReader {
    let start: UnsafePointer<UInt8>
    var ptr: UnsafePointer<UInt8>
    var container: UInt64
    /// Bits already taken from the top of `container`.
    var consumed: Int
    /// True when the stream is shorter than 8 bytes and `container` was assembled by hand.
    let small: Bool
    /// Zero bits below the data of a short stream (never part of it).
    let bottomPadding: Int

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
            small = false
            bottomPadding = 0
        } else {
            ptr = start
            var value: UInt64 = 0
            for i in 0..<count { value |= UInt64(start[i]) << UInt64(8 * i) }
            container = value << UInt64(8 * (8 - count))
            consumed = 0
            small = true
            bottomPadding = 8 * (8 - count)
        }
        consumed += last.leadingZeroBitCount + 1
    }

    /// The next `n` bits (0...56 after a reload), most recently written first.
    @inline(__always)
    mutating func read(_ n: Int) -> UInt64 {
        let value = (container << UInt64(truncatingIfNeeded: consumed)) >> UInt64(truncatingIfNeeded: 64 - n)
        consumed += n
        return value
    }

    /// The next `n` bits (1...56) without consuming them.
    @inline(__always)
    func peek(_ n: Int) -> UInt64 {
        (container << UInt64(truncatingIfNeeded: consumed)) >> UInt64(truncatingIfNeeded: 64 - n)
    }

    /// Refills the container so at least 56 bits are available, unless the start is near.
    @inline(__always)
    mutating func reload() {
        if consumed > 64 || small { return }
        let bytes = consumed >> 3
        let available = ptr - start
        if available >= bytes {
            ptr -= bytes
            consumed &= 7
        } else {
            if available == 0 { return }
            ptr = start
            consumed -= available * 8
        }
        container = UInt64(littleEndian: UnsafeRawPointer(ptr).loadUnaligned(as: UInt64.self))
    }

    /// Bits not read yet (negative after an overflow).
    var remainingBits: Int { (ptr - start) * 8 + 64 - bottomPadding - consumed }
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
