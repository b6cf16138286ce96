// Joining: JoinGroup, the leader's assignment, SyncGroup.

import KielIO
import KafkaProtocol

extension GroupMembership {
    /// Sends JoinGroup offering every assignor with this member's subscription. The answer
    /// waits until every member rejoined (or the rebalance timeout passed).
    func join() {
        guard state != .closed else { return }
        state = .joining
        let current = round
        withCoordinator({ [weak self] in self?.join() }) { [weak self] connection in
            guard let self, self.round == current, self.state == .joining else { return }
            var request = JoinGroupRequest()
            request.groupId = self.group
            request.sessionTimeoutMs = Int32(clamping: self.settings.sessionTimeout.milliseconds)
            request.rebalanceTimeoutMs = Int32(clamping: self.settings.rebalanceTimeout.milliseconds)
            request.memberId = self.memberId
            request.groupInstanceId = self.settings.groupInstanceId
            request.protocolType = "consumer"
            // Version 3, as the Java client writes it: the generation the member was last in
            // makes each rejoin's metadata differ from the last, so a coordinator that only
            // rebalances for changed metadata (Tansu) still rebalances when the leader rejoins.
            // Eager assignors revoke everything before a rejoin, so nothing is owned then.
            let subscription = ConsumerProtocolSubscription(version: 3, topics: self.topics.kielSortedTopics(),
                                                            ownedPartitions: self.ownedForJoin(),
                                                            generationId: self.generationId)
            let metadata = (try? subscription.encoded()) ?? []
            request.protocols = self.assignors.map { JoinGroupRequest.GroupProtocol(name: $0.name, metadata: metadata) }
            // The coordinator holds the answer for up to the rebalance timeout (as Kafka's clients wait).
            let timeout = self.settings.rebalanceTimeout + .seconds(5)
            connection.send(request, timeout: timeout) { [weak self] result in
                guard let self, self.round == current, self.state == .joining else { return }
                switch result {
                case .failure(let error): self.failed(error) { [weak self] in self?.join() }
                case .success(let (response, _)): self.joined(response)
                }
            }
        }
    }

    private func joined(_ response: JoinGroupResponse) {
        switch KafkaErrorCode(rawValue: response.errorCode) {
        case .none?:
            memberId = response.memberId
            generationId = response.generationId
            assignedCounts = nil
            protocolName = response.protocolName
            leaderId = response.leader
            state = .syncing
            KielLog.debug("group \(group): joined generation \(generationId) as \(memberId), leader \(response.leader), protocol \(protocolName ?? "-")")
            if response.leader == memberId && !response.skipAssignment {
                lead(response.members)
            } else {
                sync([])
            }
        case .memberIdRequired?:
            // KIP-394: the coordinator names the member first; join again with that id.
            memberId = response.memberId
            join()
        case .unknownMemberId?:
            // A cooperative member still consuming was removed from the group meanwhile: what
            // it kept may be another member's already (Kafka's clients call them lost).
            if holdsAssignment { return lost("JoinGroup answered UNKNOWN_MEMBER_ID", resetMemberId: true) }
            memberId = ""
            joinAgain()
        case .rebalanceInProgress?, .illegalGeneration?:
            joinAgain()
        case .fencedInstanceId?:
            fenced()
        default:
            failed(.broker(BrokerError(wireCode: response.errorCode))) { [weak self] in self?.join() }
        }
    }

    /// Joins again after the coordinator turned a join or sync away: at once the first time,
    /// then after a growing backoff, so a coordinator that keeps refusing is not asked in a
    /// tight loop. The backoff resets once the member is in a generation.
    private func joinAgain() {
        guard retryTimer == nil else { return }
        guard refusals > 0 else {
            refusals += 1
            return join()
        }
        refusals += 1
        let current = round
        retryTimer = loop.callLater(backoff.next()) { [weak self] in
            guard let self else { return }
            self.retryTimer = nil
            guard self.round == current, self.state == .joining || self.state == .syncing else { return }
            self.join()
        }
    }

