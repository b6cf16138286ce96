import XCTest
import Kiel
@testable import KielCLI

final class ConsumeFormatTests: XCTestCase {
    func testJSONLineCarriesMetadataAndTextWhereValid() {
        let m = ConsumerMessage<[UInt8]>(topic: "t", partition: 2, offset: 41, key: Array("k".utf8), timestamp: 1_700_000_000_123,
                                         headers: [RecordHeader(key: "h", value: Array("v".utf8)), RecordHeader(key: "n", value: nil)],
                                         value: Array("héllo".utf8))
        let line = String(decoding: ConsumeCommand.json(m).pythonSerialized(), as: UTF8.self)
        XCTAssertEqual(line, #"{"headers": [{"key": "h", "value": "v"}, {"key": "n", "value": null}], "key": "k", "offset": 41, "partition": 2, "timestamp": 1700000000123, "topic": "t", "value": "h\u00e9llo"}"#)
    }

    func testBinaryKeyAndValueGoToBase64Fields() {
        let m = ConsumerMessage<[UInt8]>(topic: "t", partition: 0, offset: 0, key: nil, timestamp: 0, headers: [],
                                         value: [0xff, 0x00, 0xfe])
        let json = ConsumeCommand.json(m)
        XCTAssertEqual(json["key"], JSON.null)
        XCTAssertEqual(json["value"], JSON.null)
        XCTAssertEqual(json["value_base64"], "/wD+")
        XCTAssertNil(json["key_base64"])
    }
}
