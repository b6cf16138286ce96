import Foundation
import KielIO
import KielTestSupport
import KielTLS
import XCTest

/// The TLS layer under a `FramedStream`, on the loop, against Debian's stunnel terminating
/// TLS in front of an echo server: frames go out encrypted and come back decrypted, whole and
/// in order, on the loop's own poll and on a host's epoll loop alike.
final class TLSLayerTests: XCTestCase {
    var echo: EchoServer!
    var certs: TestCertificates!

    override func setUpWithError() throws {
        echo = try EchoServer()
        certs = try TestCertificates.shared()
    }

    override func tearDown() {
        echo?.stop()
    }

    private func stunnel(_ settings: Stunnel.Settings? = nil) throws -> Stunnel {
        try Stunnel(upstream: ("127.0.0.1", echo.port), settings: settings ?? Stunnel.Settings.valid())
    }

    private var trusting: TLSConfiguration { TLSConfiguration(caFile: certs.caFile) }

    /// Sends `frames` and runs `drive` until as many came back; returns them.
    private func roundTrip(_ stream: FramedStream, _ frames: [[UInt8]], drive: (() -> Bool) -> Void) -> [[UInt8]] {
        var back: [[UInt8]] = []
        var closed: String?
        stream.onFrame = { back.append($0) }
        stream.onClose = { closed = $0.map { "\($0)" } ?? "closed" }
        for frame in frames { stream.send(frame) }
        drive { back.count == frames.count || closed != nil }
        XCTAssertNil(closed, "the stream closed")
        stream.close()
        return back
    }

    func testLargeAndSmallFramesComeBackThroughTLS13() throws {
        let server = try stunnel()
        defer { server.stop() }
        let loop = try IOLoop()
        let (result, layer) = try connectTLS(loop, port: server.port, trusting)
        let stream = try result.get()
        XCTAssertEqual(layer.negotiatedVersion, .v1_3)
        // One frame larger than a TLS record many times over, then many small ones.
        let frames = [pattern(1 << 20)] + (0..<300).map { pattern(1 + $0 * 7, seed: $0) }
        XCTAssertEqual(roundTrip(stream, frames) { condition in spin(loop, until: condition) }, frames)
    }

    func testTLS12WhenTheServerGoesNoHigher() throws {
        var settings = try Stunnel.Settings.valid()
        settings.maximumVersion = "TLSv1.2"
        let server = try stunnel(settings)
        defer { server.stop() }
        let loop = try IOLoop()
        let (result, layer) = try connectTLS(loop, port: server.port, trusting)
        let stream = try result.get()
        XCTAssertEqual(layer.negotiatedVersion, .v1_2)
        let frames = [pattern(100_000), pattern(3)]
        XCTAssertEqual(roundTrip(stream, frames) { condition in spin(loop, until: condition) }, frames)
    }

    func testMinimumVersionRefusesAnOlderServer() throws {
        var settings = try Stunnel.Settings.valid()
        settings.maximumVersion = "TLSv1.2"
        let server = try stunnel(settings)
        defer { server.stop() }
        var configuration = trusting
        configuration.minimumVersion = .v1_3
        let (result, layer) = try connectTLS(try IOLoop(), port: server.port, configuration)
        guard case .failure(let error) = result else { return XCTFail("a TLS 1.2 server was accepted") }
        XCTAssertEqual(tlsFailure(error)?.kind, .handshakeRefused, "\(error)")
        XCTAssertEqual(layer.failure?.kind, .handshakeRefused)
    }

    /// The same exchange with the loop embedded in a host's epoll loop: the layer adds no
    /// descriptor and no thread, so the host sees only the stream's socket.
    func testOnAHostDrivenLoop() throws {
        let server = try stunnel()
        defer { server.stop() }
        let loop = try IOLoop()
        let layer = try TLSContext(trusting).makeLayer(host: "127.0.0.1")
        var connected: Result<FramedStream, IOError>?
        FramedStream.connect(loop: loop, host: "127.0.0.1", port: server.port, timeout: .seconds(10), layer: layer) {
            connected = $0
        }
        hostDrive(loop) { connected != nil }
        let stream = try XCTUnwrap(connected).get()
        let frames = (0..<50).map { pattern(10_000 + $0, seed: $0) }
        XCTAssertEqual(roundTrip(stream, frames) { condition in hostDrive(loop, until: condition) }, frames)
    }

