import Foundation
import KielTLS

/// SCRAM (RFC 5802; SHA-256 and SHA-512 per RFC 7677 and Kafka): a client nonce, the salted
/// password from the server's salt and iteration count, the client proof, and the server's
/// signature checked before the exchange counts as done — a broker that does not know the
/// password cannot pass for one that does.
struct ScramConversation: SaslConversation {
    let digest: Digest
    let username: String
    let password: String
    let clientNonce: String

    private var clientFirstBare = ""
    private var serverSignature: [UInt8]?

    /// Kafka's brokers ask for 4096 iterations at least; far more is a hostile server making
    /// the client burn CPU.
    static let iterationRange = 4096 ... 1_000_000

    init(digest: Digest, username: String, password: String, clientNonce: String = ScramConversation.makeNonce()) {
        self.digest = digest
        self.username = username
        self.password = password
        self.clientNonce = clientNonce
    }

    /// 24 random bytes, base64: printable and free of commas, as the nonce must be.
    static func makeNonce() -> String {
        var generator = SystemRandomNumberGenerator()
        return Data((0 ..< 24).map { _ in UInt8.random(in: 0 ... 255, using: &generator) }).base64EncodedString()
    }

    /// RFC 5802's escaping of the user name: `=` and `,` would end the attribute.
    static func saslName(_ name: String) -> String {
        name.replacingOccurrences(of: "=", with: "=3D").replacingOccurrences(of: ",", with: "=2C")
    }

    mutating func start() -> [UInt8] {
        clientFirstBare = "n=\(Self.saslName(username)),r=\(clientNonce)"
        return Array(("n,," + clientFirstBare).utf8)
    }

    mutating func reply(to server: [UInt8]) throws(KielError) -> SaslStep {
        guard let text = String(validating: server, as: UTF8.self) else {
            throw .authentication("SCRAM server message is not UTF-8")
        }
        if let expected = serverSignature { return try verifyFinal(text, expected) }
        return .send(try clientFinal(after: text))
    }

    private mutating func clientFinal(after serverFirst: String) throws(KielError) -> [UInt8] {
        let fields = Self.attributes(serverFirst)
        if let error = fields["e"] { throw .authentication("SCRAM server error: \(error)") }
        guard let nonce = fields["r"], nonce.hasPrefix(clientNonce), nonce.count > clientNonce.count else {
            throw .authentication("SCRAM server nonce does not extend ours")
        }
        guard let saltText = fields["s"], let salt = Data(base64Encoded: saltText), !salt.isEmpty else {
            throw .authentication("SCRAM server-first-message has no salt")
        }
        guard let iterations = fields["i"].flatMap(Int.init), Self.iterationRange.contains(iterations) else {
            throw .authentication("SCRAM iteration count \(fields["i"] ?? "missing") outside \(Self.iterationRange)")
        }
        let withoutProof = "c=biws,r=\(nonce)"   // biws: base64 of the GS2 header "n,,"
        let authMessage = Array("\(clientFirstBare),\(serverFirst),\(withoutProof)".utf8)
        let salted = digest.pbkdf2(password: Array(password.utf8), salt: Array(salt), iterations: iterations)
        let clientKey = digest.hmac(key: salted, Array("Client Key".utf8))
        let clientSignature = digest.hmac(key: digest.hash(clientKey), authMessage)
        let proof = zip(clientKey, clientSignature).map { $0 ^ $1 }
        let serverKey = digest.hmac(key: salted, Array("Server Key".utf8))
        serverSignature = digest.hmac(key: serverKey, authMessage)
        return Array("\(withoutProof),p=\(Data(proof).base64EncodedString())".utf8)
    }

    private func verifyFinal(_ serverFinal: String, _ expected: [UInt8]) throws(KielError) -> SaslStep {
        let fields = Self.attributes(serverFinal)
        if let error = fields["e"] { throw .authentication("SCRAM server error: \(error)") }
        guard let text = fields["v"], let signature = Data(base64Encoded: text) else {
            throw .authentication("SCRAM server-final-message has no signature")
        }
        // Compared without an early exit, so timing tells nothing of where they differ.
        let differs = signature.count != expected.count
            || zip(signature, expected).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } != 0
        if differs { throw .authentication("SCRAM server signature is wrong: the broker does not know the password") }
        return .done
    }

    /// `a=x,b=y` into a dictionary (values may contain `=`; the first attribute of a kind wins).
    static func attributes(_ message: String) -> [String: String] {
        var out: [String: String] = [:]
        for part in message.split(separator: ",", omittingEmptySubsequences: true) {
            guard let eq = part.firstIndex(of: "="), part.distance(from: part.startIndex, to: eq) == 1 else { continue }
            let key = String(part[..<eq])
            if out[key] == nil { out[key] = String(part[part.index(after: eq)...]) }
        }
        return out
    }
}