    /// The leader runs the chosen assignor over every member's subscription and the
    /// partition counts in fresh metadata, then syncs with everyone's assignment.
    private func lead(_ members: [JoinGroupResponse.Member]) {
        guard let name = protocolName, let assignor = assignors.first(where: { $0.name == name }) else {
            onError?(.protocolViolation("the coordinator chose assignor \(protocolName ?? "none"), which this member did not offer"))
            return sync([])
        }
        var subscribers: [GroupAssignor.Member] = []
        for member in members {
            do {
                let subscription = try ConsumerProtocolSubscription.decode(member.metadata)
                var owned: [String: [Int32]] = [:]
                for entry in subscription.ownedPartitions { owned[entry.topic, default: []] += entry.partitions }
                subscribers.append(GroupAssignor.Member(memberId: member.memberId, groupInstanceId: member.groupInstanceId,
                                                        topics: subscription.topics, userData: subscription.userData,
                                                        ownedPartitions: owned, generation: Self.generation(of: subscription)))
            } catch {
                // It gets nothing this generation; the others still get theirs.
                onError?(.protocolViolation("member \(member.memberId)'s subscription: \(error)"))
                subscribers.append(GroupAssignor.Member(memberId: member.memberId, topics: []))
            }
        }
        let current = round
        cluster.refreshMetadata { [weak self] result in
            guard let self, self.round == current, self.state == .syncing else { return }
            var counts: [String: Int] = [:]
            if case .success(let metadata) = result {
                for topic in Set(subscribers.flatMap(\.topics)) {
                    if let ids = metadata.partitions(of: topic), !ids.isEmpty { counts[topic] = ids.count }
                }
            } else if case .failure(let error) = result {
                // Assign what is known rather than stall the whole group.
                self.onError?(error)
                for topic in Set(subscribers.flatMap(\.topics)) {
                    if let ids = self.cluster.metadata.partitions(of: topic), !ids.isEmpty { counts[topic] = ids.count }
                }
            }
            var assigned = counts
            for topic in Set(subscribers.flatMap(\.topics)) where assigned[topic] == nil { assigned[topic] = 0 }
            self.assignedCounts = assigned
            let assignment = assignor.assign(members: subscribers, partitionCounts: counts)
            KielLog.debug("group \(self.group): leader \(self.memberId) assigns with \(name): \(assignment)")
            let encoded = assignment.keys.sorted().map { member in
                let topics = assignment[member] ?? [:]
                let value = ConsumerProtocolAssignment(assignedPartitions: topics.keys.kielSortedTopics().map {
                    ConsumerProtocolTopicPartitions(topic: $0, partitions: topics[$0] ?? [])
                })
                return SyncGroupRequest.Assignment(memberId: member, assignment: (try? value.encoded()) ?? [])
            }
            self.sync(encoded)
        }
    }

    /// SyncGroup: the leader sends everyone's assignment, the others none; each gets its own.
    private func sync(_ assignments: [SyncGroupRequest.Assignment]) {
        let current = round
        withCoordinator({ [weak self] in self?.join() }) { [weak self] connection in
            guard let self, self.round == current, self.state == .syncing else { return }
            var request = SyncGroupRequest()
            request.groupId = self.group
            request.generationId = self.generationId
            request.memberId = self.memberId
            request.groupInstanceId = self.settings.groupInstanceId
            request.protocolType = "consumer"
            request.protocolName = self.protocolName
            request.assignments = assignments
            let timeout = self.settings.rebalanceTimeout + .seconds(5)
            connection.send(request, timeout: timeout) { [weak self] result in
                guard let self, self.round == current, self.state == .syncing else { return }
                switch result {
                case .failure(let error): self.failed(error) { [weak self] in self?.join() }
                case .success(let (response, _)): self.synced(response)
                }
            }
        }
    }

    private func synced(_ response: SyncGroupResponse) {
        switch KafkaErrorCode(rawValue: response.errorCode) {
        case .none?:
            break
        case .unknownMemberId?:
            // As for the join: a cooperative member that kept its partitions has lost them.
            if holdsAssignment { return lost("SyncGroup answered UNKNOWN_MEMBER_ID", resetMemberId: true) }
            memberId = ""
            return joinAgain()
        case .illegalGeneration?:
            if holdsAssignment { return lost("SyncGroup answered ILLEGAL_GENERATION", resetMemberId: false) }
            return joinAgain()
        case .rebalanceInProgress?:
            return joinAgain()
        case .fencedInstanceId?:
            return fenced()
        default:
            return failed(.broker(BrokerError(wireCode: response.errorCode))) { [weak self] in self?.join() }
        }
        let assignment: ConsumerProtocolAssignment
        do {
            assignment = try ConsumerProtocolAssignment.decode(response.assignment)
        } catch {
            return failed(.protocolViolation("assignment from the leader: \(error)")) { [weak self] in self?.join() }
        }
        let partitions = assignment.assignedPartitions.flatMap { entry in
            entry.partitions.map { TopicPartition(entry.topic, $0) }
        }
        state = .stable
        backoff.reset()
        refusals = 0
        holdsAssignment = true
        KielLog.debug("group \(group): member \(memberId) of generation \(generationId) got \(partitions)")
        startHeartbeats()
        onAssignment?(generation, partitions)
        answerStart(.success(()))
        rebalanceEnded()
        if rejoinWhenStable {
            rejoinWhenStable = false
            rejoin("subscription changed during the join")
        }
    }
}

extension GroupMembership {
    /// What a cooperative member owns, by topic, for its JoinGroup; nothing for an eager one.
    func ownedForJoin() -> [ConsumerProtocolTopicPartitions] {
        guard cooperative, holdsAssignment, let owned else { return [] }
        var byTopic: [String: [Int32]] = [:]
        for key in owned() { byTopic[key.topic, default: []].append(key.partition) }
        return byTopic.keys.kielSortedTopics().map { ConsumerProtocolTopicPartitions(topic: $0, partitions: byTopic[$0]!.sorted()) }
    }

    /// The generation a member's owned partitions are from: the subscription's own field
    /// (version 2+), else the Java cooperative assignor's user data (the generation alone, a
    /// 4-byte integer); -1 if neither says.
    static func generation(of subscription: ConsumerProtocolSubscription) -> Int32 {
        if subscription.generationId >= 0 { return subscription.generationId }
        if let data = subscription.userData, data.count == 4 {
            return Int32(bitPattern: UInt32(data[0]) << 24 | UInt32(data[1]) << 16 | UInt32(data[2]) << 8 | UInt32(data[3]))
        }
        return -1
    }
}

extension Collection<String> {
    /// Sorted byte by byte, as topic lists go on the wire.
    func kielSortedTopics() -> [String] { sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) } }
}
