import Foundation
import XCTest
import KielTestSupport
@testable import Kiel

/// A cooperative (`cooperative-sticky`) member against the scripted broker's coordinator: it
/// keeps its partitions through a rebalance, so the coordinator's refusals in the middle of
/// one decide whether it may go on consuming them.
final class KafkaGroupCooperativeFaultTests: XCTestCase {
    private var broker: ScriptedBroker!
    private var loop: IOLoop!
    private var consumer: KafkaGroupConsumer<[UInt8]>!
    private var received: [[UInt8]] = []
    private var changes: [AllocationChange] = []
    private var errors: [KielError] = []

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
                                          assignors: [.cooperativeSticky], options: options)
        consumer.onMessages = { [unowned self] messages in self.received += messages.map(\.value) }
        consumer.onRebalance = { [unowned self] change in self.changes.append(change) }
        consumer.onError = { [unowned self] error in self.errors.append(error) }
        consumer.subscribe("t")
        var joined: Result<Void, KielError>?
        consumer.connect { joined = $0 }
        XCTAssertTrue(spin { joined != nil && self.received.count == 20 }, "joined and consumed: \(String(describing: joined))")
        XCTAssertTrue(consumer.membership.cooperative)
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
    private func spin(seconds: Double = 10, until condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            loop.runOnce(timeout: .milliseconds(5))
            if condition() { return true }
        }
        return condition()
    }

    /// A rebalance under way keeps the partitions; a rebalance that ends in a plain rejoin
    /// changes nothing the user sees.
    func testARebalanceKeepsThePartitions() throws {
        broker.script(.heartbeat, [.error(KafkaErrorCode.rebalanceInProgress.rawValue)])
        XCTAssertTrue(spin { self.broker.groups.snapshot().generations == 2 && self.consumer.membership.state == .stable })
        XCTAssertEqual(changes.count, 1, "kept through the rebalance: \(changes)")
    }

    /// The coordinator removed the member while it was rejoining (its JoinGroup came too
    /// late): the partitions it kept consuming may be another member's now, so it drops them
    /// without a commit and joins afresh, as Kafka's clients do (their partitions are lost).
    func testAJoinAnsweredUnknownMemberLosesWhatItKept() throws {
        broker.script(.joinGroup, [.error(KafkaErrorCode.unknownMemberId.rawValue)])
        broker.script(.heartbeat, [.error(KafkaErrorCode.rebalanceInProgress.rawValue)])
        XCTAssertTrue(spin { self.changes.count == 3 }, "\(changes)")
        guard changes.count == 3 else { return }
        XCTAssertEqual(changes[1], AllocationChange(lost: ["t": [0, 1]]), "lost, not kept")
        XCTAssertEqual(changes[2], AllocationChange(gained: ["t": [0, 1]]))
        XCTAssertEqual(broker.groups.snapshot().commits, [], "a removed member may not commit")
        XCTAssertTrue(spin { self.received.count == 40 }, "read again from the last commit")
    }

    /// The same for a SyncGroup answered ILLEGAL_GENERATION: the generation the member joined
    /// is over without it.
    func testASyncAnsweredIllegalGenerationLosesWhatItKept() throws {
        broker.script(.syncGroup, [.error(KafkaErrorCode.illegalGeneration.rawValue)])
        broker.script(.heartbeat, [.error(KafkaErrorCode.rebalanceInProgress.rawValue)])
        XCTAssertTrue(spin { self.changes.count == 3 }, "\(changes)")
        guard changes.count == 3 else { return }
        XCTAssertEqual(changes[1], AllocationChange(lost: ["t": [0, 1]]))
        XCTAssertEqual(broker.groups.snapshot().commits, [])
    }

    /// A commit asked in the middle of a rebalance waits for it; if the member is replaced
    /// instead, the commit was not made and says so.
    func testACommitWaitingForARebalanceThatLosesThePartitionsFails() throws {
        broker.script(.joinGroup, [.delayedError(0.3, KafkaErrorCode.unknownMemberId.rawValue)])
        broker.script(.heartbeat, [.error(KafkaErrorCode.rebalanceInProgress.rawValue)])
        XCTAssertTrue(spin { self.consumer.membership.state == .joining })
        var result: Result<Void, KielError>?
        consumer.commitOffsets { result = $0 }
        XCTAssertTrue(spin { result != nil })
        XCTAssertThrowsError(try result?.get(), "nothing was committed")
        XCTAssertEqual(broker.groups.snapshot().commits, [])
    }
}
