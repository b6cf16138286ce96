internal import COpenSSL

/// Turns what OpenSSL reports after a failed call (the SSL_get_error code, the error queue,
/// the certificate check's result) into one named `TLSError`.
enum TLSFailure {
    static func classify(sslError: Int32, errors: [UInt], verifyResult: Int, host: String,
                         established: Bool) -> TLSError {
        let text = OpenSSLErrors.text(errors)
        guard sslError == SSL_ERROR_SSL else {
            return TLSError(.protocolError, "the TLS session failed (OpenSSL error \(sslError)): \(text)")
        }
        let reasons = errors.map { kiel_ERR_GET_REASON($0) }
        if reasons.contains(SSL_R_CERTIFICATE_VERIFY_FAILED) {
            return certificateRefused(verifyResult, host: host)
        }
        // A fatal alert from the server shows up as reason 1000 + the alert's number.
        if let alert = reasons.first(where: { (SSL_AD_REASON_OFFSET..<SSL_AD_REASON_OFFSET + 256).contains($0) }) {
            return TLSError(.handshakeRefused, "the server refused the connection with alert \(alert - SSL_AD_REASON_OFFSET) (\(text))")
        }
        if !established && reasons.contains(where: notTLS.contains) {
            return TLSError(.plaintextPeer, "the server does not speak TLS, is it a plaintext listener? (\(text))")
        }
        return TLSError(.protocolError, "the TLS session failed: \(text)")
    }

    /// What OpenSSL says when the first bytes back are not a TLS record.
    private static let notTLS: Set<Int32> = [
        SSL_R_WRONG_VERSION_NUMBER, SSL_R_PACKET_LENGTH_TOO_LONG, SSL_R_UNKNOWN_PROTOCOL,
        SSL_R_HTTP_REQUEST, SSL_R_RECORD_LENGTH_MISMATCH,
    ]

    private static func certificateRefused(_ result: Int, host: String) -> TLSError {
        let reason = X509_verify_cert_error_string(result).map { String(cString: $0) } ?? "error \(result)"
        let code = Int32(truncatingIfNeeded: result)
        let kind: TLSError.Kind
        var message = "the server's certificate was refused: \(reason)"
        switch code {
        case X509_V_ERR_CERT_HAS_EXPIRED:
            kind = .certificateExpired
        case X509_V_ERR_CERT_NOT_YET_VALID:
            kind = .certificateNotYetValid
        case X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH:
            kind = .hostnameMismatch
            message += " (it is not for \(host))"
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
             X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN,
             X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE, X509_V_ERR_CERT_UNTRUSTED:
            kind = .untrustedCertificate
            message += " (no trusted CA signed it)"
        default:
            kind = .certificateRejected
        }
        return TLSError(kind, message)
    }
}
