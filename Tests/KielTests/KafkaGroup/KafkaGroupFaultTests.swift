import Foundation
import XCTest
import KielTestSupport
@testable import Kiel

/// A broker-coordinated member against the scripted broker's coordinator, for the answers a
/// real coordinator gives only in rare moments: a rebalance announced by a heartbeat, a
/// coordinator that moved, a member the coordinator forgot.
final class KafkaGroupFaultTests: ScriptedGroupTestCase {
    override func setUpWithError() throws {
        try super.setUpWithError()
        XCTAssertEqual(consumer.memberId, "member-1", "joined with the id MEMBER_ID_REQUIRED gave")
    }

    func testRebalanceAnnouncedByHeartbeatCommitsUnderTheEndingGenerationThenRejoins() throws {
        broker.script(.heartbeat, [.error(KafkaErrorCode.rebalanceInProgress.rawValue)])
        XCTAssertTrue(spin { self.broker.groups.snapshot().generations == 2 && self.consumer.membership.state == .stable })
        let commits = broker.groups.snapshot().commits
        XCTAssertEqual(commits.first?.generation, 1, "the revoke committed under the generation that was ending")
        XCTAssertEqual(commits.first?.memberId, "member-1")
        XCTAssertEqual(commits.first?.offsets, [TopicPartition("t", 0): 10, TopicPartition("t", 1): 10])
        try appendMore()
        XCTAssertTrue(spin { self.received.count == 30 })
        spin(seconds: 0.3) { false }
        XCTAssertEqual(received.count, 30, "the same partitions carry on from the commit: nothing twice")
        XCTAssertEqual(changes.count, 1, "a rebalance that changed nothing is not reported")
        XCTAssertTrue(errors.isEmpty, "\(errors)")
    }

    func testCommitToACoordinatorThatMovedFindsItAgain() throws {
        let finds = broker.counts().requests[.findCoordinator] ?? 0
        broker.script(.offsetCommit, [.error(KafkaErrorCode.notCoordinator.rawValue)])
        var result: Result<Void, KielError>?
        consumer.commitOffsets { result = $0 }
        XCTAssertTrue(spin { result != nil })
        XCTAssertNoThrow(try result?.get())
        XCTAssertGreaterThan(broker.counts().requests[.findCoordinator] ?? 0, finds, "looked the coordinator up again")
        XCTAssertEqual(broker.groups.snapshot().commits.last?.offsets, [TopicPartition("t", 0): 10, TopicPartition("t", 1): 10])
        XCTAssertEqual(broker.groups.snapshot().commits.last?.generation, 1)
        XCTAssertEqual(broker.groups.snapshot().generations, 1, "no rejoin for a moved coordinator")
    }

    func testHeartbeatToACoordinatorThatMovedKeepsTheMembership() throws {
        let finds = broker.counts().requests[.findCoordinator] ?? 0
        let heartbeats = broker.counts().requests[.heartbeat] ?? 0
        broker.script(.heartbeat, [.error(KafkaErrorCode.notCoordinator.rawValue)])
        XCTAssertTrue(spin { (self.broker.counts().requests[.heartbeat] ?? 0) >= heartbeats + 3 })
        XCTAssertGreaterThan(broker.counts().requests[.findCoordinator] ?? 0, finds)
        XCTAssertEqual(broker.groups.snapshot().generations, 1)
        XCTAssertEqual(changes.count, 1)
    }

    func testForgottenMemberLosesEverythingWithoutCommitAndJoinsAfresh() throws {
        broker.script(.heartbeat, [.error(KafkaErrorCode.unknownMemberId.rawValue)])
        XCTAssertTrue(spin { self.changes.count == 3 })
        XCTAssertEqual(changes[1], AllocationChange(lost: ["t": [0, 1]]), "lost at once")
        XCTAssertEqual(changes[2], AllocationChange(gained: ["t": [0, 1]]), "then gained in the new generation")
        XCTAssertEqual(consumer.memberId, "member-2", "joined afresh: a new id")
        XCTAssertEqual(broker.groups.snapshot().commits, [], "a replaced member may not commit")
        // Nothing was committed, so the new generation starts over from the beginning.
        XCTAssertTrue(spin { self.received.count == 40 })
    }

    /// A coordinator that keeps turning joins away is asked again after a growing backoff,
    /// not in a tight loop; the member gets in once it stops.
    func testJoinsTurnedAwayBackOff() throws {
        let joins = broker.counts().requests[.joinGroup] ?? 0
        broker.script(.joinGroup, [ScriptedBroker.Action](repeating: .error(KafkaErrorCode.rebalanceInProgress.rawValue), count: 4))
        broker.script(.heartbeat, [.error(KafkaErrorCode.rebalanceInProgress.rawValue)])
        let start = Date()
        spin(seconds: 0.15) { false }
        let early = (broker.counts().requests[.joinGroup] ?? 0) - joins
        XCTAssertLessThanOrEqual(early, 3, "at most the join, one retry at once, and one after the first backoff")
        XCTAssertTrue(spin { self.broker.groups.snapshot().generations == 2 && self.consumer.membership.state == .stable })
        XCTAssertEqual((broker.counts().requests[.joinGroup] ?? 0) - joins, 5, "four turned away, then in")
        XCTAssertGreaterThan(Date().timeIntervalSince(start), 0.2, "the retries waited")
        XCTAssertTrue(errors.isEmpty, "a refused join is not an error to report: \(errors)")
    }

    /// Another process joined with this member's instance id: fatal, as in Kafka's clients.
    func testAFencedInstanceDropsEverythingReportsAndStops() throws {
        broker.script(.heartbeat, [.error(KafkaErrorCode.fencedInstanceId.rawValue)])
        XCTAssertTrue(spin { !self.errors.isEmpty })
        XCTAssertEqual(errors.count, 1)
        guard case .broker(let error) = errors.first else { return XCTFail("\(errors)") }
        XCTAssertEqual(error.code, .fencedInstanceId)
        XCTAssertEqual(changes.last, AllocationChange(lost: ["t": [0, 1]]), "everything lost at once")
        let joins = broker.counts().requests[.joinGroup] ?? 0
        try appendMore()
        spin(seconds: 0.5) { false }
        XCTAssertEqual(broker.counts().requests[.joinGroup] ?? 0, joins, "it does not rejoin and fence the other")
        XCTAssertEqual(received.count, 20, "nothing more delivered")
        XCTAssertEqual(broker.groups.snapshot().commits, [], "a fenced member does not commit")
        var commit: Result<Void, KielError>?
        consumer.commitOffsets { commit = $0 }
        XCTAssertTrue(spin { commit != nil })
        XCTAssertNoThrow(try commit?.get(), "nothing held, nothing to commit")
    }

    func testNoHeartbeatAnsweredForASessionTimeoutDropsThePartitions() throws {
        // Every heartbeat's connection closes unanswered for longer than the 5 s session
        // timeout (the retries back off 0.2, 0.4, 0.8, 1.6, 3.2 s, give or take a fifth).
        broker.script(.heartbeat, [ScriptedBroker.Action](repeating: .closeWithoutAnswer, count: 7))
        XCTAssertTrue(spin(seconds: 30) { self.changes.count == 3 }, "\(changes)")
        XCTAssertEqual(changes[1], AllocationChange(lost: ["t": [0, 1]]), "lost once the session must have expired")
        XCTAssertEqual(changes[2], AllocationChange(gained: ["t": [0, 1]]))
        XCTAssertEqual(broker.groups.snapshot().commits, [], "no commit after the session may have expired")
        XCTAssertFalse(errors.isEmpty, "the failed heartbeats were reported")
    }
}
