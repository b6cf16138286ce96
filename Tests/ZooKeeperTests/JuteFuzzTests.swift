import KielTestSupport
import XCTest
@testable import ZooKeeper

/// Structure-aware fuzzing of every jute reply decoder the connection runs: the connect
/// response, the reply header, watch events, and each request's reply body (create, exists,
/// getData, setData, getChildren, getChildren2, sync, getACL, setACL, multi, and the empty
/// ones). Replies are built as typed fields from the kazoo fixtures and random values, and
/// written with one to three fields wrong (lengths and counts that lie, strings that are not
/// UTF-8, booleans that are neither 0 nor 1, extreme integers, multi headers with any op code
/// or a missing end marker, fields left out, doubled or behind garbage). A decoder may set its
/// error but never trap, hang, read past the frame or allocate more than a small multiple of
/// it (counted in bytes).
final class JuteFuzzTests: XCTestCase {
    /// A reply as typed jute fields.
    indirect enum Field {
        case int32(Int32)
        case int64(Int64)
        case bool(Bool)
        case buffer([UInt8]?)
        case string(String?)
        case vector([Field]?)
        case group([Field])
    }

    /// Which decoder reads the body after the reply header (or the whole frame, for connect).
    enum Body: CaseIterable {
        case connect, watch, create, stat, getData, getChildren, getChildren2, sync, getACL, multi, empty
    }

    static func stat(_ s: Stat) -> Field {
        .group([.int64(s.czxid), .int64(s.mzxid), .int64(s.ctime), .int64(s.mtime), .int32(s.version),
                .int32(s.cversion), .int32(s.aversion), .int64(s.ephemeralOwner), .int32(s.dataLength),
                .int32(s.numChildren), .int64(s.pzxid)])
    }

    static func acl(_ a: ACL) -> Field { .group([.int32(a.permissions.rawValue), .string(a.scheme), .string(a.id)]) }

    static func header(xid: Int32, err: Int32 = 0) -> Field { .group([.int32(xid), .int64(0x1_0000_0009), .int32(err)]) }

    /// A multi reply's fields: each result behind its header, then the end marker.
    static func multi(_ results: [MultiOpResult]) -> [Field] {
        var fields: [Field] = []
        for result in results {
            switch result {
            case .create(let path): fields += [.int32(1), .bool(false), .int32(0), .string(path)]
            case .delete: fields += [.int32(2), .bool(false), .int32(0)]
            case .setData(let s): fields += [.int32(5), .bool(false), .int32(0), stat(s)]
            case .check: fields += [.int32(13), .bool(false), .int32(0)]
            case .error(let code): fields += [.int32(-1), .bool(false), .int32(code), .int32(code)]
            }
        }
        return fields + [.int32(-1), .bool(true), .int32(-1)]
    }

