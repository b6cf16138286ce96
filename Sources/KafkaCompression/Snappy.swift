/// Snappy, pure Swift: the raw block format (a varint length, then literal and copy
/// elements) with a hash-table LZ77 encoder, and a fully bounds-checked decoder.
/// `Snappy+Xerial.swift` adds the xerial framing the Java client writes.
///
/// Pure functions; any thread may call them.
public enum Snappy {
    /// The encoder matches within 64 KiB blocks so every offset fits in two bytes.
    static let blockSize = 1 << 16
    static let hashBits = 14

    /// The largest output `compress` can produce for `count` input bytes.
    public static func maxCompressedLength(_ count: Int) -> Int { 32 + count + count / 6 }

    /// Compresses `input` into one raw snappy block.
    public static func compress(_ input: [UInt8]) -> [UInt8] {
        input.withUnsafeBufferPointer { compress($0) }
    }

    /// Compresses the bytes in `input` into one raw snappy block.
    public static func compress(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        let capacity = maxCompressedLength(input.count)
        return [UInt8](unsafeUninitializedCapacity: capacity) { out, written in
            written = compressRaw(input, into: out.baseAddress!)
        }
    }

    /// Writes a raw snappy block for `input` at `dst` (which has room for
    /// `maxCompressedLength(input.count)` bytes) and returns its length.
    static func compressRaw(_ input: UnsafeBufferPointer<UInt8>, into dst: UnsafeMutablePointer<UInt8>) -> Int {
        var op = 0
        var n = UInt32(input.count)
        while n >= 0x80 {
            dst[op] = UInt8(truncatingIfNeeded: n) | 0x80
            op += 1
            n >>= 7
        }
        dst[op] = UInt8(n)
        op += 1
        guard let src = input.baseAddress, input.count > 0 else { return op }
        let table = UnsafeMutablePointer<UInt16>.allocate(capacity: 1 << hashBits)
        defer { table.deallocate() }
        var start = 0
        while start < input.count {
            let end = min(start + blockSize, input.count)
            op = compressBlock(src, start, end, table, dst, op)
            start = end
        }
        return op
    }

    @inline(__always)
    static func load32(_ p: UnsafePointer<UInt8>, _ i: Int) -> UInt32 {
        UnsafeRawPointer(p + i).loadUnaligned(as: UInt32.self)
    }

    @inline(__always)
    static func hash(_ v: UInt32) -> Int {
        Int((v &* 0x1E35_A7BD) >> UInt32(32 - hashBits))
    }

    /// One 64 KiB block: table entries are offsets from `start`, so they fit in a UInt16.
    static func compressBlock(_ src: UnsafePointer<UInt8>, _ start: Int, _ end: Int,
                              _ table: UnsafeMutablePointer<UInt16>,
                              _ dst: UnsafeMutablePointer<UInt8>, _ opIn: Int) -> Int {
        var op = opIn
        var literalStart = start
        // Matches need 4 readable bytes; tiny blocks are a single literal.
        if end - start >= 16 {
            table.initialize(repeating: 0, count: 1 << hashBits)
            let limit = end - 4
            var p = start + 1
            var skip = 32
            while p <= limit {
                let v = load32(src, p)
                let h = hash(v)
                let candidate = start + Int(table[h])
                table[h] = UInt16(p - start)
                guard candidate < p, load32(src, candidate) == v else {
                    // Skip faster through data that keeps missing: incompressible input stays cheap.
                    p += skip >> 5
                    skip += 1
                    continue
                }
                op = emitLiteral(src, literalStart, p, dst, op)
                var length = 4
                while p + length + 8 <= end {
                    let a = UnsafeRawPointer(src + candidate + length).loadUnaligned(as: UInt64.self)
                    let b = UnsafeRawPointer(src + p + length).loadUnaligned(as: UInt64.self)
                    let x = a ^ b
                    if x != 0 {
                        length += UInt64(littleEndian: x).trailingZeroBitCount >> 3
                        break
                    }
                    length += 8
                }
                while p + length < end && src[candidate + length] == src[p + length] { length += 1 }
                op = emitCopy(offset: p - candidate, length: length, dst, op)
                p += length
                literalStart = p
                skip = 32
                if p - 1 <= limit {
                    table[hash(load32(src, p - 1))] = UInt16(p - 1 - start)
                }
            }
        }
        return emitLiteral(src, literalStart, end, dst, op)
    }

    @inline(__always)
    static func emitLiteral(_ src: UnsafePointer<UInt8>, _ from: Int, _ to: Int,
                            _ dst: UnsafeMutablePointer<UInt8>, _ opIn: Int) -> Int {
        let count = to - from
        guard count > 0 else { return opIn }
        var op = opIn
        let n = UInt32(count - 1)
        if n < 60 {
            dst[op] = UInt8(n << 2)
            op += 1
        } else {
            let extra = n < 1 << 8 ? 1 : n < 1 << 16 ? 2 : n < 1 << 24 ? 3 : 4
            dst[op] = UInt8((59 + extra) << 2)
            op += 1
            for i in 0..<extra { dst[op + i] = UInt8(truncatingIfNeeded: n >> UInt32(8 * i)) }
            op += extra
        }
        (dst + op).update(from: src + from, count: count)
        return op + count
    }

    @inline(__always)
    static func emitCopy(offset: Int, length lengthIn: Int, _ dst: UnsafeMutablePointer<UInt8>, _ opIn: Int) -> Int {
        var op = opIn
        var length = lengthIn
        // Long matches become 64-byte copies; leave at least 4 for the last element.
        while length >= 68 {
            op = emitCopy2(offset, 64, dst, op)
            length -= 64
        }
        if length > 64 {
            op = emitCopy2(offset, 60, dst, op)
            length -= 60
        }
        if length < 12 && offset < 2048 {
            dst[op] = UInt8(1 | ((length - 4) << 2) | ((offset >> 8) << 5))
            dst[op + 1] = UInt8(truncatingIfNeeded: offset)
            return op + 2
        }
        return emitCopy2(offset, length, dst, op)
    }

    @inline(__always)
    static func emitCopy2(_ offset: Int, _ length: Int, _ dst: UnsafeMutablePointer<UInt8>, _ op: Int) -> Int {
        dst[op] = UInt8(2 | ((length - 1) << 2))
        dst[op + 1] = UInt8(truncatingIfNeeded: offset)
        dst[op + 2] = UInt8(truncatingIfNeeded: offset >> 8)
        return op + 3
    }
}
