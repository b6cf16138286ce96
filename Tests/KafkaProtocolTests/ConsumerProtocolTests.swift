import XCTest
@testable import KafkaProtocol

/// The consumer protocol's subscription and assignment, byte for byte as kafka-python writes
/// them (Fixtures/generate_consumer_protocol_fixtures.py), every version both sides know.
final class ConsumerProtocolTests: XCTestCase {
    static func canonical(_ name: String, version: Int16) -> (encode: () throws -> [UInt8], decode: ([UInt8]) throws -> Bool)? {
        let owned = [ConsumerProtocolTopicPartitions(topic: "orders", partitions: [0, 2])]
        let assigned = [ConsumerProtocolTopicPartitions(topic: "orders", partitions: [1, 3]),
                        ConsumerProtocolTopicPartitions(topic: "payments", partitions: [0])]
        // Fields a version lacks are not written, and read back as their defaults.
        func subscription(_ userData: [UInt8]?, _ owned: [ConsumerProtocolTopicPartitions]) -> ConsumerProtocolSubscription {
            ConsumerProtocolSubscription(version: version, topics: ["orders", "payments"], userData: userData,
                                         ownedPartitions: version >= 1 ? owned : [],
                                         generationId: version >= 2 ? 7 : -1, rackId: version >= 3 ? "rack-a" : nil)
        }
        switch name {
        case "Subscription", "SubscriptionBare":
            let value = name == "Subscription" ? subscription([1, 2], owned) : subscription(nil, [])
            return ({ try value.encoded() }, { try ConsumerProtocolSubscription.decode($0) == value })
        case "Assignment", "AssignmentBare":
            let value = ConsumerProtocolAssignment(version: version, assignedPartitions: assigned,
                                                   userData: name == "Assignment" ? [0xFF] : nil)
            return ({ try value.encoded() }, { try ConsumerProtocolAssignment.decode($0) == value })
        default:
            return nil
        }
    }

    func testEncodingsMatchKafkaPythonByteForByte() throws {
        let fixtures = try Fixtures.load("consumer_protocol_fixtures.json")
        XCTAssertEqual(fixtures.count, 16)
        for f in fixtures {
            let name = try XCTUnwrap(f["name"] as? String)
            let version = Int16(try XCTUnwrap(f["version"] as? Int))
            let bytes = try XCTUnwrap([UInt8](hex: try XCTUnwrap(f["hex"] as? String)))
            let value = try XCTUnwrap(Self.canonical(name, version: version), name)
            XCTAssertEqual(try value.encode().hexString, bytes.hexString, "\(name) v\(version)")
            XCTAssertTrue(try value.decode(bytes), "\(name) v\(version) decodes to the canonical value")
        }
    }

    func testNewerVersionsReadAsTheNewestKnownIgnoringWhatFollows() throws {
        var subscription = try ConsumerProtocolSubscription(version: 3, topics: ["t"], rackId: "r").encoded()
        subscription[1] = 9
        subscription += [0xAB, 0xCD]
        let read = try ConsumerProtocolSubscription.decode(subscription)
        XCTAssertEqual(read.version, 9)
        XCTAssertEqual(read.topics, ["t"])
        XCTAssertEqual(read.rackId, "r")

        var assignment = try ConsumerProtocolAssignment(assignedPartitions: [.init(topic: "t", partitions: [4])]).encoded()
        assignment[1] = 5
        assignment.append(0)
        XCTAssertEqual(try ConsumerProtocolAssignment.decode(assignment).assignedPartitions.first?.partitions, [4])
    }

    func testEmptyAssignmentAndBadInput() throws {
        XCTAssertEqual(try ConsumerProtocolAssignment.decode([]), ConsumerProtocolAssignment())
        XCTAssertThrowsError(try ConsumerProtocolSubscription.decode([]))
        XCTAssertThrowsError(try ConsumerProtocolSubscription.decode([0xFF, 0xFF, 0, 0, 0, 0]), "negative version")
        XCTAssertThrowsError(try ConsumerProtocolSubscription.encoded(.init(version: 4, topics: [])))
        // Every prefix of a whole subscription and assignment is refused, never a crash.
        let whole = try ConsumerProtocolSubscription(version: 3, topics: ["a", "b"], userData: [1],
                                                     ownedPartitions: [.init(topic: "a", partitions: [1])],
                                                     generationId: 2, rackId: "x").encoded()
        for n in 0 ..< whole.count { XCTAssertThrowsError(try ConsumerProtocolSubscription.decode(Array(whole.prefix(n)))) }
        let assignment = try ConsumerProtocolAssignment(assignedPartitions: [.init(topic: "a", partitions: [1, 2])],
                                                        userData: [9]).encoded()
        for n in 1 ..< assignment.count { XCTAssertThrowsError(try ConsumerProtocolAssignment.decode(Array(assignment.prefix(n)))) }
        // A trailing byte on a known version is refused.
        XCTAssertThrowsError(try ConsumerProtocolAssignment.decode(assignment + [0]))
    }
}

private extension ConsumerProtocolSubscription {
    static func encoded(_ value: Self) throws -> [UInt8] { try value.encoded() }
}
