/// The one table of the APIs this codec implements: the version range we speak for each and
/// the first flexible version (compact encodings, tagged fields, request header v2,
/// response header v1).
///
/// Floors are the lowest versions Kafka 4 still accepts (it removed Produce v0–2, Fetch v0–3,
/// ListOffsets v0, OffsetCommit v0–1, OffsetFetch v0, CreateTopics v0–1 and
/// DeleteTopics v0); ceilings are the newest versions whose layouts are implemented here.
/// Immutable; any thread.
public enum SupportedVersions {
    /// One row of the table.
    public struct Entry: Sendable, Equatable {
        public let versions: ClosedRange<Int16>
        /// First flexible version (`Int16.max` when none is).
        public let flexibleFrom: Int16
    }

    public static let table: [ApiKey: Entry] = [
        .produce: Entry(versions: 3...11, flexibleFrom: 9),
        .fetch: Entry(versions: 4...17, flexibleFrom: 12),
        .listOffsets: Entry(versions: 1...10, flexibleFrom: 6),
        .metadata: Entry(versions: 0...12, flexibleFrom: 9),
        .offsetCommit: Entry(versions: 2...9, flexibleFrom: 8),
        .offsetFetch: Entry(versions: 1...9, flexibleFrom: 6),
        .findCoordinator: Entry(versions: 0...6, flexibleFrom: 3),
        .joinGroup: Entry(versions: 0...9, flexibleFrom: 6),
        .heartbeat: Entry(versions: 0...4, flexibleFrom: 4),
        .leaveGroup: Entry(versions: 0...5, flexibleFrom: 4),
        .syncGroup: Entry(versions: 0...5, flexibleFrom: 4),
        .describeGroups: Entry(versions: 0...5, flexibleFrom: 5),
        .listGroups: Entry(versions: 0...5, flexibleFrom: 3),
        .apiVersions: Entry(versions: 0...3, flexibleFrom: 3),
        .createTopics: Entry(versions: 2...7, flexibleFrom: 5),
        .deleteTopics: Entry(versions: 1...6, flexibleFrom: 4),
        .initProducerId: Entry(versions: 0...5, flexibleFrom: 2),
    ]

    public static func versions(for api: ApiKey) -> ClosedRange<Int16>? { table[api]?.versions }

    /// Whether `version` of `api` is flexible; false for APIs outside the table.
    public static func isFlexible(_ api: ApiKey, version: Int16) -> Bool {
        guard let e = table[api] else { return false }
        return version >= e.flexibleFrom
    }

    /// The request header version for `version` of `api` (2 when flexible, else 1).
    public static func requestHeaderVersion(_ api: ApiKey, version: Int16) -> Int16 {
        isFlexible(api, version: version) ? 2 : 1
    }

    /// The response header version. ApiVersions always answers with header v0, so that a
    /// client that does not yet know the broker's versions can read it.
    public static func responseHeaderVersion(_ api: ApiKey, version: Int16) -> Int16 {
        if api == .apiVersions { return 0 }
        return isFlexible(api, version: version) ? 1 : 0
    }
}
