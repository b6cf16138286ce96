import Foundation
import KielTestSupport
import XCTest
@testable import KafkaProtocol
@testable import KafkaCompression

/// Structure-aware fuzzing of every request and response decoder at every version in
/// `SupportedVersions`: valid messages (random ones, the golden fixtures' canonical messages,
/// and what a real Tansu broker sent) are encoded by `MutatingEncoder` with one to three
/// fields written wrong, so the damage lands inside a field the decoder reaches, not in front
/// of everything. A decoder may refuse the bytes but never trap or hang (FuzzGuard reports
/// the case if it does), and never allocates more than a small multiple of its input
/// (counted in bytes by AllocationCounter).
///
/// The corpus is fixed (KIEL_FUZZ_SEED) and sized for CI; KIEL_FUZZ_SCALE makes it larger
/// and scripts/fuzz.sh runs it long in release.
final class MessageFuzzTests: XCTestCase {
    /// One message value at one version, ready to be encoded with mutations and decoded.
    struct Seed: Sendable {
        let name: String
        let version: Int16
        let fields: Int
        let encode: @Sendable (MutationPlan) -> [UInt8]
        /// Decodes the body; true if it decoded.
        let decode: @Sendable ([UInt8]) -> Bool
        /// Decodes a whole response frame (header included); nil for requests.
        let decodeFrame: (@Sendable ([UInt8]) -> Bool)?
        let isFlexible: Bool
    }

    /// The most a decode of `n` input bytes may allocate at its peak. Decoded values are
    /// larger than their wire form (a struct of defaults decodes from three or four bytes into
    /// some eighty: the worst seen is 60 bytes per input byte), so the bound is a multiple,
    /// plus a constant for error texts and first-use runtime metadata. Unknown tagged fields
    /// cost nothing now that they are skipped (they cost ~100 bytes per input byte when each
    /// was kept as a reader).
    static func ceiling(_ n: Int) -> Int { 64 * n + (64 << 10) }

    static func seed<M: KafkaMessage>(_ value: M, version: Int16, name: String) -> Seed {
        Seed(name: "\(name) v\(version)", version: version,
             fields: MutatingEncoder.fieldCount(value, version: version),
             encode: { MutatingEncoder.encode(value, version: version, plan: $0) },
             decode: { (try? M.decode($0, version: version)) != nil },
             decodeFrame: nil, isFlexible: M.api.isFlexible(version))
    }

    static func responseSeed<M: KafkaResponse>(_ value: M, version: Int16, name: String) -> Seed {
        let plain = seed(value, version: version, name: name)
        return Seed(name: plain.name, version: version, fields: plain.fields, encode: plain.encode, decode: { bytes in
            guard let body = try? M.decode(bytes, version: version) else { return false }
            if let fetch = body as? FetchResponse { decodeRecords(fetch, inputSize: bytes.count) }
            return true
        }, decodeFrame: { (try? KafkaFrame.decodeResponse(M.self, frame: $0, version: version)) != nil },
        isFlexible: plain.isFlexible)
    }

    /// A client decodes a fetch answer's records next: so does the fuzzer, under a budget tied
    /// to the input.
    static func decodeRecords(_ fetch: FetchResponse, inputSize: Int) {
        let decoder = RecordBatchDecoder(budget: RecordFuzzTests.budget(for: inputSize))
        for topic in fetch.topics {
            for partition in topic.partitions { _ = decoder.decodeUntilError(partition.records ?? []) }
        }
    }

    /// Every message type at every version: three random values each, the canonical message
    /// of the golden fixtures, and the requests and responses captured from Tansu.
    static let seeds: [Seed] = {
        var seeds: [Seed] = []
        var random = FuzzRandom(seed: 0x5EED)
        func addRequest<M: KafkaMessage>(_ type: M.Type) {
            for version in M.api.versions {
                for _ in 0..<3 { seeds.append(seed(M.random(version: version, seed: random.next()), version: version, name: "\(M.self)")) }
            }
        }
        func addResponse<M: KafkaResponse>(_ type: M.Type) {
            for version in M.api.versions {
                for _ in 0..<3 {
                    seeds.append(responseSeed(M.random(version: version, seed: random.next()), version: version, name: "\(M.self)"))
                }
            }
        }
        for pair in allMessagePairs {
            addRequest(pair.request)
            addResponse(pair.response)
        }
        func addCanonical<M: KafkaMessage>(_ value: M, _ name: String) {
            for version in M.api.versions { seeds.append(seed(value, version: version, name: "canonical \(name)")) }
        }
        for (name, message) in Canonical.messages.sorted(by: { $0.key < $1.key }) { addCanonical(message, name) }
        func addCaptured<M: KafkaResponse>(_ type: M.Type, frame: [UInt8], version: Int16, name: String) {
            guard let (_, body) = try? KafkaFrame.decodeResponse(M.self, frame: frame, version: version) else { return }
            seeds.append(responseSeed(body, version: version, name: "captured \(name)"))
        }
        func addCapturedRequest<M: KafkaRequest>(_ type: M.Type, frame: [UInt8], name: String) {
            guard let (header, body) = try? KafkaFrame.decodeRequest(M.self, frame: frame) else { return }
            seeds.append(seed(body, version: header.apiVersion, name: "captured \(name)"))
        }
        for capture in (try? Fixtures.load("tansu_fixtures.json")) ?? [] {
            guard let name = capture["name"] as? String, let version = capture["version"] as? Int,
                  let key = (capture["api_key"] as? Int).flatMap({ ApiKey(rawValue: Int16($0)) }),
                  let pair = allMessagePairs.first(where: { $0.request.apiKey == key }),
                  let request = (capture["request_hex"] as? String).flatMap({ [UInt8](hex: $0) }),
                  let response = (capture["response_hex"] as? String).flatMap({ [UInt8](hex: $0) }) else { continue }
            addCaptured(pair.response, frame: response, version: Int16(version), name: name)
            addCapturedRequest(pair.request, frame: request, name: name)
        }
        return seeds
    }()

