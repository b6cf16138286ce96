import XCTest
@testable import Kiel

/// The version a connection sends at: the highest both sides speak (the scripted broker offers
/// exactly the `ApiSpec` table), narrowed by a caller's `versionRange`.
final class BrokerConnectionVersionTests: XCTestCase {
    var loop: IOLoop!

    override func setUpWithError() throws { loop = try IOLoop() }

    private func metadataVersion(_ connection: BrokerConnection, within range: ClosedRange<Int16>?) throws
        -> Result<Int16, KielError> {
        try BrokerTest.run(loop) { done in
            connection.send(MetadataRequest(topics: ["t"]), versionRange: range) { done(.success($0.map(\.version))) }
        }
    }

    func testTheCallersRangeNarrowsTheChoice() throws {
        let broker = try ScriptedBroker(topics: ["t": 1])
        defer { broker.stop() }
        let connection = BrokerConnection(loop: loop, address: try BrokerAddress(parsing: broker.bootstrap))
        defer { connection.close() }
        XCTAssertEqual(try metadataVersion(connection, within: nil).get(), ApiSpec.metadata.versions.upperBound)
        XCTAssertEqual(try metadataVersion(connection, within: 1...4).get(), 4)
        XCTAssertEqual(try metadataVersion(connection, within: 7...Int16.max).get(), ApiSpec.metadata.versions.upperBound)
        XCTAssertEqual(try connection.versions?.version(for: .fetch, within: 4...12), 12)
        guard case .broker(let error)? = try metadataVersion(connection, within: 13...20).failureValue else {
            return XCTFail("a range outside the common versions must fail")
        }
        XCTAssertEqual(error.code, .unsupportedVersion)
        XCTAssertEqual(connection.state, .ready, "the refusal is the request's, not the connection's")
    }
}