    /// The fixtures' replies, decoded and rebuilt as fields, and random replies of every kind.
    static let seeds: [(body: Body, fields: [Field])] = {
        var seeds: [(Body, [Field])] = []
        let connect = (try? ConnectResponse.decode(hexBytes(JuteFixtures.connectResponse)).get())
        if let c = connect {
            seeds.append((.connect, [.int32(c.protocolVersion), .int32(c.timeout), .int64(c.sessionID), .buffer(c.password),
                                     .bool(c.readOnly)]))
        }
        var r = JuteReader(hexBytes(JuteFixtures.getDataReply))
        _ = ReplyHeader(from: &r)
        let data = GetDataRequest.decodeResponse(from: &r)
        seeds.append((.getData, [header(xid: 4), .buffer(data.data), stat(data.stat)]))
        r = JuteReader(hexBytes(JuteFixtures.getChildren2Reply))
        _ = ReplyHeader(from: &r)
        let children = GetChildren2Request.decodeResponse(from: &r)
        seeds.append((.getChildren2, [header(xid: 7), .vector(children.children.map { .string($0) }), stat(children.stat)]))
        for hex in [JuteFixtures.multiReply, JuteFixtures.multiFailedReply] {
            r = JuteReader(hexBytes(hex))
            _ = ReplyHeader(from: &r)
            seeds.append((.multi, [header(xid: 9)] + multi(MultiRequest.decodeResponse(from: &r))))
        }
        r = JuteReader(hexBytes(JuteFixtures.watchEvent))
        _ = ReplyHeader(from: &r)
        let event = WatcherEvent(from: &r)
        seeds.append((.watch, [header(xid: -1), .int32(event.type), .int32(event.state), .string(event.path)]))
        seeds.append((.empty, [header(xid: 3, err: -101)]))

        var random = FuzzRandom(seed: 0x2181)
        func text() -> String { String((0..<random.below(12)).map { _ in random.pick(Array("/kiel-abcü€")) }) }
        func randomStat() -> Stat {
            Stat(czxid: Int64(bitPattern: random.next()), mzxid: 3, ctime: 1_700_000_000_000, mtime: 5, version: 2,
                 cversion: Int32(random.below(9)), aversion: 0, ephemeralOwner: 0, dataLength: 5, numChildren: 1, pzxid: 9)
        }
        for _ in 0..<3 {
            seeds.append((.create, [header(xid: 1), .string(text())]))
            seeds.append((.stat, [header(xid: 2), stat(randomStat())]))
            seeds.append((.getData, [header(xid: 3), .buffer(random.bytes(random.below(30))), stat(randomStat())]))
            seeds.append((.getChildren, [header(xid: 4), .vector((0..<random.below(5)).map { _ in .string(text()) })]))
            seeds.append((.getChildren2, [header(xid: 5), .vector((0..<random.below(5)).map { _ in .string(text()) }),
                                          stat(randomStat())]))
            seeds.append((.sync, [header(xid: 6), .string(text())]))
            seeds.append((.getACL, [header(xid: 7), .vector((ACL.openUnsafe + ACL.creatorAll).map(acl)), stat(randomStat())]))
            seeds.append((.multi, [header(xid: 8)] + multi([.create(path: text()), .setData(randomStat()), .delete, .check,
                                                           .error(code: -101)])))
            seeds.append((.watch, [header(xid: -1), .int32(Int32(random.below(5))), .int32(3), .string(text())]))
        }
        return seeds
    }()

    /// Writes `fields` with the plan's targets written wrong.
    struct Writer {
        var w = JuteWriter()
        var random: FuzzRandom
        var targets: Set<Int>
        var index = 0

        mutating func write(_ fields: [Field]) {
            for field in fields { write(field) }
        }

        mutating func write(_ field: Field) {
            if case .group(let members) = field { return write(members) }
            let mutate = targets.contains(index)
            index += 1
            guard mutate else { return plain(field) }
            switch random.below(8) {
            case 0: return                                                   // left out
            case 1: plain(field); plain(field); return                       // doubled
            case 2: w.writeRaw(random.bytes(1 + random.below(6))); plain(field); return
            default: break
            }
            switch field {
            case .int32(let v): w.writeInt32(extreme(v))
            case .int64(let v): w.writeInt64(extreme(v))
            case .bool: w.writeRaw([random.pick([2, 0x80, 0xFF])])
            case .buffer(let b): badLength(b ?? []); w.writeRaw(b ?? [])
            case .string(let s):
                if random.oneIn(2) {
                    let bad: [UInt8] = random.pick([[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], Array((s ?? "").utf8) + [0xE2]])
                    w.writeInt32(Int32(bad.count))
                    w.writeRaw(bad)
                } else {
                    badLength(Array((s ?? "").utf8))
                    w.writeRaw(Array((s ?? "").utf8))
                }
            case .vector(let elements):
                let list = elements ?? []
                switch random.below(4) {
                case 0: w.writeInt32(extreme(Int32(list.count)))
                case 1: w.writeInt32(Int32(list.count + 1 + random.below(1000)))
                case 2: w.writeInt32(-1)
                default: w.writeInt32(Int32(list.count * 2)); write(list)
                }
                write(list)
            case .group: break
            }
        }

        mutating func plain(_ field: Field) {
            switch field {
            case .int32(let v): w.writeInt32(v)
            case .int64(let v): w.writeInt64(v)
            case .bool(let v): w.writeBool(v)
            case .buffer(let b): w.writeBuffer(b)
            case .string(let s): w.writeString(s)
            case .vector(let elements):
                guard let elements else { return w.writeInt32(-1) }
                w.writeInt32(Int32(elements.count))
                for e in elements { plain(e) }
            case .group(let members): for m in members { plain(m) }
            }
        }

