import XCTest
@testable import KafkaProtocol
@testable import KafkaCompression

final class NegotiationTests: XCTestCase {
    private func broker(_ ranges: [(ApiKey, Int16, Int16)]) -> ApiVersionsResponse {
        var r = ApiVersionsResponse()
        r.apiKeys = ranges.map { .init(apiKey: $0.0.rawValue, minVersion: $0.1, maxVersion: $0.2) }
        return r
    }

    func testHighestCommonVersionPerApi() throws {
        let n = NegotiatedVersions(broker: broker([
            (.produce, 0, 8), (.fetch, 4, 20), (.metadata, 0, 12), (.apiVersions, 0, 4), (.heartbeat, 0, 2),
        ]))
        XCTAssertEqual(try n.version(for: .produce), 8)
        XCTAssertEqual(try n.version(for: .fetch), 17, "capped by our ceiling")
        XCTAssertEqual(try n.version(for: .metadata), 12)
        XCTAssertEqual(try n.version(for: .apiVersions), 3)
        XCTAssertEqual(try n.version(for: .heartbeat), 2)
    }

    func testMissingApiAndNoOverlapAreNamedErrors() {
        let n = NegotiatedVersions(broker: broker([(.produce, 0, 2), (.electLeaders, 0, 2), (.saslHandshake, 0, 0)]))
        XCTAssertThrowsError(try n.version(for: .produce)) {
            XCTAssertEqual($0 as? ProtocolError, .unsupportedVersion(api: .produce, version: 2))
        }
        XCTAssertThrowsError(try n.version(for: .fetch)) {
            XCTAssertEqual($0 as? ProtocolError, .unsupportedAPI(.fetch))
        }
        // Offered by the broker, but not implemented here.
        XCTAssertThrowsError(try n.version(for: .electLeaders)) {
            XCTAssertEqual($0 as? ProtocolError, .unsupportedVersion(api: .electLeaders, version: 2))
        }
        // Offered only below our floor (SaslHandshake v0 sends raw bytes on the socket).
        XCTAssertThrowsError(try n.version(for: .saslHandshake)) {
            XCTAssertEqual($0 as? ProtocolError, .unsupportedVersion(api: .saslHandshake, version: 0))
        }
        XCTAssertNil(n.versionIfSupported(.fetch))
        XCTAssertEqual(n.brokerRanges[ApiKey.electLeaders.rawValue], 0...2)
    }

    /// A broker that does not know ApiVersions v3 answers UNSUPPORTED_VERSION in the v0 layout
    /// with its own ApiVersions range; we decode that and retry at the best common version.
    func testApiVersionsFallback() throws {
        var old = ApiVersionsResponse()
        old.errorCode = KafkaErrorCode.unsupportedVersion.rawValue
        old.apiKeys = [.init(apiKey: 18, minVersion: 0, maxVersion: 2)]
        var w = ByteWriter()
        ResponseHeader(correlationId: 1).encode(headerVersion: 0, into: &w)
        old.encode(version: 0, into: &w)
        XCTAssertThrowsError(try KafkaFrame.decodeResponse(ApiVersionsResponse.self, frame: w.bytes, version: 3))
        let (header, body) = try ApiVersionsResponse.decodeFrame(w.bytes, requestedVersion: 3)
        XCTAssertEqual(header.correlationId, 1)
        XCTAssertEqual(body.errorCode, 35)
        XCTAssertEqual(body.retryVersion(after: 3), 2)

        var bare = ApiVersionsResponse()
        bare.errorCode = 35
        XCTAssertEqual(bare.retryVersion(after: 3), 0, "no range given: retry at v0")
        XCTAssertNil(ApiVersionsResponse().retryVersion(after: 3))
    }

