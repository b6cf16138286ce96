/// A broker's host and port, parsed from the bootstrap forms `host`, `host:port`, `[v6]` and
/// `[v6]:port` (default port 9092). A plain value: safe to pass between threads.
public struct BrokerAddress: Hashable, Sendable, CustomStringConvertible {
    /// Kafka's port when a host is given without one.
    public static let defaultPort = 9092
    /// A host name, IPv4 address or IPv6 address (without brackets).
    public var host: String
    /// The TCP port.
    public var port: Int

    /// An address as given; nothing is resolved until a connection opens.
    public init(host: String, port: Int = BrokerAddress.defaultPort) {
        self.host = host
        self.port = port
    }

    /// Parses one bootstrap entry; throws `.invalidArgument` for empty hosts or bad ports.
    public init(parsing text: String) throws(KielError) {
        var s = Substring(text).drop { $0 == " " }
        while s.last == " " { s = s.dropLast() }
        var host: Substring
        var portText: Substring? = nil
        if s.hasPrefix("[") {
            guard let close = s.firstIndex(of: "]") else { throw .invalidArgument("bad broker address \(text)") }
            host = s[s.index(after: s.startIndex)..<close]
            let after = s[s.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw .invalidArgument("bad broker address \(text)") }
                portText = after.dropFirst()
            }
        } else if let colon = s.lastIndex(of: ":"), s.firstIndex(of: ":") == colon {
            host = s[..<colon]
            portText = s[s.index(after: colon)...]
        } else {
            host = s   // a bare IPv6 address without brackets or port, or a plain host
        }
        guard !host.isEmpty else { throw .invalidArgument("empty host in \(text)") }
        var port = BrokerAddress.defaultPort
        if let portText {
            guard let p = Int(portText), (1...65535).contains(p) else {
                throw .invalidArgument("bad port in \(text)")
            }
            port = p
        }
        self.init(host: String(host), port: port)
    }

    /// Parses a list (entries may also be comma-separated strings, as kiel accepts).
    public static func parseList(_ hosts: [String]) throws(KielError) -> [BrokerAddress] {
        var out: [BrokerAddress] = []
        for entry in hosts {
            for part in entry.split(separator: ",") where !part.allSatisfy({ $0 == " " }) {
                out.append(try BrokerAddress(parsing: String(part)))
            }
        }
        guard !out.isEmpty else { throw .invalidArgument("no bootstrap hosts given") }
        return out
    }

    /// `host:port`, with brackets around an IPv6 host.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
