import XCTest
@testable import Kiel

final class SerializerTests: XCTestCase {
    struct Event: Codable, Equatable {
        var counter: Int
        var color: String
        var ratio: Double?
    }

    func testDefaultJsonSerializerSortsKeysLikeKiel() throws {
        let bytes = try Serializer<Event>.json.serialize(Event(counter: 3, color: "red/blue", ratio: 0.5))
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self), #"{"color": "red/blue", "counter": 3, "ratio": 0.5}"#)
    }

    func testJsonValueSerializesDirectly() throws {
        let bytes = try Serializer<JSON>.json.serialize(["counter": 1, "color": "é"])
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self), #"{"color": "\u00e9", "counter": 1}"#)
    }

    func testJsonRoundTripThroughDeserializer() throws {
        let event = Event(counter: 7, color: "green", ratio: nil)
        let bytes = try Serializer<Event>.json.serialize(event)
        XCTAssertEqual(try Deserializer<Event>.json.deserialize(bytes), event)
        XCTAssertEqual(try Deserializer<JSON>.json.deserialize(bytes)["counter"], 7)
    }

    func testDeserializerErrorsAreThrownNotSwallowed() {
        XCTAssertThrowsError(try Deserializer<Event>.json.deserialize(Array("not json".utf8)))
        XCTAssertThrowsError(try Deserializer<JSON>.json.deserialize(Array("{".utf8)))
        XCTAssertThrowsError(try Deserializer<String>.string.deserialize([0xff, 0xfe])) { error in
            guard case KielError.serialization = error else { return XCTFail("\(error)") }
        }
    }

    func testBytesAndStringVariants() throws {
        XCTAssertEqual(try Serializer<[UInt8]>.bytes.serialize([0, 255]), [0, 255])
        XCTAssertEqual(try Deserializer<[UInt8]>.bytes.deserialize([1, 2]), [1, 2])
        XCTAssertEqual(try Serializer<String>.string.serialize("hé"), [0x68, 0xc3, 0xa9])
        XCTAssertEqual(try Deserializer<String>.string.deserialize([0x68, 0xc3, 0xa9]), "hé")
    }

    func testKielErrorRetriability() {
        XCTAssertTrue(KielError.broker(BrokerError(.notLeaderOrFollower)).isRetriable)
        XCTAssertFalse(KielError.broker(BrokerError(.messageTooLarge)).isRetriable)
        XCTAssertEqual(BrokerError(wireCode: 6, topic: "t", partition: 2).description,
                       "broker error NOT_LEADER_OR_FOLLOWER (6) for t/2")
        XCTAssertEqual(BrokerError(.offsetOutOfRange).name, "OFFSET_OUT_OF_RANGE")
        XCTAssertEqual(BrokerError(wireCode: 32_000).name, "UNKNOWN_ERROR_CODE_32000")
        XCTAssertTrue(KielError.timeout("fetch").isRetriable)
        XCTAssertFalse(KielError.closed.isRetriable)
        struct Lower: Error {}
        XCTAssertTrue(KielError.connection(host: "h", port: 1, underlying: Lower()).underlying is Lower)
    }
}
