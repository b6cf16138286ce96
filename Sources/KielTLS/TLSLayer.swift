// TLS under the framed stream, over the system OpenSSL.
//
// Design note: memory BIOs, not OpenSSL on the socket. OpenSSL could be given the socket
// itself (SSL_set_fd) and driven non-blocking, but then it would do its own reads and
// writes, and a WANT_READ/WANT_WRITE from any call would have to change what the loop
// watches: a second owner for the descriptor, and one that host-driven loops would have
// to know about. With two memory BIOs (SSL_set_bio) OpenSSL never sees the descriptor. The
// `FramedStream` goes on doing every recv and send, with its buffering, back-pressure and
// error handling, on the plain and the TLS path alike. This layer only moves bytes
// between the stream's buffers and OpenSSL: what came off the socket is written into one
// BIO, and whatever OpenSSL wants sent is read out of the other and appended to the stream's
// output. Nothing blocks and nothing runs on another thread. The loop keeps watching the
// same fd for the same events, so a loop embedded in a host's epoll loop needs nothing new.
// The cost is a copy each way through the BIOs, paid only on TLS connections. It is the shape
// of SwiftNIO-SSL's handler.
internal import COpenSSL
import Glibc
import KielIO

/// One TLS client session, plugged under a `FramedStream` (see `StreamLayer`): it runs the
/// handshake, checks the server's certificate, encrypts outgoing frames and decrypts what
/// arrives. Make one per connection with `TLSContext.makeLayer(host:)`.
///
/// Failures close the stream with `IOError.layerFailed`, whose `underlying` is a `TLSError`
/// (also kept in `failure`).
///
/// Loop-confined: only its stream calls it, on the loop thread.
public final class TLSLayer: StreamLayer {
    /// The host name or address the certificate is checked against (and, for a name, sent as SNI).
    public let host: String
    /// Whether the handshake has finished.
    public private(set) var isEstablished = false
    /// Whether the connection got as far as sending the ClientHello.
    public private(set) var isStarted = false
    /// Bytes received from the server so far; 0 after a failed handshake means the server
    /// never answered it.
    public private(set) var bytesReceived = 0
    /// Why the session failed, once it has.
    public private(set) var failure: TLSError?

    private let context: TLSContext
    private let session: OpaquePointer
    /// What came off the socket, for OpenSSL to read.
    private let fromNetwork: OpaquePointer
    /// What OpenSSL wants sent.
    private let toNetwork: OpaquePointer
    private var scratch = [UInt8](repeating: 0, count: 16 * 1024)

    init(context: TLSContext, host dialled: String) throws(TLSError) {
        let host = dialled.hasPrefix("[") && dialled.hasSuffix("]") ? String(dialled.dropFirst().dropLast()) : dialled
        guard let session = SSL_new(context.context) else {
            throw TLSError(.configuration, "OpenSSL could not make a session: \(OpenSSLErrors.drain())")
        }
        guard let fromNetwork = BIO_new(BIO_s_mem()), let toNetwork = BIO_new(BIO_s_mem()) else {
            SSL_free(session)
            throw TLSError(.configuration, "OpenSSL could not make its buffers: \(OpenSSLErrors.drain())")
        }
        SSL_set_bio(session, fromNetwork, toNetwork)   // the session owns both from here on
        SSL_set_connect_state(session)
        self.context = context
        self.session = session
        self.fromNetwork = fromNetwork
        self.toNetwork = toNetwork
        self.host = host
        try checkIdentity()
    }

    deinit { SSL_free(session) }

