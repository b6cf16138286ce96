import XCTest
@testable import KafkaProtocol
@testable import KafkaCompression

final class RoundTripTests: XCTestCase {
    /// Random values in every field of every version of every message survive encode/decode,
    /// and re-encoding gives the same bytes.
    func testEveryVersionOfEveryMessageRoundTrips() throws {
        var cases = 0
        for type in allMessageTypes {
            cases += try roundTrip(type)
        }
        XCTAssertGreaterThan(cases, 1000)
    }

    private func roundTrip<M: KafkaMessage>(_ type: M.Type) throws -> Int {
        var cases = 0
        for version in M.api.versions {
            for seed in 0..<UInt64(12) {
                let value = M.random(version: version, seed: seed &* 7919 &+ UInt64(version) &+ UInt64(M.apiKey.rawValue) << 32)
                let bytes = try value.encoded(version: version)
                let decoded: M
                do {
                    decoded = try M.decode(bytes, version: version)
                } catch {
                    XCTFail("\(M.self) v\(version) seed \(seed): \(error)\n\(bytes.hexDump)")
                    continue
                }
                XCTAssertEqual(decoded, value, "\(M.self) v\(version) seed \(seed)")
                XCTAssertEqual(try decoded.encoded(version: version), bytes, "\(M.self) v\(version) re-encoding")
                cases += 1
            }
        }
        return cases
    }

    func testAbsentFieldsAreDefaultedOnDecode() throws {
        var r = MetadataResponse()
        r.throttleTimeMs = 99
        r.clusterId = "c"
        r.controllerId = 3
        let decoded = try MetadataResponse.decode(r.encoded(version: 0), version: 0)
        XCTAssertEqual(decoded.throttleTimeMs, 0)
        XCTAssertNil(decoded.clusterId)
        XCTAssertEqual(decoded.controllerId, -1)
    }

    /// A field nullable only in later versions: before them nil goes out as "" or as an empty
    /// array and comes back as a value; from them it goes out as null and comes back nil.
    func testFieldsNullableFromAVersion() throws {
        var all = MetadataRequest(topics: nil)
        all.topics = nil
        XCTAssertEqual(try all.encoded(version: 0).hexString, "00000000")
        XCTAssertEqual(try MetadataRequest.decode(all.encoded(version: 0), version: 0).topics, [])
        XCTAssertEqual(try all.encoded(version: 1).hexString, "ffffffff")
        XCTAssertNil(try MetadataRequest.decode(all.encoded(version: 1), version: 1).topics)

        let unnamed = MetadataRequest.Topic(name: nil)
        XCTAssertEqual(try unnamed.encodedStruct(version: 9, flexible: true).hexString, "01" + "00")
        XCTAssertEqual(try unnamed.encodedStruct(version: 10, flexible: true).hexString,
                       "00000000000000000000000000000000" + "00" + "00")
        var r = ByteReader([0x01, 0x00])
        r.flexible = true
        var decoded = MetadataRequest.Topic()
        decoded.name = nil
        decoded.code(&r, version: 9)
        try r.finish()
        XCTAssertEqual(decoded.name, "")
    }

    func testFramedRequestHeaderVersions() throws {
        let req = ApiVersionsRequest(clientSoftwareName: "kiel", clientSoftwareVersion: "1")
        // v3 is flexible: header v2 with a non-compact client id and an empty tag section.
        let frame = try KafkaFrame.encodeRequest(req, version: 3, correlationId: 7, clientId: "c")
        XCTAssertEqual(frame.hexString, "00000014" + "0012" + "0003" + "00000007" + "000163" + "00"
                       + "056b69656c" + "0231" + "00")
        let v0 = try KafkaFrame.encodeRequest(req, version: 0, correlationId: 7, clientId: nil)
        XCTAssertEqual(v0.hexString, "0000000a" + "0012" + "0000" + "00000007" + "ffff")
        let (header, body) = try KafkaFrame.decodeRequest(ApiVersionsRequest.self, frame: Array(frame.dropFirst(4)))
        XCTAssertEqual(header, RequestHeader(apiKey: 18, apiVersion: 3, correlationId: 7, clientId: "c"))
        XCTAssertEqual(body, req)
    }

