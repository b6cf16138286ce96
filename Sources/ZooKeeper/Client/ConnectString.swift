/// A parsed connect string: every ensemble member and an optional chroot, as in
/// `"zk1:2181,zk2:2181,zk3:2181/app"`. A host without a port gets 2181.
public struct ConnectString: Equatable, Sendable {
    /// One ensemble member's address.
    public struct Host: Equatable, Hashable, Sendable {
        /// A host name or numeric address.
        public var host: String
        /// The client port (2181 when the connect string gives none).
        public var port: Int
        /// The member at `host`:`port`.
        public init(host: String, port: Int) { self.host = host; self.port = port }
    }

    /// The ensemble members, in the order given; the client tries them in turn.
    public var hosts: [Host]
    /// The path every client path is relative to, without a trailing slash; nil for none.
    public var chroot: String?

    /// The members and chroot as given, unchecked.
    public init(hosts: [Host], chroot: String? = nil) {
        self.hosts = hosts
        self.chroot = chroot
    }

    /// Parses `"h1:2181,h2/chroot"`; throws `.protocol` for an empty host list, a bad port or an
    /// invalid chroot.
    public init(parsing text: String) throws(ZooKeeperError) {
        var hostPart = Substring(text)
        var chroot: String?
        if let slash = text.firstIndex(of: "/") {
            hostPart = text[..<slash]
            var root = String(text[slash...])
            while root.count > 1, root.hasSuffix("/") { root.removeLast() }
            if root != "/" {
                guard PathRules.isValid(root) else {
                    throw .protocol("invalid chroot \"\(root)\" in connect string")
                }
                chroot = root
            }
        }
        var hosts: [Host] = []
        for item in hostPart.split(separator: ",") {
            let entry = item.trimmingSpaces
            if entry.isEmpty { continue }
            // "[::1]:2181", "host:2181" or a bare host.
            var name = entry
            var port = 2181
            if entry.hasPrefix("["), let close = entry.firstIndex(of: "]") {
                name = String(entry[entry.index(after: entry.startIndex)..<close])
                let rest = entry[entry.index(after: close)...]
                if rest.hasPrefix(":") {
                    guard let p = Int(rest.dropFirst()), (1...65535).contains(p) else {
                        throw .protocol("invalid port in \"\(entry)\"")
                    }
                    port = p
                }
            } else if let colon = entry.lastIndex(of: ":") {
                name = String(entry[..<colon])
                guard let p = Int(entry[entry.index(after: colon)...]), (1...65535).contains(p) else {
                    throw .protocol("invalid port in \"\(entry)\"")
                }
                port = p
            }
            guard !name.isEmpty else { throw .protocol("empty host in \"\(text)\"") }
            hosts.append(Host(host: name, port: port))
        }
        guard !hosts.isEmpty else { throw .protocol("no hosts in connect string \"\(text)\"") }
        self.hosts = hosts
        self.chroot = chroot
    }
}

extension Substring {
    fileprivate var trimmingSpaces: String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}

/// ZooKeeper path syntax: absolute, no empty, "." or ".." segments, no trailing slash.
enum PathRules {
    static func isValid(_ path: String, sequential: Bool = false) -> Bool {
        guard path.hasPrefix("/") else { return false }
        if path == "/" { return !sequential }
        var segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        // A sequential create may end in "/": the server appends the counter as the name.
        if sequential, segments.last == "" { segments = segments.dropLast() }
        for segment in segments {
            if segment.isEmpty || segment == "." || segment == ".." { return false }
            if segment.contains("\u{0}") { return false }
        }
        return true
    }

    /// "/a/b/c" → ["/a", "/a/b"]: the ancestors to create before "/a/b/c".
    static func ancestors(of path: String) -> [String] {
        var out: [String] = []
        var current = ""
        let parts = path.split(separator: "/")
        for part in parts.dropLast() {
            current += "/" + part
            out.append(current)
        }
        return out
    }

    static func join(_ parent: String, _ child: String) -> String {
        parent == "/" ? "/" + child : parent + "/" + child
    }
}