    func testADNSNameIsCheckedAgainstTheCertificatesNames() throws {
        let server = try stunnel()
        defer { server.stop() }
        let loop = try IOLoop()
        XCTAssertNoThrow(try connectTLS(loop, port: server.port, host: "localhost", trusting).0.get())
    }

    func testCertificateChecks() throws {
        let loop = try IOLoop()
        func failure(_ settings: Stunnel.Settings, _ configuration: TLSConfiguration) throws -> TLSError? {
            let server = try stunnel(settings)
            defer { server.stop() }
            let (result, _) = try connectTLS(loop, port: server.port, configuration)
            guard case .failure(let error) = result else { return nil }
            return tlsFailure(error)
        }
        let valid = try Stunnel.Settings.valid()
        var expired = valid, wrongHost = valid
        expired.certificate = certs.expiredCertificate
        wrongHost.certificate = certs.wrongHostCertificate

        XCTAssertEqual(try failure(valid, TLSConfiguration(caFile: certs.otherCAFile))?.kind, .untrustedCertificate)
        XCTAssertEqual(try failure(expired, trusting)?.kind, .certificateExpired)
        XCTAssertEqual(try failure(wrongHost, trusting)?.kind, .hostnameMismatch)
        XCTAssertEqual(try failure(valid, TLSConfiguration())?.kind, .untrustedCertificate,
                       "the system trust store does not know the test CA")

        var skipName = trusting
        skipName.insecureSkipHostnameVerification = true
        XCTAssertNil(try failure(wrongHost, skipName), "the name check is off")
        XCTAssertEqual(try failure(expired, skipName)?.kind, .certificateExpired, "dates are still checked")
        var skipAll = TLSConfiguration(caFile: certs.otherCAFile)
        skipAll.insecureSkipVerification = true
        XCTAssertNil(try failure(expired, skipAll), "nothing is checked")
        XCTAssertNil(try failure(valid, TLSConfiguration(caDirectory: certs.caDirectory)), "a hashed CA directory")
    }

    func testMutualTLS() throws {
        var settings = try Stunnel.Settings.valid()
        settings.clientCAFile = certs.caFile
        let server = try stunnel(settings)
        defer { server.stop() }
        let loop = try IOLoop()
        var configuration = trusting
        configuration.certificateFile = certs.clientCertificate
        configuration.privateKeyFile = certs.encryptedClientKey
        configuration.privateKeyPassword = certs.clientKeyPassword
        let stream = try connectTLS(loop, port: server.port, configuration).0.get()
        let frames = [pattern(5000)]
        XCTAssertEqual(roundTrip(stream, frames) { condition in spin(loop, until: condition) }, frames)

        // Without a certificate the server refuses. In TLS 1.3 it says so after our side of
        // the handshake is done, so the refusal may close the stream rather than fail the connect.
        var refused: IOError?
        switch try connectTLS(loop, port: server.port, trusting).0 {
        case .failure(let error): refused = error
        case .success(let anonymous):
            anonymous.onClose = { refused = $0 }
            anonymous.send(pattern(10))
            spin(loop) { refused != nil }
        }
        XCTAssertEqual(tlsFailure(refused)?.kind, .handshakeRefused, "\(String(describing: refused))")
    }

    func testUnusableSettingsFailWhenLoaded() throws {
        func kind(_ configuration: TLSConfiguration) -> TLSError.Kind? {
            do {
                _ = try TLSContext(configuration)
                return nil
            } catch {
                return error.kind
            }
        }
        XCTAssertEqual(kind(TLSConfiguration(caFile: certs.directory + "/missing.pem")), .configuration)
        XCTAssertEqual(kind(TLSConfiguration(certificateFile: certs.clientCertificate)), .configuration)
        XCTAssertEqual(kind(TLSConfiguration(certificateFile: certs.clientCertificate, privateKeyFile: certs.encryptedClientKey,
                                             privateKeyPassword: "wrong")), .configuration)
        XCTAssertEqual(kind(TLSConfiguration(certificateFile: certs.clientCertificate, privateKeyFile: certs.encryptedClientKey)),
                       .configuration, "an encrypted key without a password fails instead of prompting")
        XCTAssertEqual(kind(TLSConfiguration(certificateFile: certs.clientCertificate, privateKeyFile: certs.serverKey)),
                       .configuration, "a key that is not the certificate's")
        XCTAssertNil(kind(TLSConfiguration(certificateFile: certs.clientCertificate, privateKeyFile: certs.clientKey)))
    }
}