    func testUnsupportedVersionsAreRejected() {
        XCTAssertThrowsError(try KafkaFrame.encodeRequest(ProduceRequest(), version: 2, correlationId: 1, clientId: nil)) {
            XCTAssertEqual($0 as? ProtocolError, .unsupportedVersion(api: .produce, version: 2))
        }
        XCTAssertThrowsError(try FetchResponse.decode([], version: 18)) {
            XCTAssertEqual($0 as? ProtocolError, .unsupportedVersion(api: .fetch, version: 18))
        }
    }

    func testFlexibleResponseHeaderAndApiVersionsException() throws {
        var w = ByteWriter()
        ResponseHeader(correlationId: 5).encode(headerVersion: 1, into: &w)
        HeartbeatResponse().encode(version: 4, into: &w)
        let (h, _) = try KafkaFrame.decodeResponse(HeartbeatResponse.self, frame: w.bytes, version: 4)
        XCTAssertEqual(h.correlationId, 5)
        XCTAssertEqual(ApiSpec.apiVersions.responseHeaderVersion(3), 0)
        XCTAssertEqual(ApiSpec.metadata.responseHeaderVersion(9), 1)
        XCTAssertEqual(ApiSpec.metadata.requestHeaderVersion(8), 1)
        XCTAssertEqual(ApiSpec.fetch.requestHeaderVersion(12), 2)
        XCTAssertEqual(KafkaFrame.correlationId(ofResponse: w.bytes), 5)
    }

    func testTaggedFieldsAreSkippedWhenUnknownAndReadWhenKnown() throws {
        // A FetchResponse v12 partition with a current-leader tag (1) and an unknown tag (9).
        var p = FetchResponse.Partition()
        p.currentLeader = LeaderIdAndEpoch(leaderId: 4, leaderEpoch: 2)
        var resp = FetchResponse()
        var topic = FetchResponse.Topic()
        topic.topic = "t"
        topic.partitions = [p]
        resp.topics = [topic]
        var bytes = try resp.encoded(version: 12)
        // The body ends with the response's own empty tag section (00); before it, the topic's
        // (00), and before that the partition's section: count 01, tag 01, size 09, 8 bytes + 00.
        XCTAssertEqual(Array(bytes.suffix(14)).hexString, "0101090000000400000002" + "00" + "00" + "00")
        bytes.replaceSubrange((bytes.count - 14)..<(bytes.count - 13), with: [0x02])
        bytes.insert(contentsOf: [0x09, 0x02, 0xab, 0xcd], at: bytes.count - 2)
        let decoded = try FetchResponse.decode(bytes, version: 12)
        XCTAssertEqual(decoded.topics.first?.partitions.first?.currentLeader, LeaderIdAndEpoch(leaderId: 4, leaderEpoch: 2))
    }

    func testScriptedBrokerHelpers() throws {
        let request = try KafkaFrame.encodeRequest(MetadataRequest(topics: ["a"]), version: 12, correlationId: 9, clientId: "x")
        let header = try KafkaFrame.requestHeader(of: Array(request.dropFirst(4)))
        XCTAssertEqual(header, RequestHeader(apiKey: 3, apiVersion: 12, correlationId: 9, clientId: "x"))
        XCTAssertThrowsError(try KafkaFrame.requestHeader(of: [0, 3]))

        var answer = MetadataResponse()
        answer.brokers = [.init(nodeId: 1, host: "h", port: 9)]
        let frame = try KafkaFrame.encodeResponse(answer, version: 12, correlationId: 9)
        XCTAssertEqual(Int(Int32(bigEndian: frame.prefix(4).withUnsafeBytes { $0.loadUnaligned(as: Int32.self) })), frame.count - 4)
        let (h, body) = try KafkaFrame.decodeResponse(MetadataResponse.self, frame: Array(frame.dropFirst(4)), version: 12)
        XCTAssertEqual(h.correlationId, 9)
        XCTAssertEqual(body, answer)
        // ApiVersions answers keep header v0 even in flexible versions.
        let api = try KafkaFrame.encodeResponse(ApiVersionsResponse(), version: 3, correlationId: 4)
        XCTAssertEqual(Array(api.prefix(10)).hexString, "0000000c" + "00000004" + "0000")
    }
}

private extension WireStruct {
    /// The struct alone, coded at `version` with the given compactness.
    func encodedStruct(version: Int16, flexible: Bool) throws -> [UInt8] {
        var w = ByteWriter()
        w.flexible = flexible
        var copy = self
        copy.code(&w, version: version)
        try w.check()
        return w.bytes
    }
}
