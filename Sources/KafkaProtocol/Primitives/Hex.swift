// Hex conversions, mostly for byte fixtures in tests and for debugging output.

extension Array where Element == UInt8 {
    /// Parses hex digits; spaces, newlines, tabs, `:` and `_` are ignored so fixtures can be
    /// grouped for reading. Returns nil on any other character or an odd digit count.
    public init?(hex: String) {
        var out: [UInt8] = []
        out.reserveCapacity(hex.utf8.count / 2)
        var high: UInt8? = nil
        for c in hex.utf8 {
            let nibble: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = c - UInt8(ascii: "A") + 10
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\t"), UInt8(ascii: "\r"),
                 UInt8(ascii: ":"), UInt8(ascii: "_"):
                continue
            default:
                return nil
            }
            if let h = high {
                out.append(h << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        if high != nil { return nil }
        self = out
    }
}

private let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

extension Collection where Element == UInt8 {
    /// Lower-case hex, no separators.
    public var hexString: String {
        var out: [UInt8] = []
        out.reserveCapacity(count * 2)
        for b in self {
            out.append(hexDigits[Int(b >> 4)])
            out.append(hexDigits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A classic dump: offset, 16 hex bytes per line, and the printable ASCII.
    public var hexDump: String {
        var lines: [String] = []
        var offset = 0
        var row: [UInt8] = []
        func flush() {
            var hexPart = ""
            for (i, b) in row.enumerated() {
                hexPart += String(decoding: [hexDigits[Int(b >> 4)], hexDigits[Int(b & 0x0f)]], as: UTF8.self)
                hexPart += i == 7 ? "  " : " "
            }
            hexPart += String(repeating: " ", count: Swift.max(0, 50 - hexPart.count))
            let ascii = String(decoding: row.map { (0x20..<0x7f).contains($0) ? $0 : UInt8(ascii: ".") },
                               as: UTF8.self)
            let off = String(offset, radix: 16)
            lines.append(String(repeating: "0", count: Swift.max(0, 8 - off.count)) + off + "  " + hexPart + "|" + ascii + "|")
            offset += row.count
            row.removeAll(keepingCapacity: true)
        }
        for b in self {
            row.append(b)
            if row.count == 16 { flush() }
        }
        if !row.isEmpty { flush() }
        return lines.joined(separator: "\n")
    }
}
