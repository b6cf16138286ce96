import XCTest
@testable import ZooKeeper

/// Golden bytes from kazoo's serializers (Fixtures/generate_jute_fixtures.py).
final class JuteCodecTests: XCTestCase {
    let stat = Stat(czxid: 0x1_0000_0002, mzxid: 0x1_0000_0003, ctime: 1_700_000_000_123,
                    mtime: 1_700_000_000_456, version: 2, cversion: 3, aversion: 0,
                    ephemeralOwner: 0x0123_4567_89AB_CDEF, dataLength: 5, numChildren: 1,
                    pzxid: 0x1_0000_0004)

    func testConnectRequestsMatchKazoo() {
        let fresh = ConnectRequest(lastZxidSeen: 0, timeout: 10000, sessionID: 0,
                                   password: [UInt8](repeating: 0, count: 16))
        XCTAssertEqual(hexString(fresh.encoded), JuteFixtures.connectNew)
        let resume = ConnectRequest(lastZxidSeen: 0x1_0000_0005, timeout: 6000,
                                    sessionID: 0x0123_4567_89AB_CDEF, password: Array(0..<16))
        XCTAssertEqual(hexString(resume.encoded), JuteFixtures.connectResume)
    }

    func testRequestsMatchKazoo() {
        XCTAssertEqual(hexString(CreateRequest(path: "/kiel/a", data: Array("hello".utf8),
                                               acl: ACL.openUnsafe, mode: .ephemeralSequential)
            .encodedFrame(xid: 1)), JuteFixtures.create)
        XCTAssertEqual(hexString(DeleteRequest(path: "/kiel/a", version: 5).encodedFrame(xid: 2)),
                       JuteFixtures.delete)
        XCTAssertEqual(hexString(ExistsRequest(path: "/kiel", watch: true).encodedFrame(xid: 3)),
                       JuteFixtures.exists)
        XCTAssertEqual(hexString(GetDataRequest(path: "/kiel", watch: false).encodedFrame(xid: 4)),
                       JuteFixtures.getData)
        XCTAssertEqual(hexString(SetDataRequest(path: "/kiel", data: Array("{}".utf8), version: -1)
            .encodedFrame(xid: 5)), JuteFixtures.setData)
        XCTAssertEqual(hexString(GetChildrenRequest(path: "/kiel", watch: true).encodedFrame(xid: 6)),
                       JuteFixtures.getChildren)
        XCTAssertEqual(hexString(GetChildren2Request(path: "/kiel", watch: false).encodedFrame(xid: 7)),
                       JuteFixtures.getChildren2)
        XCTAssertEqual(hexString(SyncRequest(path: "/kiel").encodedFrame(xid: 8)), JuteFixtures.sync)
        XCTAssertEqual(hexString(PingRequest().encodedFrame(xid: SpecialXid.ping)), JuteFixtures.ping)
        XCTAssertEqual(hexString(AuthRequest(scheme: "digest", auth: Array("user:pass".utf8))
            .encodedFrame(xid: SpecialXid.auth)), JuteFixtures.auth)
        XCTAssertEqual(hexString(GetACLRequest(path: "/kiel").encodedFrame(xid: 11)), JuteFixtures.getACL)
        XCTAssertEqual(hexString(SetACLRequest(path: "/kiel", acl: ACL.openUnsafe, version: 3)
            .encodedFrame(xid: 12)), JuteFixtures.setACL)
        XCTAssertEqual(hexString(CloseSessionRequest().encodedFrame(xid: 10)), JuteFixtures.closeSession)
        XCTAssertEqual(hexString(SetWatchesRequest(relativeZxid: 0x1_0000_0007, dataWatches: ["/a", "/b"],
                                                   existWatches: ["/c"], childWatches: ["/d"])
            .encodedFrame(xid: SpecialXid.setWatches)), JuteFixtures.setWatches)
    }

    func testMultiRequestMatchesKazoo() {
        let multi = MultiRequest(ops: [
            .create(path: "/kiel/t", data: Array("x".utf8)),
            .delete(path: "/kiel/old", version: 2),
            .setData(path: "/kiel", data: Array("y".utf8), version: 7),
            .check(path: "/kiel/c", version: 1),
        ])
        XCTAssertEqual(hexString(multi.encodedFrame(xid: 9)), JuteFixtures.multi)
    }

