import Foundation
import XCTest
import KielTestSupport
@testable import Kiel

/// Cross-checks with clients nobody here wrote: what confluent-kafka (librdkafka) and
/// kafka-python write reads back byte for byte through SingleConsumer, and what Producer writes
/// reads back through them — keyed messages on the partitions the Java client's murmur2 picks.
final class InteropTests: XCTestCase {
    static let clients = ["confluent", "kafka-python"]
    static let count = 40

    /// One message as the interop script prints it.
    struct Seen: Hashable {
        var partition: Int32
        var offset: Int64
        var key: [UInt8]?
        var value: [UInt8]?
        var headers: [RecordHeader]
        var murmur2: Int32?
    }

    static func hex(_ json: JSON?) -> [UInt8]? {
        guard case .string(let s)? = json else { return nil }
        var out: [UInt8] = []
        var it = s.utf8.makeIterator()
        while let hi = it.next(), let lo = it.next() {
            out.append(UInt8(String(decoding: [hi, lo], as: UTF8.self), radix: 16)!)
        }
        return out
    }

    static func parse(_ output: String) throws -> [String: [Seen]] {
        var byTopic: [String: [Seen]] = [:]
        for line in output.split(separator: "\n") where !line.isEmpty {
            let j = try JSON.parse(String(line))
            guard case .array(let headers)? = j["headers"] else { throw KielError.protocolViolation(String(line)) }
            let seen = Seen(partition: Int32(j["partition"]!.intValue!), offset: j["offset"]!.intValue!,
                            key: hex(j["key"]), value: hex(j["value"]),
                            headers: headers.map {
                                guard case .array(let kv) = $0 else { return RecordHeader(key: "?", value: nil) }
                                return RecordHeader(key: kv[0].stringValue!, value: hex(kv[1]))
                            },
                            murmur2: j["murmur2"]?.intValue.map { Int32($0) })
            byTopic[j["topic"]!.stringValue!, default: []].append(seen)
        }
        return byTopic
    }

    func testWhatPythonClientsWriteReadsBackThroughSingleConsumer() throws {
        let broker = try BrokerTest.bootstrap()
        for client in Self.clients {
            var targets: [(CompressionCodec, String)] = []
            for codec in CompressionCodec.allCases {
                targets.append((codec, try BrokerTest.topic("from-\(client)-\(codec)", partitions: 3)))
            }
            let output = try TestServices.runPython(
                script: "kiel_interop.py",
                args: ["produce", client, broker, String(Self.count)] + targets.map { "\($0.0):\($0.1)" })
            let written = try Self.parse(output)
            for (codec, topic) in targets {
                let expected = written[topic] ?? []
                XCTAssertEqual(expected.count, Self.count, "\(client) \(codec) wrote")
                let loop = try IOLoop()
                var options = SingleConsumer<[UInt8]>.Options()
                options.maxWaitTime = .milliseconds(100)
                let consumer = try SingleConsumer(loop: loop, brokers: [broker], deserializer: .bytes, options: options)
                let read: [ConsumerMessage<[UInt8]>]
                do {
                    read = try BrokerTest.consume(loop, consumer, topic: topic, start: .beginning, count: Self.count,
                                                  failOnError: true)
                } catch {
                    XCTFail("\(client) wrote with \(codec): \(error)")
                    continue
                }
                let got = Set(read.map {
                    Seen(partition: $0.partition, offset: $0.offset, key: $0.key, value: $0.value, headers: $0.headers,
                         murmur2: $0.key.map { Int32(Murmur2.partition(forKey: $0, count: 3)) })
                })
                XCTAssertEqual(got, Set(expected), "\(client) wrote with \(codec), SingleConsumer read")
                for message in expected where message.key != nil {
                    XCTAssertEqual(message.partition, message.murmur2, "\(client) placed a keyed message by murmur2")
                }
            }
        }
    }

    func testWhatProducerWritesReadsBackThroughPythonClients() throws {
        let broker = try BrokerTest.bootstrap()
        let loop = try IOLoop()
        var topics: [String] = []
        var written: [String: [Seen]] = [:]
        for codec in [CompressionCodec.none, .gzip, .snappy, .lz4] {
            let topic = try BrokerTest.topic("to-python-\(codec)", partitions: 3)
            topics.append(topic)
            var options = Producer<[UInt8]>.Options()
            options.compression = codec
            options.linger = .milliseconds(2)
            let producer = try Producer(loop: loop, brokers: [broker], serializer: .bytes, options: options)
            let items = (0..<Self.count).map { i -> (value: [UInt8], key: [UInt8]?, headers: [RecordHeader]) in
                let key: [UInt8]? = i % 5 == 0 ? nil : Array("key-\(i % 11)".utf8)
                let value = (0..<(i * 37 % 700)).map { UInt8(($0 * 31 + i * 7) % 256) } + Array("é-\(i)".utf8)
                return (value, key, [RecordHeader(key: "seq", value: Array("\(i)".utf8)),
                                     RecordHeader(key: "bin", value: [0, 255, UInt8(i)]),
                                     RecordHeader(key: "empty", value: [])])
            }
            let reports = try BrokerTest.produceAll(loop, producer, topic: topic, items)
            written[topic] = try zip(items, reports).map { item, report in
                let md = try report.get()
                return Seen(partition: md.partition, offset: md.offset, key: item.key, value: item.value,
                            headers: item.headers, murmur2: nil)
            }
            try BrokerTest.run(loop) { done in producer.close { done(.success(())) } }
        }
        for client in Self.clients {
            let output = try TestServices.runPython(script: "kiel_interop.py",
                                                    args: ["consume", client, broker, String(Self.count)] + topics)
            let read = try Self.parse(output)
            for topic in topics {
                let got = read[topic] ?? []
                XCTAssertEqual(Set(got.map { Seen(partition: $0.partition, offset: $0.offset, key: $0.key, value: $0.value,
                                                  headers: $0.headers, murmur2: nil) }),
                               Set(written[topic]!), "\(client) read \(topic)")
                for message in got where message.key != nil {
                    XCTAssertEqual(message.partition, message.murmur2, "Producer placed \(message.key!) as Java does")
                }
            }
        }
    }
}
