/// One Kafka API as this library speaks it: its key, the versions whose layouts are
/// implemented here, and the first flexible version (compact encodings, tagged fields,
/// request header v2, response header v1).
///
/// The only place an API's versions are stated. Its request and response types point at it
/// (`static let api`), and their codecs, `KafkaFrame`, `NegotiatedVersions` and the scripted
/// test brokers read it from there. Immutable; any thread.
public struct ApiSpec: Hashable, Sendable, CustomStringConvertible {
    /// The API.
    public let key: ApiKey
    /// The versions implemented here, lowest to highest.
    public let versions: ClosedRange<Int16>
    /// First flexible version (`Int16.max` when none is).
    public let flexibleFrom: Int16

    /// A row of the table; the static rows below are the ones used.
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

    /// The API and its versions, e.g. "fetch v4-17".
    public var description: String { "\(key) v\(versions.lowerBound)-\(versions.upperBound)" }
}

/// The table: every API implemented here.
///
/// Floors are the lowest versions Kafka 4 still accepts (it removed Produce v0–2, Fetch v0–3,
/// ListOffsets v0, OffsetCommit v0–1, OffsetFetch v0, CreateTopics v0–1, DeleteTopics v0 and
/// DescribeConfigs v0); ceilings are the newest versions whose layouts are implemented here.
extension ApiSpec {
    /// Produce (key 0): append record batches.
    public static let produce = ApiSpec(.produce, versions: 3...11, flexibleFrom: 9)
    /// Fetch (key 1): read record batches.
    public static let fetch = ApiSpec(.fetch, versions: 4...17, flexibleFrom: 12)
    /// ListOffsets (key 2): offsets by timestamp, earliest or latest.
    public static let listOffsets = ApiSpec(.listOffsets, versions: 1...10, flexibleFrom: 6)
    /// Metadata (key 3): brokers, topics, partitions and leaders.
    public static let metadata = ApiSpec(.metadata, versions: 0...12, flexibleFrom: 9)
    /// OffsetCommit (key 8): store a group's offsets.
    public static let offsetCommit = ApiSpec(.offsetCommit, versions: 2...9, flexibleFrom: 8)
    /// OffsetFetch (key 9): read a group's committed offsets.
    public static let offsetFetch = ApiSpec(.offsetFetch, versions: 1...9, flexibleFrom: 6)
    /// FindCoordinator (key 10): the broker coordinating a group or transaction.
    public static let findCoordinator = ApiSpec(.findCoordinator, versions: 0...6, flexibleFrom: 3)
    /// JoinGroup (key 11): join a classic group.
    public static let joinGroup = ApiSpec(.joinGroup, versions: 0...9, flexibleFrom: 6)
    /// Heartbeat (key 12): keep a classic group membership alive.
    public static let heartbeat = ApiSpec(.heartbeat, versions: 0...4, flexibleFrom: 4)
    /// LeaveGroup (key 13): leave a classic group.
    public static let leaveGroup = ApiSpec(.leaveGroup, versions: 0...5, flexibleFrom: 4)
    /// SyncGroup (key 14): hand out and receive a classic group's assignments.
    public static let syncGroup = ApiSpec(.syncGroup, versions: 0...5, flexibleFrom: 4)
    /// DescribeGroups (key 15): groups with their members.
    public static let describeGroups = ApiSpec(.describeGroups, versions: 0...5, flexibleFrom: 5)
    /// ListGroups (key 16): the groups a broker coordinates.
    public static let listGroups = ApiSpec(.listGroups, versions: 0...5, flexibleFrom: 3)
    /// ApiVersions (key 18): the versions a broker speaks.
    public static let apiVersions = ApiSpec(.apiVersions, versions: 0...3, flexibleFrom: 3)
    /// CreateTopics (key 19).
    public static let createTopics = ApiSpec(.createTopics, versions: 2...7, flexibleFrom: 5)
    /// DeleteTopics (key 20).
    public static let deleteTopics = ApiSpec(.deleteTopics, versions: 1...6, flexibleFrom: 4)
    /// DeleteRecords (key 21): move partitions' log start offsets forward.
    public static let deleteRecords = ApiSpec(.deleteRecords, versions: 0...2, flexibleFrom: 2)
    /// InitProducerId (key 22): a producer id for idempotent or transactional produce.
    public static let initProducerId = ApiSpec(.initProducerId, versions: 0...5, flexibleFrom: 2)
    /// DescribeConfigs (key 32): topics' and brokers' configuration.
    public static let describeConfigs = ApiSpec(.describeConfigs, versions: 1...4, flexibleFrom: 4)
    /// AlterConfigs (key 33): replace a resource's whole configuration.
    public static let alterConfigs = ApiSpec(.alterConfigs, versions: 0...2, flexibleFrom: 2)
    /// v0 sends the exchange as raw bytes on the socket; only v1 (SaslAuthenticate) is spoken.
    public static let saslHandshake = ApiSpec(.saslHandshake, versions: 1...1, flexibleFrom: .max)
    /// One step of the exchange; v1 adds the session lifetime (KIP-368).
    public static let saslAuthenticate = ApiSpec(.saslAuthenticate, versions: 0...2, flexibleFrom: 2)
    /// CreatePartitions (key 37): raise topics' partition counts.
    public static let createPartitions = ApiSpec(.createPartitions, versions: 0...3, flexibleFrom: 2)
    /// DeleteGroups (key 42): delete empty consumer groups.
    public static let deleteGroups = ApiSpec(.deleteGroups, versions: 0...2, flexibleFrom: 2)
    /// IncrementalAlterConfigs (key 44): change single configuration entries.
    public static let incrementalAlterConfigs = ApiSpec(.incrementalAlterConfigs, versions: 0...1, flexibleFrom: 1)

    /// Every row above, in API key order.
    public static let all: [ApiSpec] = [
        .produce, .fetch, .listOffsets, .metadata, .offsetCommit, .offsetFetch, .findCoordinator,
        .joinGroup, .heartbeat, .leaveGroup, .syncGroup, .describeGroups, .listGroups, .saslHandshake,
        .apiVersions, .createTopics, .deleteTopics, .deleteRecords, .initProducerId, .describeConfigs,
        .alterConfigs, .saslAuthenticate, .createPartitions, .deleteGroups, .incrementalAlterConfigs,
    ]
}

extension ApiKey {
    /// What this library speaks of the API, or nil if it implements none of it.
    public var spec: ApiSpec? { ApiSpec.all.first { $0.key == self } }
}
