import XCTest
import KielTLS
@testable import Kiel

/// The SASL mechanisms' arithmetic and parsing, without a broker: SCRAM against the RFCs'
/// published examples (RFC 5802's SHA-1 one, for the arithmetic, and RFC 7677's SHA-256 one)
/// and a SHA-512 exchange computed independently with Python's hashlib.
final class SaslConversationTests: XCTestCase {
    private func exchange(_ digest: Digest, user: String, password: String, nonce: String,
                          serverFirst: String, serverFinal: String) throws -> (first: String, final: String) {
        var scram = ScramConversation(digest: digest, username: user, password: password, clientNonce: nonce)
        let first = String(decoding: scram.start(), as: UTF8.self)
        guard case .send(let final) = try scram.reply(to: Array(serverFirst.utf8)) else {
            XCTFail("no client-final-message")
            return (first, "")
        }
        XCTAssertEqual(try scram.reply(to: Array(serverFinal.utf8)), .done)
        return (first, String(decoding: final, as: UTF8.self))
    }

    func testRFC5802Example() throws {
        let (first, final) = try exchange(.sha1, user: "user", password: "pencil", nonce: "fyko+d2lbbFgONRv9qkxdawL",
                                          serverFirst: "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
                                          serverFinal: "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=")
        XCTAssertEqual(first, "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL")
        XCTAssertEqual(final, "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=")
    }

    func testRFC7677Example() throws {
        let (first, final) = try exchange(
            .sha256, user: "user", password: "pencil", nonce: "rOprNGfwEbeRWgbNEkqO",
            serverFirst: "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
            serverFinal: "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")
        XCTAssertEqual(first, "n,,n=user,r=rOprNGfwEbeRWgbNEkqO")
        XCTAssertEqual(final, "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
    }

    func testSHA512AgainstHashlib() throws {
        let (_, final) = try exchange(
            .sha512, user: "alice", password: "secret", nonce: "abcdefghijklmnop",
            serverFirst: "r=abcdefghijklmnopSERVERNONCE,s=c2FsdHNhbHQ=,i=4096",
            serverFinal: "v=t0MDNv29JVhTKMzEDcnx8DB8GKAy+zAHjL8ko+bN9RMbHSdYPNN0iMDtJRJ5t9eUi0iUFfnK5TZ0sX2mLIW9HA==")
        XCTAssertEqual(final, "c=biws,r=abcdefghijklmnopSERVERNONCE,"
                       + "p=8Alt/oJBsK8BBc60bl1Q76Uh3EhiE/Awc+eY54mjgz4ET1Jl+XNi0Ux1jBrJwmjX6Sbz8N0GrfJXRFbNyaNjGw==")
    }

    func testAServerThatDoesNotKnowThePasswordIsRefused() throws {
        var scram = ScramConversation(digest: .sha256, username: "user", password: "pencil", clientNonce: "rOprNGfwEbeRWgbNEkqO")
        _ = scram.start()
        _ = try scram.reply(to: Array("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096".utf8))
        XCTAssertThrowsError(try scram.reply(to: Array("v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=".utf8))) { error in
            guard case KielError.authentication(let text) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(text.contains("signature"), text)
        }
    }

    func testHostileOrBrokenServerFirstMessages() {
        let cases = [
            "r=someoneElsesNonce,s=QSXCR+Q6sek8bf92,i=4096",   // nonce not ours
            "r=abcXYZ,i=4096",                                  // no salt
            "r=abcXYZ,s=QSXCR+Q6sek8bf92,i=1",                  // too few iterations
            "r=abcXYZ,s=QSXCR+Q6sek8bf92,i=2000000000",         // CPU bomb
            "r=abcXYZ,s=QSXCR+Q6sek8bf92",                      // no count
            "e=unknown-user",
        ]
        for serverFirst in cases {
            var scram = ScramConversation(digest: .sha256, username: "u", password: "p", clientNonce: "abc")
            _ = scram.start()
            XCTAssertThrowsError(try scram.reply(to: Array(serverFirst.utf8)), serverFirst) { error in
                guard case KielError.authentication = error else { return XCTFail("\(serverFirst): \(error)") }
            }
        }
    }

    func testUserNamesAreEscapedAndNoncesArePrintable() {
        XCTAssertEqual(ScramConversation.saslName("a=b,c"), "a=3Db=2Cc")
        let nonce = ScramConversation.makeNonce()
        XCTAssertFalse(nonce.contains(","))
        XCTAssertNotEqual(nonce, ScramConversation.makeNonce())
    }

    func testPlainAndOAuthBearerMessages() throws {
        XCTAssertEqual(PlainConversation(username: "alice", password: "pw").start(), [0] + Array("alice".utf8) + [0] + Array("pw".utf8))
        var bearer = OAuthBearerConversation(token: OAuthBearerToken("tok", extensions: ["logicalCluster": "lkc-1"]))
        XCTAssertEqual(String(decoding: bearer.start(), as: UTF8.self), "n,,\u{1}auth=Bearer tok\u{1}logicalCluster=lkc-1\u{1}\u{1}")
        XCTAssertEqual(try bearer.reply(to: []), .done)
        var refused = OAuthBearerConversation(token: OAuthBearerToken("tok"))
        XCTAssertEqual(try refused.reply(to: Array(#"{"status":"invalid_token"}"#.utf8)), .send([1]), "RFC 7628's acknowledgement")
        XCTAssertThrowsError(try refused.reply(to: []))
    }
}
