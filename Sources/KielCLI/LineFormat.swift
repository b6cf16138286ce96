/// How `kiel produce` reads stdin lines and `kiel consume` prints messages.
enum LineFormat {
    /// Splits a produce line at the first `separator`: the bytes before are the key. A line
    /// without the separator has no key (kcat does the same). Works on bytes, so a line that
    /// is not UTF-8 arrives as it was.
    static func split(_ line: [UInt8], separator: [UInt8]?) -> (key: [UInt8]?, value: [UInt8]) {
        guard let separator, !separator.isEmpty, line.count >= separator.count else { return (nil, line) }
        for start in 0 ... line.count - separator.count where line[start ..< start + separator.count].elementsEqual(separator) {
            return (Array(line[..<start]), Array(line[(start + separator.count)...]))
        }
        return (nil, line)
    }
}