    func testConnectResponseDecodes() throws {
        let response = try ConnectResponse.decode(hexBytes(JuteFixtures.connectResponse)).get()
        XCTAssertEqual(response, ConnectResponse(protocolVersion: 0, timeout: 4000,
                                                 sessionID: 0x0123_4567_89AB_CDEF,
                                                 password: Array(16..<32)))
        // Servers older than 3.4 leave out the read-only byte.
        var short = hexBytes(JuteFixtures.connectResponse)
        short.removeLast()
        XCTAssertEqual(try ConnectResponse.decode(short).get().timeout, 4000)
    }

    func testRepliesDecode() {
        var r = JuteReader(hexBytes(JuteFixtures.getDataReply))
        XCTAssertEqual(ReplyHeader(from: &r), ReplyHeader(xid: 4, zxid: 0x1_0000_0009, err: 0))
        let data = GetDataRequest.decodeResponse(from: &r)
        XCTAssertEqual(data.data, Array("hello".utf8))
        XCTAssertEqual(data.stat, stat)
        XCTAssertNil(r.error)
        XCTAssertTrue(r.isAtEnd)

        r = JuteReader(hexBytes(JuteFixtures.getChildren2Reply))
        _ = ReplyHeader(from: &r)
        let children = GetChildren2Request.decodeResponse(from: &r)
        XCTAssertEqual(children.children, ["b", "a"])
        XCTAssertEqual(children.stat, stat)
        XCTAssertTrue(r.isAtEnd)

        r = JuteReader(hexBytes(JuteFixtures.noNodeReply))
        let header = ReplyHeader(from: &r)
        XCTAssertEqual(ZooKeeperError(code: header.err), .noNode)

        r = JuteReader(hexBytes(JuteFixtures.watchEvent))
        XCTAssertEqual(ReplyHeader(from: &r).xid, SpecialXid.watch)
        XCTAssertEqual(WatcherEvent(from: &r), WatcherEvent(type: 4, state: 3, path: "/kiel"))
    }

    func testMultiRepliesDecode() {
        var r = JuteReader(hexBytes(JuteFixtures.multiReply))
        _ = ReplyHeader(from: &r)
        let ok = MultiRequest.decodeResponse(from: &r)
        XCTAssertNil(r.error)
        XCTAssertEqual(ok, [.create(path: "/kiel/t"), .delete, .setData(stat), .check])
        XCTAssertNil(MultiRequest.failure(in: ok))

        r = JuteReader(hexBytes(JuteFixtures.multiFailedReply))
        _ = ReplyHeader(from: &r)
        let failed = MultiRequest.decodeResponse(from: &r)
        XCTAssertNil(r.error)
        XCTAssertEqual(failed, [.error(code: 0), .error(code: -101), .error(code: -2)])
        XCTAssertEqual(MultiRequest.failure(in: failed), .transactionFailed(index: 1, reason: .noNode))
    }

    /// The connect request's timeout field comes from a Duration; a huge one must not trap.
    func testDurationMillisecondsSaturate() {
        XCTAssertEqual(Duration.milliseconds(1500).milliseconds, 1500)
        XCTAssertEqual(Duration.seconds(Int64.max).milliseconds, Int64.max)
        XCTAssertEqual(Duration.seconds(Int64.min).milliseconds, Int64.min)
        XCTAssertEqual(Int32(clamping: Duration.seconds(Int64.max / 1000).milliseconds), Int32.max)
    }

    func testRoundTrips() {
        var w = JuteWriter()
        stat.encode(into: &w)
        ConnectResponse(protocolVersion: 0, timeout: 1, sessionID: -5, password: [1, 2]).encode(into: &w)
        WatcherEvent(type: 1, state: 3, path: "/ü").encode(into: &w)
        XCTAssertEqual(w.bytes.count - 68, 4 + 4 + 8 + 6 + 1 + 4 + 4 + 4 + 3)
        var r = JuteReader(w.bytes)
        XCTAssertEqual(Stat(from: &r), stat)
        XCTAssertEqual(ConnectResponse(from: &r).sessionID, -5)
        XCTAssertEqual(WatcherEvent(from: &r).path, "/ü")
        XCTAssertNil(r.error)
        XCTAssertTrue(r.isAtEnd)
        for code in [Int32(-1), -4, -101, -110, -111, -112, -114, -115, -127, -999] {
            XCTAssertEqual(ZooKeeperError(code: code)?.code, code)
        }
        XCTAssertNil(ZooKeeperError(code: 0))
    }

