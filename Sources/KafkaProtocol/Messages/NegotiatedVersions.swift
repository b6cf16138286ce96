/// The version to use for each API with one broker: the highest version both the broker
/// (from its ApiVersions answer) and the `ApiSpec` table speak.
///
/// Immutable value; any thread.
public struct NegotiatedVersions: Equatable, Sendable {
    /// What the broker offered, by API key number (including APIs we don't know).
    public let brokerRanges: [Int16: ClosedRange<Int16>]
    private let chosen: [ApiKey: Int16]

    public init(broker: ApiVersionsResponse, ours: [ApiSpec] = ApiSpec.all) {
        var ranges: [Int16: ClosedRange<Int16>] = [:]
        for a in broker.apiKeys where a.minVersion <= a.maxVersion {
            ranges[a.apiKey] = a.minVersion...a.maxVersion
        }
        brokerRanges = ranges
        var chosen: [ApiKey: Int16] = [:]
        for spec in ours {
            if let theirs = ranges[spec.key.rawValue], theirs.overlaps(spec.versions) {
                chosen[spec.key] = min(theirs.upperBound, spec.versions.upperBound)
            }
        }
        self.chosen = chosen
    }

    /// The version to send `api` at. Throws `unsupportedAPI` when the broker does not offer
    /// the API, `unsupportedVersion` (with the broker's highest version) when the ranges do
    /// not overlap or we do not implement the API.
    public func version(for api: ApiKey) throws(ProtocolError) -> Int16 {
        if let v = chosen[api] { return v }
        guard let theirs = brokerRanges[api.rawValue] else { throw .unsupportedAPI(api) }
        throw .unsupportedVersion(api: api, version: theirs.upperBound)
    }

    /// Like `version(for:)`, nil instead of an error.
    public func versionIfSupported(_ api: ApiKey) -> Int16? { chosen[api] }
}