    func testApiSpecTable() {
        XCTAssertEqual(ApiKey.produce.spec?.versions, 3...11)
        XCTAssertEqual(ApiKey.fetch.spec?.versions, 4...17)
        XCTAssertEqual(ApiKey.metadata.spec?.versions, 0...12)
        XCTAssertNil(ApiKey.electLeaders.spec)
        XCTAssertEqual(ApiKey.deleteRecords.spec?.versions, 0...2)
        XCTAssertEqual(ApiKey.saslAuthenticate.spec?.versions, 0...2)
        XCTAssertTrue(ApiSpec.fetch.isFlexible(12))
        XCTAssertFalse(ApiSpec.fetch.isFlexible(11))
        XCTAssertEqual(ApiSpec.all.map(\.key), ApiSpec.all.map(\.key).sorted { $0.rawValue < $1.rawValue }, "key order")
        XCTAssertEqual(Set(ApiSpec.all.map(\.key)).count, ApiSpec.all.count, "no API twice")
        for spec in ApiSpec.all {
            XCTAssertFalse(spec.versions.isEmpty, "\(spec)")
        }
        // Every message type points at its own row, and every row has its message types.
        for pair in allMessagePairs {
            XCTAssertEqual(pair.request.api, pair.response.api, "\(pair.request)")
            XCTAssertEqual(pair.request.api.key.spec, pair.request.api, "\(pair.request)")
        }
        XCTAssertEqual(Set(allMessagePairs.map { $0.request.api }), Set(ApiSpec.all))
    }

    /// A caller may narrow the choice (e.g. Fetch 4...12 for named topics); a range the
    /// common versions miss is an error, as is an API the broker does not offer.
    func testNarrowedChoice() throws {
        let n = NegotiatedVersions(broker: broker([(.fetch, 4, 20), (.offsetFetch, 0, 3)]))
        XCTAssertEqual(try n.version(for: .fetch, within: 4...12), 12)
        XCTAssertEqual(try n.version(for: .fetch, within: 0...6), 6)
        XCTAssertEqual(try n.version(for: .fetch, within: 1...Int16.max), 17)
        XCTAssertEqual(try n.version(for: .offsetFetch, within: 1...7), 3)
        XCTAssertThrowsError(try n.version(for: .offsetFetch, within: 5...7)) {
            XCTAssertEqual($0 as? ProtocolError, .unsupportedVersion(api: .offsetFetch, version: 3))
        }
        XCTAssertThrowsError(try n.version(for: .fetch, within: 0...3)) {
            XCTAssertEqual($0 as? ProtocolError, .unsupportedVersion(api: .fetch, version: 20))
        }
        XCTAssertThrowsError(try n.version(for: .produce, within: 3...11)) {
            XCTAssertEqual($0 as? ProtocolError, .unsupportedAPI(.produce))
        }
    }
}

final class ErrorCodeTests: XCTestCase {
    func testCodesNamesAndRetriability() {
        XCTAssertEqual(KafkaErrorCode(rawValue: -1), .unknownServerError)
        XCTAssertEqual(KafkaErrorCode(rawValue: 0), KafkaErrorCode.none)
        XCTAssertEqual(KafkaErrorCode(rawValue: 6), .notLeaderOrFollower)
        XCTAssertEqual(KafkaErrorCode.notLeaderOrFollower.name, "NOT_LEADER_OR_FOLLOWER")
        XCTAssertTrue(KafkaErrorCode.notLeaderOrFollower.isRetriable)
        XCTAssertTrue(KafkaErrorCode.leaderNotAvailable.isRetriable)
        XCTAssertTrue(KafkaErrorCode.requestTimedOut.isRetriable)
        XCTAssertTrue(KafkaErrorCode.coordinatorLoadInProgress.isRetriable)
        XCTAssertFalse(KafkaErrorCode.offsetOutOfRange.isRetriable)
        XCTAssertFalse(KafkaErrorCode.topicAuthorizationFailed.isRetriable)
        XCTAssertFalse(KafkaErrorCode.none.isError)
        XCTAssertEqual(KafkaErrorCode(rawValue: 36), .topicAlreadyExists)
        XCTAssertEqual(KafkaErrorCode(rawValue: 133), .shareSessionLimitReached)
        XCTAssertEqual(KafkaErrorCode.describe(3), "UNKNOWN_TOPIC_OR_PARTITION (3), retriable")
        XCTAssertEqual(KafkaErrorCode.describe(999), "unknown error code 999")
        XCTAssertGreaterThan(KafkaErrorCode.allCases.count, 130)
        XCTAssertEqual(Set(KafkaErrorCode.allCases.map(\.name)).count, KafkaErrorCode.allCases.count)
    }
}
