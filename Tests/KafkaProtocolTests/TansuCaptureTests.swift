import XCTest
@testable import KafkaProtocol
@testable import KafkaCompression

/// Real answers from a Tansu broker (captured by Fixtures/generate_protocol_fixtures.py):
/// our decoders must read every frame completely and see what the broker said.
final class TansuCaptureTests: XCTestCase {
    private var frames: [String: (version: Int16, request: [UInt8], response: [UInt8])] = [:]

    override func setUpWithError() throws {
        for f in try Fixtures.load("tansu_fixtures.json") {
            let name = try XCTUnwrap(f["name"] as? String)
            frames[name] = (Int16(try XCTUnwrap(f["version"] as? Int)),
                            try XCTUnwrap([UInt8](hex: try XCTUnwrap(f["request_hex"] as? String))),
                            try XCTUnwrap([UInt8](hex: try XCTUnwrap(f["response_hex"] as? String))))
        }
    }

    private func decode<R: KafkaResponse>(_ name: String, as type: R.Type, file: StaticString = #filePath,
                                          line: UInt = #line) throws -> R {
        let f = try XCTUnwrap(frames[name], "missing capture \(name)", file: file, line: line)
        var r = ByteReader(f.request)
        let sent = RequestHeader.decode(from: &r)
        XCTAssertEqual(sent.apiKey, R.apiKey.rawValue, file: file, line: line)
        let (header, body) = try KafkaFrame.decodeResponse(R.self, frame: f.response, version: f.version)
        XCTAssertEqual(header.correlationId, sent.correlationId, name, file: file, line: line)
        return body
    }

    func testApiVersionsAndNegotiation() throws {
        for name in ["ApiVersionsV0", "ApiVersionsV3"] {
            let f = try XCTUnwrap(frames[name])
            let (_, body) = try ApiVersionsResponse.decodeFrame(f.response, requestedVersion: f.version)
            XCTAssertEqual(body.errorCode, 0)
            XCTAssertNil(body.retryVersion(after: f.version))
            XCTAssertEqual(body.range(for: .produce)?.upperBound, 11, name)
            XCTAssertEqual(body.range(for: .fetch)?.upperBound, 17, name)
            XCTAssertEqual(body.range(for: .metadata)?.upperBound, 12, name)
            let negotiated = NegotiatedVersions(broker: body)
            XCTAssertEqual(try negotiated.version(for: .produce), 11)
            XCTAssertEqual(try negotiated.version(for: .fetch), 17)
            XCTAssertEqual(try negotiated.version(for: .metadata), 12)
            XCTAssertEqual(try negotiated.version(for: .apiVersions), 3)
        }
    }

    func testCreateTopicsMetadataProduceFetchListOffsetsFindCoordinator() throws {
        let created = try decode("CreateTopicsV7", as: CreateTopicsResponse.self)
        XCTAssertEqual(created.topics.map(\.name), ["fixtures"])
        XCTAssertEqual(created.topics.first?.errorCode, 0)
        let topicId = try XCTUnwrap(created.topics.first?.topicId)
        XCTAssertNotEqual(topicId, .zero)

        let meta = try decode("MetadataV12", as: MetadataResponse.self)
        XCTAssertEqual(meta.brokers.map(\.nodeId), [111])
        XCTAssertEqual(meta.topics.first?.name, "fixtures")
        XCTAssertEqual(meta.topics.first?.topicId, topicId)
        XCTAssertEqual(meta.topics.first?.partitions.count, 2)
        let all = try decode("MetadataV1AllTopics", as: MetadataResponse.self)
        XCTAssertTrue(all.topics.contains { $0.name == "fixtures" })
        XCTAssertEqual(all.brokers.first?.port, meta.brokers.first?.port)

        var offsets: [Int64] = []
        for name in ["ProduceV3", "ProduceV9", "ProduceV11"] {
            let p = try decode(name, as: ProduceResponse.self)
            let partition = try XCTUnwrap(p.topics.first?.partitions.first)
            XCTAssertEqual(p.topics.first?.name, "fixtures")
            XCTAssertEqual(partition.errorCode, 0, name)
            offsets.append(partition.baseOffset)
        }
        XCTAssertEqual(offsets, [0, 2, 4], "each produce appended one batch of two records")

        for name in ["FetchV4", "FetchV11", "FetchV12", "FetchV13", "FetchV16"] {
            let f = try decode(name, as: FetchResponse.self)
            XCTAssertEqual(f.errorCode, 0)
            let topic = try XCTUnwrap(f.topics.first)
            if frames[name]!.version >= 13 { XCTAssertEqual(topic.topicId, topicId, name) } else { XCTAssertEqual(topic.topic, "fixtures", name) }
            let partition = try XCTUnwrap(topic.partitions.first)
            XCTAssertEqual(partition.errorCode, 0, name)
            XCTAssertEqual(partition.highWatermark, 6, name)
            let records = try XCTUnwrap(partition.records)
            XCTAssertGreaterThan(records.count, 61 * 3, name)
            // RecordBatch v2: base offset 0 and magic byte 2 at offset 16.
            XCTAssertEqual(Array(records.prefix(8)), [0, 0, 0, 0, 0, 0, 0, 0], name)
            XCTAssertEqual(records[16], 2, name)
        }

        for name in ["ListOffsetsV1", "ListOffsetsV6"] {
            let l = try decode(name, as: ListOffsetsResponse.self)
            let partition = try XCTUnwrap(l.topics.first?.partitions.first)
            XCTAssertEqual(partition.errorCode, 0, name)
            XCTAssertGreaterThan(partition.offset, 0, name)
        }

        let c2 = try decode("FindCoordinatorV2", as: FindCoordinatorResponse.self)
        XCTAssertEqual(c2.nodeId, 111)
        XCTAssertEqual(c2.port, meta.brokers.first?.port)
        let c4 = try decode("FindCoordinatorV4", as: FindCoordinatorResponse.self)
        XCTAssertEqual(c4.coordinators.map(\.key), ["group-1"])
        XCTAssertEqual(c4.coordinators.first?.nodeId, 111)
    }

    /// Every capture decodes completely; every prefix of it fails cleanly.
    func testDripFeedEveryCapture() throws {
        var checked = 0
        for (name, f) in frames {
            let api = try XCTUnwrap(ApiKey(rawValue: { var r = ByteReader(f.request); return r.readInt16() }()))
            let type = try XCTUnwrap(allMessagePairs.first { $0.response.apiKey == api }?.response, name)
            for cut in stride(from: 0, to: f.response.count, by: 1) {
                XCTAssertThrowsError(try decodeFrame(type, Array(f.response[0..<cut]), f.version), "\(name) cut at \(cut)")
                checked += 1
            }
            XCTAssertNoThrow(try decodeFrame(type, f.response, f.version), name)
        }
        XCTAssertGreaterThan(checked, 1000)
    }

    private func decodeFrame<R: KafkaResponse>(_ type: R.Type, _ bytes: [UInt8], _ version: Int16) throws {
        _ = try KafkaFrame.decodeResponse(R.self, frame: bytes, version: version)
    }
}
