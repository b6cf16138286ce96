/// One Kafka API as this library speaks it: its key, the versions whose layouts are
/// implemented here, and the first flexible version (compact encodings, tagged fields,
/// request header v2, response header v1).
///
/// The only place an API's versions are stated. Its request and response types point at it
/// (`static let api`), and their codecs, `KafkaFrame`, `NegotiatedVersions` and the scripted
/// test brokers read it from there. Immutable; any thread.
public struct ApiSpec: Hashable, Sendable, CustomStringConvertible {
    public let key: ApiKey
    public let versions: ClosedRange<Int16>
    /// First flexible version (`Int16.max` when none is).
    public let flexibleFrom: Int16

    public init(_ key: ApiKey, versions: ClosedRange<Int16>, flexibleFrom: Int16) {
        self.key = key
        self.versions = versions
        self.flexibleFrom = flexibleFrom
    }

    /// Whether `version` uses compact encodings and tagged fields.
    public func isFlexible(_ version: Int16) -> Bool { version >= flexibleFrom }

    /// The request header version for `version` (2 when flexible, else 1).
    public func requestHeaderVersion(_ version: Int16) -> Int16 { isFlexible(version) ? 2 : 1 }

    /// The response header version. ApiVersions always answers with header v0, so that a
    /// client that does not yet know the broker's versions can read it.
    public func responseHeaderVersion(_ version: Int16) -> Int16 {
        key == .apiVersions ? 0 : isFlexible(version) ? 1 : 0
    }

    public var description: String { "\(key) v\(versions.lowerBound)-\(versions.upperBound)" }
}

/// The table: every API implemented here.
///
/// Floors are the lowest versions Kafka 4 still accepts (it removed Produce v0–2, Fetch v0–3,
/// ListOffsets v0, OffsetCommit v0–1, OffsetFetch v0, CreateTopics v0–1 and
/// DeleteTopics v0); ceilings are the newest versions whose layouts are implemented here.
extension ApiSpec {
    public static let produce = ApiSpec(.produce, versions: 3...11, flexibleFrom: 9)
    public static let fetch = ApiSpec(.fetch, versions: 4...17, flexibleFrom: 12)
    public static let listOffsets = ApiSpec(.listOffsets, versions: 1...10, flexibleFrom: 6)
    public static let metadata = ApiSpec(.metadata, versions: 0...12, flexibleFrom: 9)
    public static let offsetCommit = ApiSpec(.offsetCommit, versions: 2...9, flexibleFrom: 8)
    public static let offsetFetch = ApiSpec(.offsetFetch, versions: 1...9, flexibleFrom: 6)
    public static let findCoordinator = ApiSpec(.findCoordinator, versions: 0...6, flexibleFrom: 3)
    public static let joinGroup = ApiSpec(.joinGroup, versions: 0...9, flexibleFrom: 6)
    public static let heartbeat = ApiSpec(.heartbeat, versions: 0...4, flexibleFrom: 4)
    public static let leaveGroup = ApiSpec(.leaveGroup, versions: 0...5, flexibleFrom: 4)
    public static let syncGroup = ApiSpec(.syncGroup, versions: 0...5, flexibleFrom: 4)
    public static let describeGroups = ApiSpec(.describeGroups, versions: 0...5, flexibleFrom: 5)
    public static let listGroups = ApiSpec(.listGroups, versions: 0...5, flexibleFrom: 3)
    public static let apiVersions = ApiSpec(.apiVersions, versions: 0...3, flexibleFrom: 3)
    public static let createTopics = ApiSpec(.createTopics, versions: 2...7, flexibleFrom: 5)
    public static let deleteTopics = ApiSpec(.deleteTopics, versions: 1...6, flexibleFrom: 4)
    public static let initProducerId = ApiSpec(.initProducerId, versions: 0...5, flexibleFrom: 2)
    /// v0 sends the exchange as raw bytes on the socket; only v1 (SaslAuthenticate) is spoken.
    public static let saslHandshake = ApiSpec(.saslHandshake, versions: 1...1, flexibleFrom: .max)
    /// One step of the exchange; v1 adds the session lifetime (KIP-368).
    public static let saslAuthenticate = ApiSpec(.saslAuthenticate, versions: 0...2, flexibleFrom: 2)

    /// Every row above, in API key order.
    public static let all: [ApiSpec] = [
        .produce, .fetch, .listOffsets, .metadata, .offsetCommit, .offsetFetch, .findCoordinator,
        .joinGroup, .heartbeat, .leaveGroup, .syncGroup, .describeGroups, .listGroups, .saslHandshake,
        .apiVersions, .createTopics, .deleteTopics, .initProducerId, .saslAuthenticate,
    ]
}

extension ApiKey {
    /// What this library speaks of the API, or nil if it implements none of it.
    public var spec: ApiSpec? { ApiSpec.all.first { $0.key == self } }
}
