// ApiVersions (key 18): which versions of which APIs the broker speaks.

/// Asks the broker for its API version ranges. Value type; any thread.
public struct ApiVersionsRequest: KafkaRequest {
    /// The body the broker answers with.
    public typealias Response = ApiVersionsResponse
    /// The API's row in `ApiSpec`.
    public static let api = ApiSpec.apiVersions

    /// Sent from v3; brokers reject names that are empty or not `[a-zA-Z0-9.-]`.
    public var clientSoftwareName = "kiel-swift"
    /// Sent from v3; same character rules as the name.
    public var clientSoftwareVersion = "0.1.0"

    /// Every field at its default; decoding starts from this.
    public init() {}
    /// A request naming the client software (sent from v3).
    public init(clientSoftwareName: String, clientSoftwareVersion: String) {
        self.clientSoftwareName = clientSoftwareName
        self.clientSoftwareVersion = clientSoftwareVersion
    }

    /// Its fields in wire order at `v`, for `c` to write or read.
    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        if v >= 3 {
            c.string(&clientSoftwareName)
            c.string(&clientSoftwareVersion)
        }
        c.noTaggedFields()
    }
}

/// The broker's API version ranges (and, from v3, its feature flags). Value type; any thread.
public struct ApiVersionsResponse: KafkaResponse {
    /// The API's row in `ApiSpec`.
    public static let api = ApiSpec.apiVersions

    /// One API's range of versions on the broker.
    public struct ApiVersion: WireStruct {
        /// The API key (`ApiKey.rawValue`).
        public var apiKey: Int16 = 0
        /// The lowest version the broker accepts.
        public var minVersion: Int16 = 0
        /// The highest version the broker accepts.
        public var maxVersion: Int16 = 0
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// The range `minVersion`...`maxVersion` of `apiKey`.
        public init(apiKey: Int16, minVersion: Int16, maxVersion: Int16) {
            self.apiKey = apiKey
            self.minVersion = minVersion
            self.maxVersion = maxVersion
        }
        /// Its fields in wire order at `v`, for `c` to write or read.
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.int16(&apiKey)
            c.int16(&minVersion)
            c.int16(&maxVersion)
            c.noTaggedFields()
        }
    }

    /// A feature the broker supports (v3+, tagged) or has finalized; `maxVersion` is the
    /// "MaxVersionLevel" and `minVersion` the "MinVersionLevel" for finalized features.
    public struct Feature: WireStruct {
        /// The feature, e.g. "metadata.version".
        public var name = ""
        /// The lowest level supported (or finalized).
        public var minVersion: Int16 = 0
        /// The highest level supported (or finalized).
        public var maxVersion: Int16 = 0
        /// Finalized features carry max before min on the wire.
        var maxFirst = false
        /// Every field at its default; decoding starts from this.
        public init() {}
        /// A feature with its level range.
        public init(name: String, minVersion: Int16, maxVersion: Int16) {
            self.name = name
            self.minVersion = minVersion
            self.maxVersion = maxVersion
        }
        /// Its fields in wire order at `v`, for `c` to write or read.
        public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
            c.string(&name)
            if maxFirst {
                c.int16(&maxVersion)
                c.int16(&minVersion)
            } else {
                c.int16(&minVersion)
                c.int16(&maxVersion)
            }
            c.noTaggedFields()
        }
        /// Equal name and levels; the wire order of the levels does not count.
        public static func == (a: Feature, b: Feature) -> Bool {
            a.name == b.name && a.minVersion == b.minVersion && a.maxVersion == b.maxVersion
        }
    }

    /// A Kafka error code; UNSUPPORTED_VERSION comes with the broker's own ApiVersions range.
    public var errorCode: Int16 = 0
    /// Every API the broker speaks, with its version range.
    public var apiKeys: [ApiVersion] = []
    /// How long the broker held the answer back for a quota, in milliseconds (0: not throttled).
    public var throttleTimeMs: Int32 = 0
    /// Features the broker supports (tagged, v3+).
    public var supportedFeatures: [Feature] = []
    /// The epoch of the finalized features (tagged, v3+); -1 if not sent.
    public var finalizedFeaturesEpoch: Int64 = -1
    /// Features finalized cluster-wide (tagged, v3+).
    public var finalizedFeatures: [Feature] = []
    /// Whether a KRaft controller is ready for a ZooKeeper migration (tagged, v3+).
    public var zkMigrationReady = false

    /// Every field at its default; decoding starts from this.
    public init() {}

    /// Its fields in wire order at `v`, for `c` to write or read.
    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        c.int16(&errorCode)
        c.structs(&apiKeys, version: v)
        if v >= 1 { c.int32(&throttleTimeMs) }
        c.taggedFields { t in
            t.field(0, present: !supportedFeatures.isEmpty) { c in c.structs(&supportedFeatures, version: v) }
            t.field(1, present: finalizedFeaturesEpoch != -1) { c in c.int64(&finalizedFeaturesEpoch) }
            t.field(2, present: !finalizedFeatures.isEmpty) { c in
                c.array(&finalizedFeatures, minElementSize: 1, make: {
                    var f = Feature()
                    f.maxFirst = true
                    return f
                }) { c, f in
                    f.maxFirst = true
                    f.code(&c, version: v)
                }
            }
            t.field(3, present: zkMigrationReady) { c in c.bool(&zkMigrationReady) }
        }
    }

    /// The broker's range for `api`, if it offers it.
    public func range(for api: ApiKey) -> ClosedRange<Int16>? {
        guard let e = apiKeys.first(where: { $0.apiKey == api.rawValue }), e.minVersion <= e.maxVersion else { return nil }
        return e.minVersion...e.maxVersion
    }

    /// Decodes an ApiVersions response frame (without size prefix) sent in answer to a request
    /// at `requestedVersion`. A broker that does not speak that version answers
    /// UNSUPPORTED_VERSION in the v0 layout (listing its own ApiVersions range), so such an
    /// answer is read as v0 first.
    public static func decodeFrame(_ frame: [UInt8], requestedVersion: Int16) throws(ProtocolError) -> (header: ResponseHeader, body: ApiVersionsResponse) {
        var r = ByteReader(frame)
        _ = r.readInt32()
        let code = r.readInt16()
        if requestedVersion > 0, !r.failed, code == KafkaErrorCode.unsupportedVersion.rawValue,
           let v0 = try? KafkaFrame.decodeResponse(ApiVersionsResponse.self, frame: frame, version: 0) {
            return v0
        }
        return try KafkaFrame.decodeResponse(ApiVersionsResponse.self, frame: frame, version: requestedVersion)
    }

    /// The version to ask again at after this answer to a request at `requested`, or nil
    /// when there is no need (or no lower version left): on UNSUPPORTED_VERSION, the highest
    /// version both sides speak below `requested` (the broker lists its own ApiVersions
    /// range; without one, v0). Always lower than `requested`, so asking again ends.
    public func retryVersion(after requested: Int16) -> Int16? {
        guard errorCode == KafkaErrorCode.unsupportedVersion.rawValue, requested > 0 else { return nil }
        let theirs = range(for: .apiVersions)?.upperBound ?? 0
        return max(0, min(theirs, requested - 1, ApiSpec.apiVersions.versions.upperBound))
    }
}
