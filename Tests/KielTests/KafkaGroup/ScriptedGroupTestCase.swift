import Foundation
import XCTest
import KielTestSupport
@testable import Kiel

/// One broker-coordinated member against the scripted broker's coordinator, joined and having
/// consumed the 20 records of topic `t` (2 partitions) before each test: what it received,
/// every rebalance it reported and its errors. Subclasses choose the assignors.
class ScriptedGroupTestCase: XCTestCase {
    var broker: ScriptedBroker!
    var loop: IOLoop!
    var consumer: KafkaGroupConsumer<[UInt8]>!
    var received: [[UInt8]] = []
    var changes: [AllocationChange] = []
    var errors: [KielError] = []

    /// The assignors the member offers.
    var assignors: [GroupAssignor] { [.range, .roundRobin] }

    override func setUpWithError() throws {
        broker = try ScriptedBroker(topics: ["t": 2])
        broker.fetchWait = 0.02
        for partition in Int32(0) ..< 2 {
            try broker.append(topic: "t", partition: partition, values: (0 ..< 10).map { [UInt8(partition), UInt8($0)] })
        }
        loop = try IOLoop()
        var options = KafkaGroupConsumer<[UInt8]>.Options()
        options.heartbeatInterval = .milliseconds(50)
        options.sessionTimeout = .seconds(5)
        options.autocommit = false
        options.maxWaitTime = .milliseconds(20)
        consumer = try KafkaGroupConsumer(loop: loop, brokers: [broker.bootstrap], group: "g", deserializer: .bytes,
                                          assignors: assignors, options: options)
        consumer.onMessages = { [unowned self] messages in self.received += messages.map(\.value) }
        consumer.onRebalance = { [unowned self] change in self.changes.append(change) }
        consumer.onError = { [unowned self] error in self.errors.append(error) }
        consumer.subscribe("t")
        var joined: Result<Void, KielError>?
        consumer.connect { joined = $0 }
        XCTAssertTrue(spin { joined != nil && self.received.count == 20 }, "joined and consumed: \(String(describing: joined))")
        XCTAssertNoThrow(try joined?.get())
        XCTAssertEqual(changes, [AllocationChange(gained: ["t": [0, 1]])])
    }

    override func tearDown() {
        if let consumer {
            var closed = false
            consumer.close { closed = true }
            XCTAssertTrue(spin { closed })
        }
        broker?.stop()
        super.tearDown()
    }

    @discardableResult
    func spin(seconds: Double = 10, until condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            loop.runOnce(timeout: .milliseconds(5))
            if condition() { return true }
        }
        return condition()
    }

    /// Five more records in each partition.
    func appendMore() throws {
        for partition in Int32(0) ..< 2 {
            try broker.append(topic: "t", partition: partition, values: (10 ..< 15).map { [UInt8(partition), UInt8($0)] })
        }
    }
}
