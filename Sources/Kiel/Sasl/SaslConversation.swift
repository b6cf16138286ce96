import Foundation

/// One client side of a SASL exchange, message by message: `start` gives the first client
/// message, `reply(to:)` the next one for each server message, until it says `.done`.
/// Errors are `KielError.authentication`: a server that does not prove itself, a message
/// that does not parse. Used on the loop thread only.
protocol SaslConversation {
    mutating func start() throws(KielError) -> [UInt8]
    mutating func reply(to server: [UInt8]) throws(KielError) -> SaslStep
}

/// What a conversation does after a server message.
enum SaslStep: Equatable {
    /// Send these bytes in the next SaslAuthenticate.
    case send([UInt8])
    /// Authenticated (as far as this side can tell; the broker's error code has the last word).
    case done
}

/// PLAIN (RFC 4616): `authzid NUL authcid NUL password`, with no authorization identity.
struct PlainConversation: SaslConversation {
    let username: String
    let password: String

    func start() -> [UInt8] { [0] + Array(username.utf8) + [0] + Array(password.utf8) }
    func reply(to server: [UInt8]) -> SaslStep { .done }
}

/// OAUTHBEARER (RFC 7628 as Kafka uses it, KIP-255/342): one initial response with the token
/// and extensions. A server that refuses the token answers with a JSON error instead of
/// success; RFC 7628 has the client acknowledge it with a single 0x01, after which the
/// broker fails the exchange with its error code.
struct OAuthBearerConversation: SaslConversation {
    let token: OAuthBearerToken
    private var refused = false

    init(token: OAuthBearerToken) { self.token = token }

    func start() -> [UInt8] {
        var message = "n,,\u{1}auth=Bearer \(token.value)\u{1}"
        for (key, value) in token.extensions.sorted(by: { $0.key < $1.key }) { message += "\(key)=\(value)\u{1}" }
        return Array((message + "\u{1}").utf8)
    }

    mutating func reply(to server: [UInt8]) throws(KielError) -> SaslStep {
        if server.isEmpty && !refused { return .done }
        guard !refused else { throw .authentication("OAUTHBEARER token refused") }
        refused = true
        return .send([1])
    }
}
