import Foundation
import XCTest
import KielTestSupport
@testable import Kiel

/// A cooperative (`cooperative-sticky`) member against the scripted broker's coordinator: it
/// keeps its partitions through a rebalance, so the coordinator's refusals in the middle of
/// one decide whether it may go on consuming them.
final class KafkaGroupCooperativeFaultTests: ScriptedGroupTestCase {
    override var assignors: [GroupAssignor] { [.cooperativeSticky] }

    override func setUpWithError() throws {
        try super.setUpWithError()
        XCTAssertTrue(consumer.membership.cooperative)
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