        mutating func badLength(_ content: [UInt8]) {
            w.writeInt32(random.pick([-2, Int32(content.count + 1), Int32(max(0, content.count - 1)), Int32.max, Int32.min, 0]))
        }

        mutating func extreme<T: FixedWidthInteger>(_ v: T) -> T { random.extreme(near: v) }
    }

    static func fieldCount(_ fields: [Field]) -> Int {
        fields.reduce(0) { count, field in
            switch field {
            case .group(let members): return count + fieldCount(members)
            case .vector(let elements): return count + 1 + fieldCount(elements ?? [])
            default: return count + 1
            }
        }
    }

    /// Runs the decoder of `body` over `frame` as the connection would; returns whether it read
    /// the frame without an error, and checks it never read past the end.
    static func decode(_ body: Body, _ frame: [UInt8]) -> Bool {
        if body == .connect {
            if case .success = ConnectResponse.decode(frame) { return true }
            return false
        }
        var r = JuteReader(frame)
        _ = ReplyHeader(from: &r)
        // Two requests share some reply layouts: both decoders read their own copy.
        var twin = r
        switch body {
        case .watch: _ = WatcherEvent(from: &r)
        case .create: _ = CreateRequest.decodeResponse(from: &r)
        case .stat: _ = ExistsRequest.decodeResponse(from: &r); _ = SetDataRequest.decodeResponse(from: &twin)
        case .getData: _ = GetDataRequest.decodeResponse(from: &r)
        case .getChildren: _ = GetChildrenRequest.decodeResponse(from: &r)
        case .getChildren2: _ = GetChildren2Request.decodeResponse(from: &r)
        case .sync: _ = SyncRequest.decodeResponse(from: &r)
        case .getACL: _ = GetACLRequest.decodeResponse(from: &r); _ = SetACLRequest.decodeResponse(from: &twin)
        case .multi: _ = MultiRequest.failure(in: MultiRequest.decodeResponse(from: &r))
        case .empty: DeleteRequest.decodeResponse(from: &r)
        case .connect: break
        }
        precondition(r.offset <= frame.count && twin.offset <= frame.count, "read past the frame")
        return r.error == nil
    }

    func testSeedsCoverEveryReplyDecoder() {
        XCTAssertEqual(Set(Self.seeds.map(\.body)), Set(Body.allCases))
        // Unmutated, every seed decodes.
        for seed in Self.seeds {
            var writer = Writer(random: FuzzRandom(seed: 1), targets: [])
            writer.write(seed.fields)
            XCTAssertTrue(Self.decode(seed.body, writer.w.bytes), "\(seed.body)")
        }
    }

    func testMutatedFieldsOfEveryReply() {
        XCTAssertTrue(Allocations.areCounted)
        let seeds = Self.seeds
        var outcomes = [0, 0]
        Fuzz.run("jute replies", cases: 500_000) { c in
            let seed = seeds[c.index % seeds.count]
            let fields = Self.fieldCount(seed.fields)
            var targets: Set<Int> = []
            for _ in 0..<(c.random.oneIn(3) ? 1 + c.random.below(3) : 1) { targets.insert(c.random.below(max(1, fields))) }
            var writer = Writer(random: FuzzRandom(seed: c.random.next()), targets: targets)
            writer.write(seed.fields)
            var frame = writer.w.bytes
            if c.random.oneIn(8), !frame.isEmpty { frame.removeSubrange(c.random.below(frame.count)...) }
            // The decoders are also run as the wrong kind: a reply is matched to its request by xid only.
            let body = c.random.oneIn(6) ? c.random.pick(Body.allCases) : seed.body
            let (ok, peak) = Allocations.peak { Self.decode(body, frame) }
            outcomes[ok ? 0 : 1] += 1
            if peak > 16 * frame.count + (32 << 10) {
                XCTFail("\(body): \(frame.count) bytes took \(peak) bytes to decode: \(c.label)")
            }
        }
        guard Fuzz.only == nil else { return }
        XCTAssertGreaterThan(outcomes[0], outcomes[1] / 20)
        XCTAssertGreaterThan(outcomes[1], outcomes[0] / 20)
    }
}