    /// Tells OpenSSL which name or address the certificate must carry, and sends the name in
    /// SNI (which takes names only, never addresses).
    private func checkIdentity() throws(TLSError) {
        let c = context.configuration
        let isAddress = Self.isIPAddress(host)
        if !isAddress && kiel_SSL_set_tlsext_host_name(session, host) != 1 {
            throw TLSError(.configuration, "cannot send \(host) as the server name: \(OpenSSLErrors.drain())")
        }
        guard !c.insecureSkipVerification, !c.insecureSkipHostnameVerification else { return }
        let parameters = SSL_get0_param(session)
        let accepted: Int32
        if isAddress {
            accepted = X509_VERIFY_PARAM_set1_ip_asc(parameters, host)
        } else {
            X509_VERIFY_PARAM_set_hostflags(parameters, UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS))
            accepted = X509_VERIFY_PARAM_set1_host(parameters, host, 0)
        }
        guard accepted == 1 else {
            throw TLSError(.configuration, "cannot check certificates against \(host): \(OpenSSLErrors.drain())")
        }
    }

    static func isIPAddress(_ host: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }

    /// The version agreed with the server, once established.
    public var negotiatedVersion: TLSVersion? {
        guard isEstablished else { return nil }
        switch SSL_version(session) {
        case TLS1_3_VERSION: return .v1_3
        case TLS1_2_VERSION: return .v1_2
        default: return nil
        }
    }

    // MARK: StreamLayer

    /// Writes the ClientHello to `wire`.
    public func start(wire: inout [UInt8]) throws(IOError) {
        isStarted = true
        try handshake(wire: &wire)
    }

    /// Takes bytes from the socket: handshake records move the handshake on (answers go to `wire`), application records are decrypted into `plaintext`.
    public func receive(_ bytes: UnsafeRawBufferPointer, plaintext: inout [UInt8], wire: inout [UInt8]) throws(IOError) {
        guard failure == nil else { return }
        bytesReceived += bytes.count
        if let base = bytes.baseAddress, !bytes.isEmpty {
            // A memory BIO takes everything it is given (it grows).
            _ = BIO_write(fromNetwork, base, Int32(bytes.count))
        }
        if !isEstablished {
            try handshake(wire: &wire)
            guard isEstablished else { return }
        }
        try decrypt(into: &plaintext, wire: &wire)
    }

    /// Encrypts as much of `plaintext` as it can into `wire` and returns how many bytes it took (none before the handshake is done).
    public func send(_ plaintext: UnsafeRawBufferPointer, wire: inout [UInt8]) throws(IOError) -> Int {
        guard failure == nil, let base = plaintext.baseAddress else { return 0 }
        var offset = 0
        while offset < plaintext.count {
            let count = Int32(min(plaintext.count - offset, 1 << 30))
            let written = SSL_write(session, base + offset, count)
            if written > 0 {
                offset += Int(written)
                continue
            }
            let code = SSL_get_error(session, written)
            if code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE { break }
            drainOutput(into: &wire)
            throw failed(code)
        }
        drainOutput(into: &wire)
        return offset
    }

    // MARK: OpenSSL calls

    private func handshake(wire: inout [UInt8]) throws(IOError) {
        let result = SSL_do_handshake(session)
        drainOutput(into: &wire)   // also the alert we send when we give up
        if result == 1 {
            isEstablished = true
            return
        }
        let code = SSL_get_error(session, result)
        if code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE { return }
        throw failed(code)
    }

    /// Reads every record OpenSSL can decrypt from what it has, so nothing waits inside it
    /// for a socket event that will not come.
    private func decrypt(into plaintext: inout [UInt8], wire: inout [UInt8]) throws(IOError) {
        while true {
            let count = scratch.withUnsafeMutableBytes { buffer in
                SSL_read(session, buffer.baseAddress, Int32(buffer.count))
            }
            if count > 0 {
                plaintext.append(contentsOf: scratch[0..<Int(count)])
                continue
            }
            let code = SSL_get_error(session, count)
            drainOutput(into: &wire)   // key updates and the like answer at once
            if code == SSL_ERROR_WANT_READ { return }
            if code == SSL_ERROR_ZERO_RETURN { throw .closedByPeer }
            throw failed(code)
        }
    }

    /// Appends what OpenSSL wrote for the network to `wire`.
    private func drainOutput(into wire: inout [UInt8]) {
        let pending = Int(BIO_ctrl_pending(toNetwork))
        guard pending > 0 else { return }
        let start = wire.count
        wire.append(contentsOf: repeatElement(0, count: pending))
        let read = wire.withUnsafeMutableBytes { buffer in
            BIO_read(toNetwork, buffer.baseAddress! + start, Int32(pending))
        }
        wire.removeLast(pending - Int(max(read, 0)))
    }

    private func failed(_ code: Int32) -> IOError {
        let error = TLSFailure.classify(sslError: code, errors: OpenSSLErrors.drainCodes(),
                                        verifyResult: SSL_get_verify_result(session),
                                        host: host, established: isEstablished)
        failure = error
        return .layerFailed(StreamLayerError(error))
    }
}
