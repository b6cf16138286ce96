import KafkaProtocol

/// A third `WireCoder`: instead of reading bytes it puts random values into every field the
/// message declares for a version. Fields absent in that version keep their defaults, which
/// is exactly the value a decoder must produce.
struct RandomFiller: WireCoder {
    var rng: SeededGenerator
    var flexible = false
    var isDecoding: Bool { true }

    init(seed: UInt64) { rng = SeededGenerator(seed: seed) }

    mutating func chance(_ n: Int) -> Bool { Int.random(in: 0..<n, using: &rng) == 0 }

    mutating func int8(_ v: inout Int8) { v = Int8.random(in: .min ... .max, using: &rng) }
    mutating func int16(_ v: inout Int16) { v = Int16.random(in: .min ... .max, using: &rng) }
    mutating func int32(_ v: inout Int32) { v = Int32.random(in: .min ... .max, using: &rng) }
    mutating func int64(_ v: inout Int64) { v = Int64.random(in: .min ... .max, using: &rng) }
    mutating func bool(_ v: inout Bool) { v = Bool.random(using: &rng) }
    mutating func uuid(_ v: inout KafkaUUID) { v = KafkaUUID(high: rng.next(), low: rng.next()) }

    mutating func randomString() -> String {
        let alphabet = Array("abcXYZ09._-éü€😀 ")
        let n = Int.random(in: 0...12, using: &rng)
        return String((0..<n).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] })
    }

    mutating func string(_ v: inout String) { v = randomString() }
    mutating func nullableString(_ v: inout String?) { v = chance(4) ? nil : randomString() }
    mutating func bytes(_ v: inout [UInt8]) {
        v = (0..<Int.random(in: 0...20, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
    }
    mutating func nullableBytes(_ v: inout [UInt8]?) {
        if chance(4) { v = nil } else { var b: [UInt8] = []; bytes(&b); v = b }
    }

    mutating func array<T>(_ v: inout [T], minElementSize: Int, make: () -> T, _ body: (inout RandomFiller, inout T) -> Void) {
        let n = Int.random(in: 0...3, using: &rng)
        var out: [T] = []
        for _ in 0..<n {
            var e = make()
            body(&self, &e)
            out.append(e)
        }
        v = out
    }

    mutating func nullableArray<T>(_ v: inout [T]?, minElementSize: Int, make: () -> T,
                                   _ body: (inout RandomFiller, inout T) -> Void) {
        if chance(4) { v = nil; return }
        var a: [T] = []
        array(&a, minElementSize: minElementSize, make: make, body)
        v = a
    }

    /// A section that offers every plausible tag, each present half the time, each with its
    /// own stream (derived from the section's seed and the tag).
    mutating func beginTaggedFields() -> RandomFiller? { RandomFiller(seed: rng.next()) }

    static func taggedField(_ tag: UInt32, in section: RandomFiller) -> RandomFiller? {
        var r = section
        for _ in 0..<tag { _ = r.rng.next() }
        guard tag <= 3, Bool.random(using: &r.rng) else { return nil }
        var sub = RandomFiller(seed: r.rng.next())
        sub.flexible = true
        return sub
    }

    mutating func endTaggedFields(_ fields: [(tag: UInt32, coder: RandomFiller)]) {}
    static func makeFieldEncoder() -> RandomFiller { RandomFiller(seed: 0) }
}

extension KafkaMessage {
    /// A value with random contents in exactly the fields `version` has.
    static func random(version: Int16, seed: UInt64) -> Self {
        var m = Self()
        var filler = RandomFiller(seed: seed)
        filler.flexible = api.isFlexible(version)
        m.code(&filler, version: version)
        return m
    }
}

/// Every message type, as (request, response) pairs.
let allMessagePairs: [(request: any KafkaRequest.Type, response: any KafkaResponse.Type)] = [
    (ApiVersionsRequest.self, ApiVersionsResponse.self),
    (MetadataRequest.self, MetadataResponse.self),
    (ProduceRequest.self, ProduceResponse.self),
    (FetchRequest.self, FetchResponse.self),
    (ListOffsetsRequest.self, ListOffsetsResponse.self),
    (FindCoordinatorRequest.self, FindCoordinatorResponse.self),
    (OffsetCommitRequest.self, OffsetCommitResponse.self),
    (OffsetFetchRequest.self, OffsetFetchResponse.self),
    (CreateTopicsRequest.self, CreateTopicsResponse.self),
    (DeleteTopicsRequest.self, DeleteTopicsResponse.self),
    (InitProducerIdRequest.self, InitProducerIdResponse.self),
    (SaslHandshakeRequest.self, SaslHandshakeResponse.self),
    (SaslAuthenticateRequest.self, SaslAuthenticateResponse.self),
    (JoinGroupRequest.self, JoinGroupResponse.self),
    (SyncGroupRequest.self, SyncGroupResponse.self),
    (HeartbeatRequest.self, HeartbeatResponse.self),
    (LeaveGroupRequest.self, LeaveGroupResponse.self),
    (DescribeGroupsRequest.self, DescribeGroupsResponse.self),
    (ListGroupsRequest.self, ListGroupsResponse.self),
    (DeleteRecordsRequest.self, DeleteRecordsResponse.self),
    (DescribeConfigsRequest.self, DescribeConfigsResponse.self),
    (AlterConfigsRequest.self, AlterConfigsResponse.self),
    (CreatePartitionsRequest.self, CreatePartitionsResponse.self),
    (DeleteGroupsRequest.self, DeleteGroupsResponse.self),
    (IncrementalAlterConfigsRequest.self, IncrementalAlterConfigsResponse.self),
]

var allMessageTypes: [any KafkaMessage.Type] {
    allMessagePairs.flatMap { [$0.request as any KafkaMessage.Type, $0.response as any KafkaMessage.Type] }
}
