import Foundation
@testable import Kiel

/// The group coordinator of `ScriptedBroker`: a classic group of one member at a time, enough
/// for one client to find it, join (KIP-394's MEMBER_ID_REQUIRED first), lead, sync,
/// heartbeat, commit and fetch offsets, and leave — with the broker's script injecting the
/// error codes a real coordinator answers only in rare moments (`.error(code)` answers the
/// request with that code). Thread-safe: the broker's connection threads call it.
final class ScriptedGroupCoordinator: @unchecked Sendable {
    /// One commit as received: the generation and member it was made under, and its offsets.
    struct Commit: Equatable {
        var generation: Int32
        var memberId: String
        var offsets: [TopicPartition: Int64]
    }

    private let lock = NSLock()
    private var generation: Int32 = 0
    private var nextMember = 1
    private var assignment: [UInt8] = []
    private var offsets: [TopicPartition: Int64] = [:]
    private(set) var commits: [Commit] = []
    /// JoinGroup requests that got a generation (not MEMBER_ID_REQUIRED or an error).
    private(set) var generations = 0

    /// A snapshot for tests: the commits so far and the generations handed out.
    func snapshot() -> (commits: [Commit], generations: Int32) { lock.withLock { (commits, generation) } }

    func answer(_ api: ApiKey, frame: [UInt8], header: RequestHeader, port: Int,
                action: ScriptedBroker.Action) throws -> [UInt8]? {
        let version = header.apiVersion
        let id = header.correlationId
        var code: Int16 = 0
        if case .error(let scripted) = action { code = scripted }
        if case .delayedError(_, let scripted) = action { code = scripted }
        switch api {
        case .findCoordinator:
            var r = FindCoordinatorResponse()
            r.errorCode = code
            (r.nodeId, r.host, r.port) = (1, "127.0.0.1", Int32(port))
            var entry = FindCoordinatorResponse.Coordinator()
            entry.key = try KafkaFrame.decodeRequest(FindCoordinatorRequest.self, frame: frame).body.coordinatorKeys.first ?? ""
            (entry.nodeId, entry.host, entry.port, entry.errorCode) = (1, "127.0.0.1", Int32(port), code)
            r.coordinators = [entry]
            return try KafkaFrame.encodeResponse(r, version: version, correlationId: id)
        case .joinGroup:
            let request = try KafkaFrame.decodeRequest(JoinGroupRequest.self, frame: frame).body
            var r = JoinGroupResponse()
            lock.withLock {
                r.errorCode = code
                guard code == 0 else { return }
                if request.memberId.isEmpty && version >= 4 {
                    r.errorCode = KafkaErrorCode.memberIdRequired.rawValue
                    r.memberId = "member-\(nextMember)"
                    nextMember += 1
                    return
                }
                generation += 1
                generations += 1
                let member = request.memberId.isEmpty ? "member-\(nextMember)" : request.memberId
                r.generationId = generation
                r.memberId = member
                r.leader = member
                r.protocolType = "consumer"
                r.protocolName = request.protocols.first?.name
                var entry = JoinGroupResponse.Member()
                entry.memberId = member
                entry.metadata = request.protocols.first?.metadata ?? []
                r.members = [entry]
            }
            return try KafkaFrame.encodeResponse(r, version: version, correlationId: id)
        case .syncGroup:
            let request = try KafkaFrame.decodeRequest(SyncGroupRequest.self, frame: frame).body
            var r = SyncGroupResponse()
            lock.withLock {
                r.errorCode = code != 0 ? code : request.generationId == generation ? 0 : KafkaErrorCode.illegalGeneration.rawValue
                if let mine = request.assignments.first(where: { $0.memberId == request.memberId }) { assignment = mine.assignment }
                r.assignment = r.errorCode == 0 ? assignment : []
            }
            return try KafkaFrame.encodeResponse(r, version: version, correlationId: id)
        case .heartbeat:
            var r = HeartbeatResponse()
            r.errorCode = code
            return try KafkaFrame.encodeResponse(r, version: version, correlationId: id)
        case .leaveGroup:
            var r = LeaveGroupResponse()
            r.errorCode = code
            return try KafkaFrame.encodeResponse(r, version: version, correlationId: id)
        case .offsetCommit:
            let request = try KafkaFrame.decodeRequest(OffsetCommitRequest.self, frame: frame).body
            var r = OffsetCommitResponse()
            lock.withLock {
                var stored: [TopicPartition: Int64] = [:]
                r.topics = request.topics.map { topic in
                    OffsetCommitResponse.Topic(name: topic.name, partitions: topic.partitions.map { p in
                        var out = OffsetCommitResponse.Partition()
                        out.partitionIndex = p.partitionIndex
                        out.errorCode = code
                        if code == 0 { stored[TopicPartition(topic.name, p.partitionIndex)] = p.committedOffset }
                        return out
                    })
                }
                if code == 0 {
                    offsets.merge(stored) { $1 }
                    commits.append(Commit(generation: request.generationIdOrMemberEpoch, memberId: request.memberId, offsets: stored))
                }
            }
            return try KafkaFrame.encodeResponse(r, version: version, correlationId: id)
        case .offsetFetch:
            let request = try KafkaFrame.decodeRequest(OffsetFetchRequest.self, frame: frame).body
            var r = OffsetFetchResponse()
            r.errorCode = code
            lock.withLock {
                r.topics = (request.topics ?? []).map { topic in
                    OffsetFetchResponse.Topic(name: topic.name, partitions: topic.partitionIndexes.map { index in
                        var out = OffsetFetchResponse.Partition()
                        out.partitionIndex = index
                        out.committedOffset = offsets[TopicPartition(topic.name, index)] ?? -1
                        return out
                    })
                }
            }
            return try KafkaFrame.encodeResponse(r, version: version, correlationId: id)
        default:
            return nil
        }
    }
}
