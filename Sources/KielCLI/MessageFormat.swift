import Kiel

/// kcat's `-f` output format for `kiel consume`: literal text with `%` fields, printed once
/// per message with no newline added (the format says where lines end).
///
/// Fields: `%t` topic, `%p` partition, `%o` offset, `%k` key, `%s` value, `%K` key length and
/// `%S` value length (-1 when null), `%h` headers as `name=value` joined by commas (a null
/// value prints as the bare name), `%T` timestamp in milliseconds, `%%` a percent sign. An
/// unknown field is printed as written. Keys and values are printed as their bytes.
enum MessageFormat {
    /// Turns `\n`, `\t`, `\r`, `\0` and `\\` into their characters, as kcat does with the
    /// format text; any other backslash stays.
    static func unescape(_ text: String) -> String {
        var out = ""
        var escaping = false
        for c in text {
            if escaping {
                switch c {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                case "0": out.append("\0")
                case "\\": out.append("\\")
                default: out.append("\\"); out.append(c)
                }
                escaping = false
            } else if c == "\\" {
                escaping = true
            } else {
                out.append(c)
            }
        }
        if escaping { out.append("\\") }
        return out
    }

    /// Appends `message` rendered with `format` to `out`.
    static func render(_ format: String, _ m: ConsumerMessage<[UInt8]>, into out: inout [UInt8]) {
        var percent = false
        for byte in format.utf8 {
            guard percent else {
                if byte == UInt8(ascii: "%") { percent = true } else { out.append(byte) }
                continue
            }
            percent = false
            switch byte {
            case UInt8(ascii: "t"): out += m.topic.utf8
            case UInt8(ascii: "p"): out += String(m.partition).utf8
            case UInt8(ascii: "o"): out += String(m.offset).utf8
            case UInt8(ascii: "k"): out += m.key ?? []
            case UInt8(ascii: "s"): out += m.value
            case UInt8(ascii: "K"): out += String(m.key?.count ?? -1).utf8
            case UInt8(ascii: "S"): out += String(m.value.count).utf8
            case UInt8(ascii: "T"): out += String(m.timestamp).utf8
            case UInt8(ascii: "h"):
                for (i, h) in m.headers.enumerated() {
                    if i > 0 { out.append(UInt8(ascii: ",")) }
                    out += h.key.utf8
                    if let value = h.value {
                        out.append(UInt8(ascii: "="))
                        out += value
                    }
                }
            case UInt8(ascii: "%"): out.append(byte)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(byte)
            }
        }
        if percent { out.append(UInt8(ascii: "%")) }
    }
}
