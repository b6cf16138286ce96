import Foundation
import Kiel

/// librdkafka's security properties: `security.protocol`, the `ssl.*` settings and the
/// `sasl.*` credentials, checked together (a TLS setting without TLS, SASL credentials without
/// SASL, SASL without a mechanism or its credentials are usage errors) and turned into
/// `Cluster.Options.security`.
extension ClientProperties {
    static let securityProtocols = ["plaintext", "ssl", "sasl_plaintext", "sasl_ssl"]
    static let saslMechanisms = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"]

    private var securityProtocol: String { values["security.protocol"]?.lowercased() ?? "plaintext" }
    private var usesTLS: Bool { securityProtocol == "ssl" || securityProtocol == "sasl_ssl" }
    private var usesSASL: Bool { securityProtocol.hasPrefix("sasl_") }
    private var mechanism: String? { (values["sasl.mechanism"] ?? values["sasl.mechanisms"])?.uppercased() }

    func checkSecurityCombination() throws(UsageError) {
        let tlsSettings = values.keys.filter { $0.hasPrefix("ssl.") || $0 == "enable.ssl.certificate.verification" }
        if let first = tlsSettings.sorted().first, !usesTLS {
            throw UsageError("property \(first) needs security.protocol=ssl or sasl_ssl")
        }
        let saslSettings = values.keys.filter { $0.hasPrefix("sasl.") }
        if let first = saslSettings.sorted().first, !usesSASL {
            throw UsageError("property \(first) needs security.protocol=sasl_plaintext or sasl_ssl")
        }
        guard usesSASL else { return }
        guard let mechanism else {
            throw UsageError("security.protocol=\(securityProtocol) needs sasl.mechanism (\(Self.saslMechanisms.joined(separator: ", ")))")
        }
        let needed = mechanism == "OAUTHBEARER" ? ["sasl.oauthbearer.token"] : ["sasl.username", "sasl.password"]
        if let missing = needed.first(where: { values[$0] == nil }) {
            throw UsageError("sasl.mechanism=\(mechanism) needs \(missing)")
        }
    }

    func applySecurity(to security: inout Security) {
        security.transport = usesTLS ? .ssl : .plaintext
        if usesTLS { applyTLS(to: &security.tls) }
        guard usesSASL, let mechanism else { return }
        let user = values["sasl.username"] ?? "", password = values["sasl.password"] ?? ""
        switch mechanism {
        case "PLAIN": security.sasl = .plain(username: user, password: password)
        case "SCRAM-SHA-256": security.sasl = .scramSHA256(username: user, password: password)
        case "SCRAM-SHA-512": security.sasl = .scramSHA512(username: user, password: password)
        default: security.sasl = .oauthBearer(.fixed(OAuthBearerToken(values["sasl.oauthbearer.token"] ?? "")))
        }
    }

    private func applyTLS(to tls: inout TLSConfiguration) {
        if let location = values["ssl.ca.location"] {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: location, isDirectory: &isDirectory), isDirectory.boolValue {
                tls.caDirectory = location
            } else {
                tls.caFile = location
            }
        }
        if let v = values["ssl.certificate.location"] { tls.certificateFile = v }
        if let v = values["ssl.key.location"] { tls.privateKeyFile = v }
        if let v = values["ssl.key.password"] { tls.privateKeyPassword = v }
        if values["ssl.endpoint.identification.algorithm"]?.lowercased() == "none" {
            tls.insecureSkipHostnameVerification = true
        }
        if bool("enable.ssl.certificate.verification") == false { tls.insecureSkipVerification = true }
    }
}
