/// A small getopt-style parser: `-b HOST`, `-bHOST`, `--brokers HOST`, `--brokers=HOST`,
/// bundled flags (`-eJ`), and `--` to end options. Declarative enough that each command's
/// `--help` text is generated from the same table the parser uses.
struct OptionSpec {
    let short: Character?
    let long: String
    let valueName: String?   // nil: a flag
    let help: String

    init(_ short: Character?, _ long: String, value: String? = nil, _ help: String) {
        self.short = short
        self.long = long
        self.valueName = value
        self.help = help
    }
}

struct ParsedOptions {
    var values: [String: String] = [:]
    /// Every value of an option that may be repeated (`-X a=1 -X b=2`), in order.
    var allValues: [String: [String]] = [:]
    var flags: Set<String> = []
    var positional: [String] = []

    func value(_ long: String) -> String? { values[long] }
    func all(_ long: String) -> [String] { allValues[long] ?? [] }
    func has(_ long: String) -> Bool { flags.contains(long) }
}

struct UsageError: Error, Equatable, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

enum OptionParser {
    static func parse(_ args: [String], specs: [OptionSpec]) throws(UsageError) -> ParsedOptions {
        var out = ParsedOptions()
        var i = 0
        func take(_ spec: OptionSpec, inline: String?, shown: String) throws(UsageError) {
            guard spec.valueName != nil else {
                if inline != nil { throw UsageError("option \(shown) takes no value") }
                out.flags.insert(spec.long)
                return
            }
            let value: String
            if let inline {
                value = inline
            } else {
                i += 1
                guard i < args.count else { throw UsageError("option \(shown) needs a value") }
                value = args[i]
            }
            out.values[spec.long] = value
            out.allValues[spec.long, default: []].append(value)
        }
        while i < args.count {
            let arg = args[i]
            if arg == "--" {
                out.positional.append(contentsOf: args[(i + 1)...])
                break
            } else if arg.hasPrefix("--") {
                let body = arg.dropFirst(2)
                let name = body.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
                let inline = body.contains("=") ? String(body[body.index(after: body.firstIndex(of: "=")!)...]) : nil
                guard let spec = specs.first(where: { $0.long == name }) else {
                    throw UsageError("unknown option --\(name)")
                }
                try take(spec, inline: inline, shown: "--\(name)")
            } else if arg.hasPrefix("-") && arg.count > 1 && !(arg.dropFirst().first?.isNumber ?? false) {
                var rest = Substring(arg.dropFirst())
                while let c = rest.first {
                    rest = rest.dropFirst()
                    guard let spec = specs.first(where: { $0.short == c }) else {
                        throw UsageError("unknown option -\(c)")
                    }
                    if spec.valueName != nil {
                        try take(spec, inline: rest.isEmpty ? nil : String(rest), shown: "-\(c)")
                        break
                    }
                    try take(spec, inline: nil, shown: "-\(c)")
                }
            } else {
                out.positional.append(arg)
            }
            i += 1
        }
        return out
    }

    /// The options table as help text, one option a line.
    static func help(_ specs: [OptionSpec]) -> String {
        let rows = specs.map { spec -> (String, String) in
            var left = spec.short.map { "-\($0), " } ?? "    "
            left += "--\(spec.long)"
            if let v = spec.valueName { left += " \(v)" }
            return (left, spec.help)
        }
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { "  " + $0.0 + String(repeating: " ", count: width - $0.0.count + 2) + $0.1 }
            .joined(separator: "\n")
    }
}