    func testHostileLengthsFailWithoutAllocating() {
        // A buffer claiming 2 GB in a 10-byte frame.
        var r = JuteReader([0x7F, 0xFF, 0xFF, 0xFF, 1, 2, 3, 4, 5, 6])
        XCTAssertNil(r.readBuffer())
        XCTAssertEqual(r.error, .badLength(offset: 0, length: Int32.max))
        // The error is sticky: later reads return zero values.
        XCTAssertEqual(r.readInt32(), 0)
        XCTAssertEqual(r.error, .badLength(offset: 0, length: Int32.max))

        r = JuteReader([0x00, 0x10, 0x00, 0x00, 0, 0, 0, 1, 0x41])
        XCTAssertEqual(r.readStringVector(), [])
        XCTAssertEqual(r.error, .badLength(offset: 0, length: 0x10_0000))

        r = JuteReader([0xFF, 0xFF, 0xFF, 0xFE])
        XCTAssertNil(r.readString())
        XCTAssertEqual(r.error, .badLength(offset: 0, length: -2))

        r = JuteReader([0, 0, 0, 2, 0xC3, 0x28])
        XCTAssertNil(r.readString())
        XCTAssertEqual(r.error, .badUTF8(offset: 0))
    }

    /// Every proper prefix of every reply must fail cleanly (as a drip-fed frame would).
    func testEveryTruncationIsAnError() {
        let replies = [JuteFixtures.getDataReply, JuteFixtures.getChildren2Reply,
                       JuteFixtures.multiReply, JuteFixtures.multiFailedReply,
                       JuteFixtures.watchEvent]
        for hex in replies {
            let full = hexBytes(hex)
            for cut in 0..<full.count {
                var r = JuteReader(Array(full[0..<cut]))
                let header = ReplyHeader(from: &r)
                switch header.xid {
                case 4: _ = GetDataRequest.decodeResponse(from: &r)
                case 7: _ = GetChildren2Request.decodeResponse(from: &r)
                case 9: _ = MultiRequest.decodeResponse(from: &r)
                default: _ = WatcherEvent(from: &r)
                }
                XCTAssertNotNil(r.error, "prefix of \(cut) bytes of \(hex.prefix(16)) decoded")
            }
        }
        let connect = hexBytes(JuteFixtures.connectResponse)
        for cut in 0..<(connect.count - 1) {
            if case .success = ConnectResponse.decode(Array(connect[0..<cut])) {
                XCTFail("connect response prefix of \(cut) bytes decoded")
            }
        }
    }

    /// Random mutations of real replies never crash or hang the decoders.
    func testSeededFuzz() {
        var rng = SeededGenerator(seed: 0x2181)
        let seeds = [JuteFixtures.getDataReply, JuteFixtures.getChildren2Reply,
                     JuteFixtures.multiReply, JuteFixtures.multiFailedReply,
                     JuteFixtures.connectResponse, JuteFixtures.watchEvent].map(hexBytes)
        var decodedCleanly = 0
        for _ in 0..<5000 {
            var frame = seeds[Int.random(in: 0..<seeds.count, using: &rng)]
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let at = Int.random(in: 0..<frame.count, using: &rng)
                frame[at] = UInt8.random(in: 0...255, using: &rng)
            }
            if Bool.random(using: &rng) {
                frame = Array(frame.prefix(Int.random(in: 0...frame.count, using: &rng)))
            }
            var r = JuteReader(frame)
            _ = ReplyHeader(from: &r)
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: _ = GetDataRequest.decodeResponse(from: &r)
            case 1: _ = GetChildren2Request.decodeResponse(from: &r)
            case 2: _ = MultiRequest.decodeResponse(from: &r)
            default: _ = ConnectResponse.decode(frame)
            }
            if r.error == nil { decodedCleanly += 1 }
            XCTAssertLessThanOrEqual(r.offset, frame.count)
        }
        XCTAssertGreaterThan(decodedCleanly, 0)
    }
}
