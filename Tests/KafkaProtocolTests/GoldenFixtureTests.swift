import XCTest
@testable import KafkaProtocol
@testable import KafkaCompression

/// Byte-for-byte agreement with kafka-python (see Fixtures/generate_protocol_fixtures.py).
final class GoldenFixtureTests: XCTestCase {
    func testEncodingsMatchKafkaPythonByteForByte() throws {
        let fixtures = try Fixtures.load("kafka_python_fixtures.json")
        XCTAssertGreaterThan(fixtures.count, 150)
        var seen = Set<String>()
        for f in fixtures {
            let name = try XCTUnwrap(f["name"] as? String)
            let version = Int16(try XCTUnwrap(f["version"] as? Int))
            let bytes = try XCTUnwrap([UInt8](hex: try XCTUnwrap(f["hex"] as? String)))
            let message = try XCTUnwrap(Canonical.messages[name], "no canonical value for \(name)")
            seen.insert(name)
            try check(message, version: version, expected: bytes, name: name)
        }
        XCTAssertEqual(seen, Set(Canonical.messages.keys), "every canonical message has fixtures")
    }

    private func check<M: KafkaMessage>(_ message: M, version: Int16, expected: [UInt8], name: String) throws {
        XCTAssertTrue(M.api.versions.contains(version), "\(name) v\(version)")
        let ours = try message.encoded(version: version)
        XCTAssertEqual(ours.hexString, expected.hexString, "\(name) v\(version)")
        let decoded = try M.decode(expected, version: version)
        XCTAssertEqual(try decoded.encoded(version: version), expected, "\(name) v\(version) decode/encode")
        // Decoding the canonical value's bytes gives the canonical value minus the fields
        // this version lacks: decoding again from our own bytes must agree.
        XCTAssertEqual(decoded, try M.decode(ours, version: version), "\(name) v\(version)")
    }

    func testFramedRequestWithHeaderMatchesKafkaPython() throws {
        // From the Tansu captures: kafka-python framed these requests with client id
        // "kiel-fixtures"; our frame for the same body must be identical.
        let frames = try Fixtures.load("tansu_fixtures.json")
        let byName = Dictionary(uniqueKeysWithValues: frames.map { ($0["name"] as! String, $0) })
        let apiV3 = try XCTUnwrap(byName["ApiVersionsV3"])
        let request = try KafkaFrame.encodeRequest(Canonical.messages["ApiVersionsRequest"] as! ApiVersionsRequest,
                                                   version: 3, correlationId: 2, clientId: "kiel-fixtures")
        XCTAssertEqual(Array(request.dropFirst(4)).hexString, apiV3["request_hex"] as? String)

        let find = try XCTUnwrap(byName["FindCoordinatorV4"])
        var header = ByteReader(try XCTUnwrap([UInt8](hex: try XCTUnwrap(find["request_hex"] as? String))))
        let sent = RequestHeader.decode(from: &header)
        let findFrame = try KafkaFrame.encodeRequest(FindCoordinatorRequest(key: "group-1"), version: 4,
                                                     correlationId: sent.correlationId, clientId: "kiel-fixtures")
        XCTAssertEqual(Array(findFrame.dropFirst(4)).hexString, find["request_hex"] as? String)
    }

    /// Every prefix of every kafka-python encoding is rejected, never a crash.
    func testDripFeedEveryFixture() throws {
        var checked = 0
        for f in try Fixtures.load("kafka_python_fixtures.json") {
            let name = try XCTUnwrap(f["name"] as? String)
            let version = Int16(try XCTUnwrap(f["version"] as? Int))
            let bytes = try XCTUnwrap([UInt8](hex: try XCTUnwrap(f["hex"] as? String)))
            let message = try XCTUnwrap(Canonical.messages[name])
            checked += dripFeed(message, bytes, version: version, name: name)
        }
        XCTAssertGreaterThan(checked, 5000)
    }

    private func dripFeed<M: KafkaMessage>(_ sample: M, _ bytes: [UInt8], version: Int16, name: String) -> Int {
        for cut in 0..<bytes.count {
            XCTAssertThrowsError(try M.decode(Array(bytes[0..<cut]), version: version), "\(name) v\(version) cut \(cut)")
        }
        return bytes.count
    }

    /// The requests kafka-python sent to Tansu decode with our request decoders (as a
    /// scripted broker would) and encode back, header and all, to the same bytes.
    func testCapturedRequestsDecodeAndReencode() throws {
        let frames = try Fixtures.load("tansu_fixtures.json")
        XCTAssertGreaterThan(frames.count, 10)
        for f in frames {
            let name = try XCTUnwrap(f["name"] as? String)
            let request = try XCTUnwrap([UInt8](hex: try XCTUnwrap(f["request_hex"] as? String)))
            let key = try XCTUnwrap(ApiKey(rawValue: Int16(try XCTUnwrap(f["api_key"] as? Int))))
            let type = try XCTUnwrap(allMessagePairs.first { $0.request.apiKey == key }?.request)
            XCTAssertEqual(try reencode(type, request).hexString, request.hexString, name)
        }
    }

    private func reencode<R: KafkaRequest>(_ type: R.Type, _ frame: [UInt8]) throws -> [UInt8] {
        let (header, body) = try KafkaFrame.decodeRequest(R.self, frame: frame)
        let framed = try KafkaFrame.encodeRequest(body, version: header.apiVersion, correlationId: header.correlationId,
                                                  clientId: header.clientId)
        return Array(framed.dropFirst(4))
    }
}
