/// Writes JSON exactly as Python's `json.dumps(value, sort_keys=True)` does (kiel's default
/// serializer): `", "` and `": "` separators, keys sorted by code point, non-ASCII escaped as
/// `\uXXXX`, floats in Python's shortest `repr` form. Matching byte for byte lets a topic shared
/// with Python kiel producers stay consistent.
extension JSON {
    /// The Python-compatible text of this value, as UTF-8 bytes.
    public func pythonSerialized() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        JSON.write(self, into: &out)
        return out
    }

    static func write(_ value: JSON, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .double(let d): out.append(contentsOf: pythonRepr(d).utf8)
        case .string(let s): writeString(s, into: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (n, item) in items.enumerated() {
                if n > 0 { out.append(contentsOf: ", ".utf8) }
                write(item, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            let keys = members.keys.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
            for (n, key) in keys.enumerated() {
                if n > 0 { out.append(contentsOf: ", ".utf8) }
                writeString(key, into: &out)
                out.append(contentsOf: ": ".utf8)
                write(members[key]!, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func writeEscaped(_ unit: UInt16, into out: inout [UInt8]) {
        out.append(contentsOf: "\\u".utf8)
        for shift in stride(from: 12, through: 0, by: -4) {
            out.append(hexDigits[Int((unit >> UInt16(shift)) & 0xF)])
        }
    }

    static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for scalar in s.unicodeScalars {
            switch scalar.value {
            case 0x22: out.append(contentsOf: "\\\"".utf8)
            case 0x5C: out.append(contentsOf: "\\\\".utf8)
            case 0x0A: out.append(contentsOf: "\\n".utf8)
            case 0x0D: out.append(contentsOf: "\\r".utf8)
            case 0x09: out.append(contentsOf: "\\t".utf8)
            case 0x08: out.append(contentsOf: "\\b".utf8)
            case 0x0C: out.append(contentsOf: "\\f".utf8)
            case 0x20...0x7E: out.append(UInt8(scalar.value))
            default:
                // Python's ensure_ascii: everything outside printable ASCII as UTF-16 escapes.
                for unit in String(scalar).utf16 { writeEscaped(unit, into: &out) }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Python's `repr(float)`: shortest round-tripping digits, fixed notation when the decimal
    /// exponent is in [-4, 16), scientific (`1e+16`, `1e-05`) otherwise, and always a `.0`
    /// on integral values in fixed notation.
    static func pythonRepr(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        if d == 0 { return d.sign == .minus ? "-0.0" : "0.0" }
        // Swift's description already gives the shortest round-tripping digits; only the layout
        // differs from Python's, so take digits and exponent from it and lay them out again.
        var text = Substring(d.magnitude.description)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = text[..<e]
        }
        var digits = ""
        var pointPosition: Int? = nil
        for ch in text {
            if ch == "." { pointPosition = digits.count } else { digits.append(ch) }
        }
        var decpt = (pointPosition ?? digits.count) + exponent
        while digits.hasPrefix("0") && digits.count > 1 { digits.removeFirst(); decpt -= 1 }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        let sign = d < 0 ? "-" : ""
        let n = digits.count
        if decpt > 16 || decpt < -3 {
            let exp = decpt - 1
            var mantissa = String(digits.first!)
            if n > 1 { mantissa += "." + digits.dropFirst() }
            let expDigits = String(abs(exp))
            return sign + mantissa + "e" + (exp < 0 ? "-" : "+") + (expDigits.count < 2 ? "0" : "") + expDigits
        }
        if decpt <= 0 { return sign + "0." + String(repeating: "0", count: -decpt) + digits }
        if decpt >= n { return sign + digits + String(repeating: "0", count: decpt - n) + ".0" }
        let cut = digits.index(digits.startIndex, offsetBy: decpt)
        return sign + digits[..<cut] + "." + digits[cut...]
    }
}
