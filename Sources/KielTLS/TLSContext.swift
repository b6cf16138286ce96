internal import COpenSSL
import Glibc

/// A `TLSConfiguration` loaded into OpenSSL once (trust store, client certificate and key,
/// minimum version): every connection to a cluster makes its `TLSLayer` from the same one.
/// Loading reads the files, so a missing CA file or a wrong key password is an error here,
/// before any connection is tried.
///
/// Immutable once made, and OpenSSL lets one context serve connections on many threads, so
/// any thread may hold it and make layers from it.
public final class TLSContext: @unchecked Sendable {
    /// The settings it was loaded from.
    public let configuration: TLSConfiguration
    /// The SSL_CTX; never changed after `init`.
    let context: OpaquePointer

    /// Loads `configuration` (trust store, certificate, key) into an OpenSSL context; a file that cannot be used is a `.configuration` error.
    public init(_ configuration: TLSConfiguration) throws(TLSError) {
        guard let context = SSL_CTX_new(TLS_client_method()) else {
            throw TLSError(.configuration, "OpenSSL could not make a context: \(OpenSSLErrors.drain())")
        }
        self.context = context
        self.configuration = configuration
        try configure()
    }

    deinit { SSL_CTX_free(context) }

    /// A layer for one connection to `host` (a DNS name or an IP address, as dialled): the
    /// server's certificate must name it, unless the configuration says otherwise.
    public func makeLayer(host: String) throws(TLSError) -> TLSLayer {
        try TLSLayer(context: self, host: host)
    }

    private func configure() throws(TLSError) {
        let c = configuration
        _ = SSL_CTX_set_options(context, kiel_SSL_OP_NO_RENEGOTIATION() | kiel_SSL_OP_NO_COMPRESSION())
        let minimum = c.minimumVersion == .v1_3 ? TLS1_3_VERSION : TLS1_2_VERSION
        guard kiel_SSL_CTX_set_min_proto_version(context, minimum) == 1 else {
            throw TLSError(.configuration, "cannot require \(c.minimumVersion): \(OpenSSLErrors.drain())")
        }

        if c.caFile != nil || c.caDirectory != nil {
            guard SSL_CTX_load_verify_locations(context, c.caFile, c.caDirectory) == 1 else {
                let what = [c.caFile.map { "CA file \($0)" }, c.caDirectory.map { "CA directory \($0)" }]
                    .compactMap { $0 }.joined(separator: " and ")
                throw TLSError(.configuration, "cannot load \(what): \(OpenSSLErrors.drain())")
            }
        } else if SSL_CTX_set_default_verify_paths(context) != 1 {
            throw TLSError(.configuration, "cannot load the system trust store: \(OpenSSLErrors.drain())")
        }
        SSL_CTX_set_verify(context, c.insecureSkipVerification ? SSL_VERIFY_NONE : SSL_VERIFY_PEER, nil)

        switch (c.certificateFile, c.privateKeyFile) {
        case (nil, nil):
            break
        case (let certificate?, let key?):
            guard SSL_CTX_use_certificate_chain_file(context, certificate) == 1 else {
                throw TLSError(.configuration, "cannot load the client certificate \(certificate): \(OpenSSLErrors.drain())")
            }
            try useKey(key, password: c.privateKeyPassword)
            guard SSL_CTX_check_private_key(context) == 1 else {
                throw TLSError(.configuration, "the key \(key) does not belong to the certificate \(certificate)")
            }
        case (_?, nil):
            throw TLSError(.configuration, "a client certificate needs its private key file")
        case (nil, _?):
            throw TLSError(.configuration, "a private key needs its client certificate file")
        }
    }

    /// Reads the PEM key with our own password callback: OpenSSL's default one would prompt
    /// on the terminal (and block) for an encrypted key given without a password.
    private func useKey(_ path: String, password: String?) throws(TLSError) {
        guard let file = BIO_new_file(path, "r") else {
            throw TLSError(.configuration, "cannot open the private key \(path): \(OpenSSLErrors.drain())")
        }
        defer { BIO_free(file) }
        let key = password.withOptionalCString { secret in
            PEM_read_bio_PrivateKey(file, nil, { buffer, size, _, user in
                guard let buffer, let user else { return 0 }   // no password: fail, don't prompt
                let secret = user.assumingMemoryBound(to: CChar.self)
                let length = Int32(strlen(secret))
                guard length <= size else { return 0 }
                memcpy(buffer, secret, Int(length))
                return length
            }, UnsafeMutableRawPointer(mutating: secret))
        }
        guard let key else {
            throw TLSError(.configuration, "cannot read the private key \(path) (a wrong or missing password?): \(OpenSSLErrors.drain())")
        }
        defer { EVP_PKEY_free(key) }
        guard SSL_CTX_use_PrivateKey(context, key) == 1 else {
            throw TLSError(.configuration, "cannot use the private key \(path): \(OpenSSLErrors.drain())")
        }
    }
}

extension Optional where Wrapped == String {
    fileprivate func withOptionalCString<R>(_ body: (UnsafePointer<CChar>?) -> R) -> R {
        switch self {
        case .some(let text): return text.withCString { body($0) }
        case .none: return body(nil)
        }
    }
}

/// OpenSSL's per-thread error queue, read and emptied.
enum OpenSSLErrors {
    /// The queued errors as codes, oldest first; the queue is empty afterwards.
    static func drainCodes() -> [UInt] {
        var codes: [UInt] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { return codes }
            codes.append(code)
        }
    }

    /// OpenSSL's words for `codes` ("…:certificate verify failed"), joined.
    static func text(_ codes: [UInt]) -> String {
        guard !codes.isEmpty else { return "no reason given" }
        return codes.map { code in
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }.joined(separator: "; ")
    }

    static func drain() -> String { text(drainCodes()) }
}
