/// A strict JSON text parser into `JSON`. Integers without fraction or exponent become `.int`
/// (falling back to `.double` when they overflow 64 bits), everything else numeric `.double`.
/// Arrays and objects are parsed with a stack on the heap, not by recursion, so hostile input
/// cannot exhaust the calling thread's stack; their nesting depth is bounded as well.
extension JSON {
    /// Why a text is not JSON, and where.
    public struct ParseError: Error, CustomStringConvertible {
        /// The byte offset in the text where parsing stopped.
        public var offset: Int
        /// What was wrong there.
        public var reason: String
        /// Where and why, in one line.
        public var description: String { "invalid JSON at byte \(offset): \(reason)" }
    }

    /// The deepest nesting of arrays and objects `parse` accepts by default. The parser itself
    /// manages any depth, but what it returns is a recursive value that is hashed, serialized
    /// and freed by recursion on the caller's thread (often the loop thread, maybe one with a
    /// small stack). At 256 levels a debug build frees or compares it within 64 KiB of stack
    /// and hashes or serializes it within 512 KiB (measured); that is far more nesting than
    /// real messages use (serde_json stops at 128), and the old recursive parser overflowed
    /// 512 KiB stacks at 255 levels.
    public static let maxNestingDepth = 256

    /// Parses a complete JSON text (surrounding whitespace allowed); arrays and objects nested
    /// deeper than `maxDepth` are an error.
    public static func parse(_ bytes: some Collection<UInt8>, maxDepth: Int = maxNestingDepth) throws(ParseError) -> JSON {
        var parser = Parser(bytes: Array(bytes), maxDepth: maxDepth)
        parser.skipSpace()
        let value = try parser.document()
        parser.skipSpace()
        if parser.index != parser.bytes.count { throw parser.fail("trailing characters") }
        return value
    }

    /// Parses `text` (its UTF-8 bytes).
    public static func parse(_ text: String, maxDepth: Int = maxNestingDepth) throws(ParseError) -> JSON {
        try parse(Array(text.utf8), maxDepth: maxDepth)
    }

    private struct Parser {
        /// An array or object still open, with what it has so far.
        enum Open {
            case array([JSON])
            case object([String: JSON], key: String)
        }

        let bytes: [UInt8]
        let maxDepth: Int
        var index = 0

        init(bytes: [UInt8], maxDepth: Int) {
            self.bytes = bytes
            self.maxDepth = maxDepth
        }

        func fail(_ reason: String) -> ParseError { ParseError(offset: index, reason: reason) }

        mutating func skipSpace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }

        func at(_ ascii: Unicode.Scalar) -> Bool { index < bytes.count && bytes[index] == UInt8(ascii: ascii) }

        mutating func literal(_ word: String, _ value: JSON) throws(ParseError) -> JSON {
            let w = Array(word.utf8)
            guard index + w.count <= bytes.count, Array(bytes[index..<index + w.count]) == w else {
                throw fail("expected \(word)")
            }
            index += w.count
            return value
        }

        /// One value with everything nested in it. Each step either opens a container (and
        /// goes on with its first element) or completes a value, which is then added to the
        /// containers it closes until one expects another element.
        mutating func document() throws(ParseError) -> JSON {
            var open: [Open] = []
            while true {
                var value: JSON
                skipSpace()
                guard index < bytes.count else { throw fail("unexpected end") }
                let opens = at("[") || at("{")
                if opens, open.count >= maxDepth { throw fail("nesting deeper than \(maxDepth) levels") }
                if at("[") {
                    index += 1
                    skipSpace()
                    if !at("]") {
                        open.append(.array([]))
                        continue
                    }
                    index += 1
                    value = .array([])
                } else if at("{") {
                    index += 1
                    skipSpace()
                    if !at("}") {
                        open.append(.object([:], key: try key()))
                        continue
                    }
                    index += 1
                    value = .object([:])
                } else {
                    value = try scalar()
                }
                while let container = open.popLast() {
                    skipSpace()
                    switch container {
                    case .array(var items):
                        items.append(value)
                        guard index < bytes.count else { throw fail("unterminated array") }
                        if at(",") {
                            index += 1
                            open.append(.array(items))
                        } else if at("]") {
                            index += 1
                            value = .array(items)
                            continue
                        } else {
                            throw fail("expected , or ]")
                        }
                    case .object(var members, let key):
                        members[key] = value
                        guard index < bytes.count else { throw fail("unterminated object") }
                        if at(",") {
                            index += 1
                            open.append(.object(members, key: try self.key()))
                        } else if at("}") {
                            index += 1
                            value = .object(members)
                            continue
                        } else {
                            throw fail("expected , or }")
                        }
                    }
                    break
                }
                if open.isEmpty { return value }
            }
        }

        /// An object member's key and its colon.
        mutating func key() throws(ParseError) -> String {
            skipSpace()
            guard at("\"") else { throw fail("expected key") }
            let key = try string()
            skipSpace()
            guard at(":") else { throw fail("expected :") }
            index += 1
            return key
        }

        mutating func scalar() throws(ParseError) -> JSON {
            switch bytes[index] {
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): return try literal("true", .bool(true))
            case UInt8(ascii: "f"): return try literal("false", .bool(false))
            case UInt8(ascii: "n"): return try literal("null", .null)
            case UInt8(ascii: "N"): return try literal("NaN", .double(.nan))
            case UInt8(ascii: "I"): return try literal("Infinity", .double(.infinity))
            default: return try number()
            }
        }

        mutating func hex4() throws(ParseError) -> UInt32 {
            guard index + 4 <= bytes.count else { throw fail("short \\u escape") }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let c = bytes[index]
                let d: UInt32
                switch c {
                case 0x30...0x39: d = UInt32(c - 0x30)
                case 0x41...0x46: d = UInt32(c - 0x41 + 10)
                case 0x61...0x66: d = UInt32(c - 0x61 + 10)
                default: throw fail("bad hex digit")
                }
                v = v << 4 | d
                index += 1
            }
            return v
        }

        mutating func string() throws(ParseError) -> String {
            index += 1
            var out: [UInt8] = []
            while true {
                guard index < bytes.count else { throw fail("unterminated string") }
                let c = bytes[index]
                index += 1
                if c == UInt8(ascii: "\"") { break }
                if c < 0x20 { throw fail("control character in string") }
                if c != UInt8(ascii: "\\") { out.append(c); continue }
                guard index < bytes.count else { throw fail("unterminated escape") }
                let e = bytes[index]
                index += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar), index + 1 < bytes.count,
                       bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
                        index += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw fail("bad surrogate pair") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    let s = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                    out.append(contentsOf: Array(String(Character(s)).utf8))
                default: throw fail("bad escape")
                }
            }
            return String(decoding: out, as: UTF8.self)
        }

        mutating func number() throws(ParseError) -> JSON {
            let start = index
            var isInteger = true
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
            if index < bytes.count, bytes[index] == UInt8(ascii: "I") {
                _ = try literal("Infinity", .null)
                return .double(-.infinity)
            }
            let digitsStart = index
            while index < bytes.count {
                let c = bytes[index]
                if c >= 0x30 && c <= 0x39 { index += 1; continue }
                if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E")
                    || ((c == UInt8(ascii: "+") || c == UInt8(ascii: "-")) && !isInteger) {
                    isInteger = false
                    index += 1
                    continue
                }
                break
            }
            guard index > digitsStart else { throw fail("unexpected character") }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            if isInteger, let i = Int64(text) { return .int(i) }
            guard let d = Double(text) else { throw fail("bad number \(text)") }
            return .double(d)
        }
    }
}