    func testSeedsCoverEveryDecoderAtEveryVersion() {
        var covered: [String: Set<Int16>] = [:]
        for seed in Self.seeds where !seed.name.hasPrefix("canonical") && !seed.name.hasPrefix("captured") {
            covered[String(seed.name.split(separator: " ")[0]), default: []].insert(seed.version)
        }
        for pair in allMessagePairs {
            for type in [pair.request as any KafkaMessage.Type, pair.response as any KafkaMessage.Type] {
                XCTAssertEqual(covered["\(type)"], Set(type.api.versions), "\(type)")
            }
        }
        XCTAssertGreaterThanOrEqual(Self.seeds.filter { $0.name.hasPrefix("captured") }.count, 20)
        XCTAssertGreaterThanOrEqual(Self.seeds.filter { $0.name.hasPrefix("canonical") }.count, 100)
    }

    func testMutatedFieldsOfEveryMessage() throws {
        XCTAssertTrue(Allocations.areCounted)
        let seeds = Self.seeds
        var decoded = 0
        var refused = 0
        var worst = (ratio: 0.0, label: "")
        Fuzz.run("messages", cases: 400_000) { c in
            let seed = seeds[c.index % seeds.count]
            var bytes = Self.mutated(seed, &c.random)
            let asFrame = seed.decodeFrame != nil && c.random.oneIn(4)
            if asFrame { bytes = Self.responseHeader(flexible: seed.isFlexible, &c.random) + bytes }
            let (ok, peak) = Allocations.peak { asFrame ? seed.decodeFrame!(bytes) : seed.decode(bytes) }
            if Fuzz.only != nil { print("fuzz: messages case \(c.index): \(seed.name) input \(bytes.hexString), peak \(peak) bytes") }
            if ok { decoded += 1 } else { refused += 1 }
            let ratio = Double(peak) / Double(bytes.count)
            if bytes.count >= 512 && ratio > worst.ratio { worst = (ratio, "\(seed.name), \(bytes.count) bytes: \(c.label)") }
            if peak > Self.ceiling(bytes.count) {
                XCTFail("\(seed.name): \(bytes.count) bytes took \(peak) bytes to decode: \(c.label)")
            }
        }
        print("fuzz: messages: \(decoded) decoded, \(refused) refused; most allocated per input byte (inputs of 512 bytes or more): \(Int(worst.ratio)) (\(worst.label))")
        guard Fuzz.only == nil else { return }
        XCTAssertGreaterThan(decoded, refused / 20, "mutations must not all be refused up front")
        XCTAssertGreaterThan(refused, decoded / 20, "mutations must reach the checks")
    }

    /// `seed` encoded with one to three fields mutated, and now and then a byte-level cut or
    /// flip on top.
    static func mutated(_ seed: Seed, _ random: inout FuzzRandom) -> [UInt8] {
        var targets: Set<Int> = []
        if seed.fields > 0 {
            for _ in 0..<(random.oneIn(3) ? 1 + random.below(3) : 1) { targets.insert(random.below(seed.fields)) }
        }
        let plan = MutationPlan(random: FuzzRandom(seed: random.next()), targets: targets)
        var bytes = seed.encode(plan)
        switch random.below(12) {
        case 0 where !bytes.isEmpty: bytes.removeSubrange(random.below(bytes.count)...)
        case 1 where !bytes.isEmpty: bytes[random.below(bytes.count)] ^= UInt8(1) << UInt8(random.below(8))
        default: break
        }
        return bytes
    }

    /// A response header: the correlation id and, in flexible versions, a tagged-field
    /// section that is sometimes not empty.
    static func responseHeader(flexible: Bool, _ random: inout FuzzRandom) -> [UInt8] {
        var w = ByteWriter()
        w.writeInt32(Int32(truncatingIfNeeded: random.next()))
        guard flexible else { return w.bytes }
        if random.oneIn(3) {
            w.writeTaggedFields([TaggedField(tag: UInt32(random.below(5)), data: random.bytes(random.below(10)))])
        } else {
            w.writeEmptyTaggedFields()
        }
        return w.bytes
    }
}
