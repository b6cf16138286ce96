import XCTest
@testable import KafkaProtocol
@testable import KafkaCompression

/// A non-compact Kafka string has an INT16 length: more than 32,767 bytes cannot be sent.
/// Encoding such a string fails with `stringTooLong` instead of cutting the length prefix
/// (which used to announce a wrong length and misframe the rest of the request); compact
/// strings (flexible versions) have no such limit.
final class LongStringTests: XCTestCase {
    private let long = String(repeating: "é", count: 20_000)   // 40,000 UTF-8 bytes
    private let tooLong = ProtocolError.stringTooLong(length: 40_000)

    func testAnOverlongStringFailsToEncode() {
        let request = MetadataRequest(topics: [long])
        XCTAssertThrowsError(try KafkaFrame.encodeRequest(request, version: 1, correlationId: 7, clientId: "c")) {
            XCTAssertEqual($0 as? ProtocolError, tooLong)
        }
        XCTAssertThrowsError(try request.encoded(version: 8)) { XCTAssertEqual($0 as? ProtocolError, tooLong) }
        XCTAssertThrowsError(try KafkaFrame.encodeRequest(MetadataRequest(topics: ["t"]), version: 1, correlationId: 7,
                                                          clientId: long), "the header's client id") {
            XCTAssertEqual($0 as? ProtocolError, tooLong)
        }
        var response = ListGroupsResponse()
        var group = ListGroupsResponse.Group()
        group.groupId = long
        response.groups = [group]
        XCTAssertThrowsError(try KafkaFrame.encodeResponse(response, version: 0, correlationId: 7)) {
            XCTAssertEqual($0 as? ProtocolError, tooLong)
        }
        var w = ByteWriter()
        XCTAssertThrowsError(try w.writeString(String(repeating: "a", count: 32_768)))
        XCTAssertEqual(w.count, 0, "nothing written")
        XCTAssertNoThrow(try w.writeString(String(repeating: "a", count: 32_767)))
    }

    func testAFailedFrameLeavesASharedBufferAsItWas() throws {
        var w = ByteWriter()
        try KafkaFrame.encodeRequest(MetadataRequest(topics: ["a"]), version: 1, correlationId: 1, clientId: "c", into: &w)
        let first = w.bytes
        XCTAssertThrowsError(try KafkaFrame.encodeRequest(MetadataRequest(topics: [long]), version: 1, correlationId: 2,
                                                          clientId: "c", into: &w))
        XCTAssertEqual(w.bytes, first)
        XCTAssertNil(w.error)
        try KafkaFrame.encodeRequest(MetadataRequest(topics: ["b"]), version: 1, correlationId: 3, clientId: "c", into: &w)
        XCTAssertEqual(w.count, 2 * first.count)
    }

    func testCompactStringsMayBeLonger() throws {
        // Metadata is flexible from v9: its topic names are compact strings.
        let request = MetadataRequest(topics: [long])
        let frame = try KafkaFrame.encodeRequest(request, version: 9, correlationId: 7, clientId: "c")
        let decoded = try KafkaFrame.decodeRequest(MetadataRequest.self, frame: Array(frame.dropFirst(4))).body
        XCTAssertEqual(decoded.topics?.first?.name, long)
    }
}
