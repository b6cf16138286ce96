import Glibc

/// An IPv4 or IPv6 socket address with its port, as raw `sockaddr` bytes. Sendable so a
/// resolver thread can hand results back to the loop.
struct SocketAddress: Sendable, CustomStringConvertible {
    let family: Int32
    let storage: [UInt8]

    /// Parses a numeric IPv4 or IPv6 address (no name lookup); nil for anything else.
    init?(numericHost host: String, port: Int) {
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            var sa = sockaddr_in()
            sa.sin_family = sa_family_t(AF_INET)
            sa.sin_port = in_port_t(UInt16(truncatingIfNeeded: port)).bigEndian
            sa.sin_addr = v4
            self.init(family: AF_INET, raw: &sa)
            return
        }
        // Accept the bracketed form people write in URLs, "[::1]".
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        var v6 = in6_addr()
        if inet_pton(AF_INET6, bare, &v6) == 1 {
            var sa = sockaddr_in6()
            sa.sin6_family = sa_family_t(AF_INET6)
            sa.sin6_port = in_port_t(UInt16(truncatingIfNeeded: port)).bigEndian
            sa.sin6_addr = v6
            self.init(family: AF_INET6, raw: &sa)
            return
        }
        return nil
    }

    private init<T>(family: Int32, raw: inout T) {
        self.family = family
        self.storage = withUnsafeBytes(of: &raw) { Array($0) }
    }

    init(family: Int32, bytes: UnsafeRawBufferPointer) {
        self.family = family
        self.storage = Array(bytes)
    }

    func withSockAddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        storage.withUnsafeBytes { raw in
            body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
        }
    }

    var description: String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        if family == AF_INET {
            var sa = sockaddr_in()
            withUnsafeMutableBytes(of: &sa) { $0.copyBytes(from: storage.prefix(MemoryLayout<sockaddr_in>.size)) }
            _ = inet_ntop(AF_INET, &sa.sin_addr, &text, socklen_t(text.count))
            return Self.string(text) + ":\(UInt16(bigEndian: sa.sin_port))"
        }
        var sa = sockaddr_in6()
        withUnsafeMutableBytes(of: &sa) { $0.copyBytes(from: storage.prefix(MemoryLayout<sockaddr_in6>.size)) }
        _ = inet_ntop(AF_INET6, &sa.sin6_addr, &text, socklen_t(text.count))
        return "[" + Self.string(text) + "]:\(UInt16(bigEndian: sa.sin6_port))"
    }
}

extension SocketAddress {
    fileprivate static func string(_ nulTerminated: [CChar]) -> String {
        let bytes = nulTerminated.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Blocking name resolution; only ever called on a background thread.
enum Resolver {
    static func resolve(host: String, port: Int) -> Result<[SocketAddress], IOError> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0 else {
            return .failure(.resolveFailed(host: host, message: String(cString: gai_strerror(status))))
        }
        defer { freeaddrinfo(list) }
        var addresses: [SocketAddress] = []
        var cursor = list
        while let info = cursor {
            let family = info.pointee.ai_family
            if (family == AF_INET || family == AF_INET6), let addr = info.pointee.ai_addr {
                addresses.append(SocketAddress(family: family, bytes: UnsafeRawBufferPointer(
                    start: addr, count: Int(info.pointee.ai_addrlen))))
            }
            cursor = info.pointee.ai_next
        }
        if addresses.isEmpty {
            return .failure(.resolveFailed(host: host, message: "no IPv4 or IPv6 address"))
        }
        return .success(addresses)
    }
}
