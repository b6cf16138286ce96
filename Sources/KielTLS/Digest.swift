internal import COpenSSL

/// The hashes SASL's SCRAM needs — the digest, HMAC and PBKDF2 (SCRAM's `Hi`) — from the
/// system OpenSSL, so that Kiel carries no cryptography of its own. Plain values; any thread.
public enum Digest: Sendable {
    /// SHA-1: only for checking the SCRAM arithmetic against RFC 5802's example.
    case sha1
    /// SHA-256 (SCRAM-SHA-256).
    case sha256
    /// SHA-512 (SCRAM-SHA-512).
    case sha512

    private var md: OpaquePointer? {
        switch self {
        case .sha1: return EVP_sha1()
        case .sha256: return EVP_sha256()
        case .sha512: return EVP_sha512()
        }
    }

    /// The digest's length in bytes.
    public var size: Int {
        switch self {
        case .sha1: return 20
        case .sha256: return 32
        case .sha512: return 64
        }
    }

    /// The digest of `data`.
    public func hash(_ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: size)
        var length: UInt32 = 0
        let ok = data.withUnsafeBytes { d in
            out.withUnsafeMutableBufferPointer { o in EVP_Digest(d.baseAddress, d.count, o.baseAddress, &length, md, nil) }
        }
        precondition(ok == 1 && Int(length) == size, "EVP_Digest failed")
        return out
    }

    /// HMAC of `data` under `key`.
    public func hmac(key: [UInt8], _ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: size)
        var length: UInt32 = 0
        let done = key.withUnsafeBytes { k in
            data.withUnsafeBytes { d in
                out.withUnsafeMutableBufferPointer { o in
                    HMAC(md, k.baseAddress, Int32(k.count), d.baseAddress?.assumingMemoryBound(to: UInt8.self), d.count,
                         o.baseAddress, &length)
                }
            }
        }
        precondition(done != nil && Int(length) == size, "HMAC failed")
        return out
    }

    /// PBKDF2 with this digest's HMAC, one block long: SCRAM's `Hi(password, salt, iterations)`.
    public func pbkdf2(password: [UInt8], salt: [UInt8], iterations: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: size)
        let ok = password.withUnsafeBytes { p in
            salt.withUnsafeBytes { s in
                out.withUnsafeMutableBufferPointer { o in
                    PKCS5_PBKDF2_HMAC(p.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(p.count),
                                      s.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(s.count),
                                      Int32(clamping: iterations), md, Int32(o.count), o.baseAddress)
                }
            }
        }
        precondition(ok == 1, "PKCS5_PBKDF2_HMAC failed")
        return out
    }
}
