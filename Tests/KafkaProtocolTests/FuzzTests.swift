import XCTest
@testable import KafkaProtocol
@testable import KafkaCompression

/// Seeded mutations of valid encodings: every decode ends in a value or a thrown error.
/// A crash or hang fails the whole run, so reaching the end is the assertion; the counts
/// check that both outcomes actually happened.
final class FuzzTests: XCTestCase {
    struct Outcome {
        var decoded = 0
        var rejected = 0
    }

    func testMutatedResponsesNeverCrash() {
        var outcome = Outcome()
        for pair in allMessagePairs { fuzz(pair.response, into: &outcome) }
        XCTAssertGreaterThan(outcome.decoded + outcome.rejected, 5000)
        XCTAssertGreaterThan(outcome.rejected, 1000)
        XCTAssertGreaterThan(outcome.decoded, 0)
    }

    func testMutatedRequestsNeverCrash() {
        var outcome = Outcome()
        for pair in allMessagePairs { fuzz(pair.request, into: &outcome) }
        XCTAssertGreaterThan(outcome.decoded + outcome.rejected, 5000)
        XCTAssertGreaterThan(outcome.rejected, 1000)
    }

    private func fuzz<M: KafkaMessage>(_ type: M.Type, into outcome: inout Outcome) {
        var rng = SeededGenerator(seed: 0xF022 &+ UInt64(M.apiKey.rawValue))
        for version in M.api.versions {
            for sample in 0..<3 {
                // Random strings are at most 12 characters: well within any length prefix.
                let valid = try! M.random(version: version, seed: rng.next()).encoded(version: version)
                for _ in 0..<(sample == 0 ? 40 : 20) {
                    let bytes = mutate(valid, &rng)
                    do {
                        _ = try M.decode(bytes, version: version)
                        outcome.decoded += 1
                    } catch {
                        outcome.rejected += 1
                    }
                }
            }
        }
    }

    private func mutate(_ input: [UInt8], _ rng: inout SeededGenerator) -> [UInt8] {
        var b = input
        let hostile: [[UInt8]] = [
            [0x7f, 0xff, 0xff, 0xff], [0x80, 0x00, 0x00, 0x00], [0xff, 0xff, 0xff, 0xfe],
            [0xff, 0xff, 0xff, 0xff, 0x0f], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff], [0x7f, 0xff], [0xff, 0xfe],
        ]
        let rounds = Int.random(in: 1...3, using: &rng)
        for _ in 0..<rounds {
            guard !b.isEmpty else { b = [UInt8.random(in: 0...255, using: &rng)]; continue }
            let at = Int.random(in: 0..<b.count, using: &rng)
            switch Int.random(in: 0..<7, using: &rng) {
            case 0: // bit flip
                b[at] ^= 1 << UInt8.random(in: 0...7, using: &rng)
            case 1: // truncate
                b.removeSubrange(at...)
            case 2: // overwrite with a huge or negative length / count / varint
                let h = hostile[Int.random(in: 0..<hostile.count, using: &rng)]
                for (i, x) in h.enumerated() where at + i < b.count { b[at + i] = x }
            case 3: // random byte
                b[at] = UInt8.random(in: 0...255, using: &rng)
            case 4: // insert garbage
                b.insert(contentsOf: (0..<Int.random(in: 1...8, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }, at: at)
            case 5: // delete a run
                b.removeSubrange(at..<min(b.count, at + Int.random(in: 1...6, using: &rng)))
            default: // duplicate a run
                let end = min(b.count, at + Int.random(in: 1...16, using: &rng))
                b.insert(contentsOf: b[at..<end], at: end)
            }
        }
        return b
    }

    func testHostileCountsAreRejectedWithoutAllocating() throws {
        // FetchResponse v4: throttle, then a topic count of 2^31-1 with nothing behind it.
        let huge = [UInt8](hex: "00000000 7fffffff 00")!
        XCTAssertThrowsError(try FetchResponse.decode(huge, version: 4)) { e in
            XCTAssertEqual(e as? ProtocolError, .invalidLength(what: "FetchResponse v4 array", offset: 4, length: Int64(Int32.max)))
        }
        // A negative count other than -1.
        XCTAssertThrowsError(try MetadataResponse.decode([UInt8](hex: "80000000")!, version: 0))
        // A compact (flexible) count that claims 2^32-2 elements.
        XCTAssertThrowsError(try MetadataResponse.decode([UInt8](hex: "00000000 ffffffff0f")!, version: 9))
        // A records field claiming 1 GiB.
        var p = FetchResponse.Partition()
        p.records = [1, 2, 3]
        var t = FetchResponse.Topic()
        t.topic = "t"
        t.partitions = [p]
        var r = FetchResponse()
        r.topics = [t]
        var bytes = try r.encoded(version: 11)
        let recordsLengthAt = bytes.count - 3 - 4
        XCTAssertEqual(Array(bytes[recordsLengthAt..<(recordsLengthAt + 4)]), [0, 0, 0, 3])
        bytes.replaceSubrange(recordsLengthAt..<(recordsLengthAt + 4), with: [0x40, 0, 0, 0])
        XCTAssertThrowsError(try FetchResponse.decode(bytes, version: 11)) { e in
            guard case .invalidLength(_, let offset, let length)? = e as? ProtocolError else {
                return XCTFail("\(e)")
            }
            XCTAssertEqual(offset, recordsLengthAt)
            XCTAssertEqual(length, 1 << 30)
        }
    }
}
