/// How `kiel produce` reads stdin lines and `kiel consume` prints messages.
enum LineFormat {
    /// Splits a produce line at the first `separator`: the text before is the key. A line
    /// without the separator has no key (kcat does the same).
    static func split(_ line: String, separator: String?) -> (key: String?, value: String) {
        guard let separator, let range = line.range(of: separator) else { return (nil, line) }
        return (String(line[..<range.lowerBound]), String(line[range.upperBound...]))
    }
}
