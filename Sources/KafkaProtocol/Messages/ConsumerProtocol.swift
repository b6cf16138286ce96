// The consumer protocol's embedded formats: what a consumer puts in JoinGroup's protocol
// metadata (its subscription) and what the leader puts in SyncGroup (each member's
// assignment). Both start with an INT16 version and are never flexible. A newer version than
// the ones known here is read with the newest known layout and the rest ignored, as Kafka's
// own clients do: new versions only append fields.

/// Topic partitions as the consumer protocol lists them: a topic and its partition ids.
/// Value type; any thread.
public struct ConsumerProtocolTopicPartitions: WireStruct {
    /// The topic.
    public var topic = ""
    /// The partition ids.
    public var partitions: [Int32] = []
    /// Every field at its default; decoding starts from this.
    public init() {}
    /// `topic`'s `partitions`.
    public init(topic: String, partitions: [Int32]) {
        self.topic = topic
        self.partitions = partitions
    }
    /// Its fields in wire order at `v`, for `c` to write or read.
    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        c.string(&topic)
        c.int32s(&partitions)
    }
}

/// A member's subscription, the metadata of each protocol it offers in JoinGroup (Kafka's
/// `ConsumerProtocolSubscription`, versions 0–3). Value type; any thread.
public struct ConsumerProtocolSubscription: WireStruct {
    /// The newest version whose layout is known here.
    public static let latestVersion: Int16 = 3

    /// The version written in front (0: topics and user data; 1 adds owned partitions; 2 the
    /// generation; 3 the rack).
    public var version: Int16 = 0
    /// The topics the member consumes.
    public var topics: [String] = []
    /// The assignor's own bytes; nil for none.
    public var userData: [UInt8]? = nil
    /// The partitions the member holds now (v1+), for assignors that keep them in place.
    public var ownedPartitions: [ConsumerProtocolTopicPartitions] = []
    /// The generation the owned partitions are from (v2+); -1 if none.
    public var generationId: Int32 = -1
    /// The member's rack (v3+); nil if unknown.
    public var rackId: String? = nil

    /// Every field at its default; decoding starts from this.
    public init() {}
    /// A subscription to `topics` at `version`.
    public init(version: Int16 = 0, topics: [String], userData: [UInt8]? = nil,
                ownedPartitions: [ConsumerProtocolTopicPartitions] = [], generationId: Int32 = -1, rackId: String? = nil) {
        self.version = version
        self.topics = topics
        self.userData = userData
        self.ownedPartitions = ownedPartitions
        self.generationId = generationId
        self.rackId = rackId
    }

    /// Its fields in wire order at `v` (the version itself is not among them).
    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        c.strings(&topics)
        c.nullableBytes(&userData)
        if v >= 1 { c.structs(&ownedPartitions, version: v) }
        if v >= 2 { c.int32(&generationId) }
        if v >= 3 { c.nullableString(&rackId) }
    }

    /// The version, then the fields at that version.
    public func encoded() throws(ProtocolError) -> [UInt8] {
        try ConsumerProtocolCoding.encode(self, version: version, latest: Self.latestVersion)
    }

    /// Reads a subscription; a version newer than `latestVersion` is read as that one.
    public static func decode(_ bytes: [UInt8]) throws(ProtocolError) -> Self {
        var value: Self = try ConsumerProtocolCoding.decode(bytes, latest: latestVersion, what: "subscription")
        value.version = ConsumerProtocolCoding.version(of: bytes)
        return value
    }
}

/// A member's assignment, what the leader hands it through SyncGroup (Kafka's
/// `ConsumerProtocolAssignment`, versions 0–3, all with the same fields). Value type; any thread.
public struct ConsumerProtocolAssignment: WireStruct {
    /// The newest version whose layout is known here.
    public static let latestVersion: Int16 = 3

    /// The version written in front.
    public var version: Int16 = 0
    /// The partitions assigned, by topic.
    public var assignedPartitions: [ConsumerProtocolTopicPartitions] = []
    /// The assignor's own bytes; nil for none.
    public var userData: [UInt8]? = nil

    /// Every field at its default; decoding starts from this.
    public init() {}
    /// An assignment of `assignedPartitions` at `version`.
    public init(version: Int16 = 0, assignedPartitions: [ConsumerProtocolTopicPartitions], userData: [UInt8]? = nil) {
        self.version = version
        self.assignedPartitions = assignedPartitions
        self.userData = userData
    }

    /// Its fields in wire order at `v` (the version itself is not among them).
    public mutating func code<C: WireCoder>(_ c: inout C, version v: Int16) {
        c.structs(&assignedPartitions, version: v)
        c.nullableBytes(&userData)
    }

    /// The version, then the fields at that version.
    public func encoded() throws(ProtocolError) -> [UInt8] {
        try ConsumerProtocolCoding.encode(self, version: version, latest: Self.latestVersion)
    }

    /// Reads an assignment; a version newer than `latestVersion` is read as that one. An
    /// empty byte string (what a coordinator hands a member the leader gave nothing) is an
    /// empty assignment.
    public static func decode(_ bytes: [UInt8]) throws(ProtocolError) -> Self {
        guard !bytes.isEmpty else { return Self() }
        var value: Self = try ConsumerProtocolCoding.decode(bytes, latest: latestVersion, what: "assignment")
        value.version = ConsumerProtocolCoding.version(of: bytes)
        return value
    }
}

/// The version prefix both formats share.
enum ConsumerProtocolCoding {
    static func encode<T: WireStruct>(_ value: T, version: Int16, latest: Int16) throws(ProtocolError) -> [UInt8] {
        guard (0...latest).contains(version) else { throw .corrupt("consumer protocol version \(version) is not known") }
        var w = ByteWriter()
        w.writeInt16(version)
        var copy = value
        copy.code(&w, version: version)
        try w.check()
        return w.bytes
    }

    static func decode<T: WireStruct>(_ bytes: [UInt8], latest: Int16, what: String) throws(ProtocolError) -> T {
        var r = ByteReader(bytes)
        let version = r.readInt16()
        guard !r.failed, version >= 0 else {
            try r.check()
            throw .corrupt("consumer protocol \(what) version \(version)")
        }
        var value = T()
        value.code(&r, version: min(version, latest))
        if version > latest {
            try r.check()
        } else {
            try r.finish("consumer protocol \(what) v\(version)")
        }
        return value
    }

    static func version(of bytes: [UInt8]) -> Int16 {
        bytes.count >= 2 ? Int16(bitPattern: UInt16(bytes[0]) << 8 | UInt16(bytes[1])) : 0
    }
}
