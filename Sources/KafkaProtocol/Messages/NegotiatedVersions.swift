/// The one place a version is chosen for a request to one broker: the highest version both
/// the broker (from its ApiVersions answer) and the `ApiSpec` table speak, within a caller's
/// narrower range when it gives one.
///
/// Immutable value; any thread.
public struct NegotiatedVersions: Equatable, Sendable {
    /// What the broker offered, by API key number (including APIs we don't know).
    public let brokerRanges: [Int16: ClosedRange<Int16>]
    /// The versions both sides speak, per API where there are any.
    private let common: [ApiKey: ClosedRange<Int16>]

    /// The versions to use with a broker that answered `broker`: for each API in `ours`, the highest
    /// version both sides speak, or none.
    public init(broker: ApiVersionsResponse, ours: [ApiSpec] = ApiSpec.all) {
        var ranges: [Int16: ClosedRange<Int16>] = [:]
        for a in broker.apiKeys where a.minVersion <= a.maxVersion {
            ranges[a.apiKey] = a.minVersion...a.maxVersion
        }
        brokerRanges = ranges
        var common: [ApiKey: ClosedRange<Int16>] = [:]
        for spec in ours {
            if let theirs = ranges[spec.key.rawValue], theirs.overlaps(spec.versions) {
                common[spec.key] = spec.versions.clamped(to: theirs)
            }
        }
        self.common = common
    }

    /// The version to send `api` at: the highest both sides speak, within `range` if given
    /// (e.g. the versions whose fields a caller needs). Throws `unsupportedAPI` when the
    /// broker does not offer the API, `unsupportedVersion` (with the broker's highest version)
    /// when no version fits or we do not implement the API.
    public func version(for api: ApiKey, within range: ClosedRange<Int16>? = nil) throws(ProtocolError) -> Int16 {
        if let both = common[api] {
            guard let range else { return both.upperBound }
            if both.overlaps(range) { return both.clamped(to: range).upperBound }
        }
        guard let theirs = brokerRanges[api.rawValue] else { throw .unsupportedAPI(api) }
        throw .unsupportedVersion(api: api, version: theirs.upperBound)
    }

    /// Like `version(for:)`, nil instead of an error.
    public func versionIfSupported(_ api: ApiKey) -> Int16? { common[api]?.upperBound }
}
