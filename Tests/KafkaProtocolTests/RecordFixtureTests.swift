import Foundation
import KafkaProtocol
import XCTest

/// Batches written by kafka-python's builders and by librdkafka through a real Tansu broker
/// (see Fixtures/generate_record_fixtures.py): we must read exactly the records they wrote,
/// and write the same bytes they did where the format leaves no choice.
final class RecordFixtureTests: XCTestCase {
    static let names: [String] = {
        let folder = RecordFixture.root.appendingPathComponent("records")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return files.filter { $0.hasSuffix(".json") }
            .map { String($0.dropLast(5)) }.sorted()
    }()

    func testFixturesArePresent() {
        XCTAssertEqual(Self.names.count, 19, "\(Self.names)")
    }

    func testDecodesEveryFixtureToTheRecordsThatWereWritten() throws {
        for name in Self.names {
            let meaning = try RecordFixture.meaning("records", name)
            let decoded = try RecordBatchDecoder(topic: name, partition: 0).decode(RecordFixture.bytes("records", name))
            XCTAssertFalse(decoded.truncated, name)
            let expected = try expectedRecords(meaning)
            XCTAssertEqual(decoded.records, expected, name)
            XCTAssertEqual(decoded.nextOffset, expected.last.map { $0.offset + 1 }, name)
            let codec = try XCTUnwrap(meaning["codec"] as? String)
            let magic = try XCTUnwrap(meaning["magic"] as? Int)
            for batch in decoded.batches {
                XCTAssertEqual(batch.compression.description, codec, name)
                XCTAssertEqual(Int(batch.magic), magic, name)
            }
            if let producerId = meaning["producerId"] as? Int {
                let batch = try XCTUnwrap(decoded.batches.first)
                XCTAssertEqual(batch.producerId, Int64(producerId), name)
                XCTAssertEqual(Int(batch.producerEpoch), meaning["producerEpoch"] as? Int, name)
                XCTAssertEqual(Int(batch.baseSequence), meaning["baseSequence"] as? Int, name)
                XCTAssertEqual(batch.isTransactional, meaning["transactional"] as? Bool, name)
            }
        }
    }

    /// Uncompressed v2 has one encoding: ours must match theirs byte for byte. Compressed
    /// batches must survive our re-encoding with the same records.
    func testReencodingV2Fixtures() throws {
        var exact = 0
        for name in Self.names where name.contains("v2") || name.hasPrefix("tansu") {
            let original = try RecordFixture.bytes("records", name)
            let decoded = try RecordBatchDecoder().decode(original)
            var rebuilt: [UInt8] = []
            for batch in decoded.batches {
                var builder = RecordBatchBuilder(compression: batch.compression,
                                                 baseOffset: batch.baseOffset,
                                                 partitionLeaderEpoch: batch.partitionLeaderEpoch,
                                                 producerId: batch.producerId, producerEpoch: batch.producerEpoch,
                                                 baseSequence: batch.baseSequence, isTransactional: batch.isTransactional)
                for r in batch.records {
                    builder.append(timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers)
                }
                rebuilt += try builder.build()
            }
            if decoded.batches.allSatisfy({ $0.compression == .none }) {
                XCTAssertEqual(rebuilt, original, name)
                exact += 1
            }
            XCTAssertEqual(try RecordBatchDecoder().decode(rebuilt).records, decoded.records, name)
        }
        XCTAssertEqual(exact, 3, "uncompressed v2 fixtures compared byte for byte")
    }

    private func expectedRecords(_ meaning: [String: Any]) throws -> [Record] {
        let list = try XCTUnwrap(meaning["records"] as? [[String: Any]])
        return try list.map { r in
            let headers = try XCTUnwrap(r["headers"] as? [[Any]]).map { pair in
                RecordHeader(key: pair[0] as? String ?? "", value: (pair[1] as? String).flatMap(RecordFixture.fromHex))
            }
            return Record(offset: Int64(try XCTUnwrap(r["offset"] as? Int)),
                          timestamp: Int64(try XCTUnwrap(r["timestamp"] as? Int)),
                          key: (r["key"] as? String).flatMap(RecordFixture.fromHex),
                          value: (r["value"] as? String).flatMap(RecordFixture.fromHex),
                          headers: headers)
        }
    }
}
