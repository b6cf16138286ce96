// Consumer groups: list, describe, committed offsets with lag, delete. Each group's requests
// go to its coordinator (FindCoordinator).

import KafkaProtocol

extension Admin {
    /// Every group the cluster's brokers coordinate (ListGroups to each broker), by id. A
    /// broker that cannot answer fails the whole call: a partial list would look complete.
    public func listGroups(_ completion: @escaping (Result<[GroupListing], KielError>) -> Void) {
        withMetadata(completion) { [weak self] metadata in
            guard let self else { return completion(.failure(.closed)) }
            let nodes = metadata.brokers.keys.sorted()
            guard !nodes.isEmpty else { return completion(.failure(.noBrokersAvailable("metadata lists no broker"))) }
            let gather = AdminGather<Int32, [GroupListing]>(requests: nodes.count) { results in
                var all: [GroupListing] = []
                for node in nodes {
                    switch results[node] ?? .failure(.closed) {
                    case .failure(let error): return completion(.failure(error))
                    case .success(let groups): all += groups
                    }
                }
                completion(.success(all.sorted { $0.groupID < $1.groupID }))
            }
            for node in nodes {
                guard let connection = self.cluster.connection(forNode: node) else {
                    gather.set(node, .failure(.closed))
                    gather.finishOne()
                    continue
                }
                self.send(ListGroupsRequest(), to: connection) { result in
                    gather.set(node, result.flatMap { response in
                        if let error = Admin.error(response.errorCode) { return .failure(error) }
                        return .success(response.groups.map {
                            GroupListing(groupID: $0.groupId, protocolType: $0.protocolType, state: $0.groupState, coordinator: node)
                        })
                    })
                    gather.finishOne()
                }
            }
        }
    }

    /// The groups `groups` with their state, assignor and members, each member's
    /// subscription and assignment decoded from the consumer protocol (DescribeGroups to
    /// each group's coordinator); one outcome per group. An unknown group is described as
    /// "Dead" with no members, as Kafka answers.
    public func describeGroups(_ groups: [String],
                               _ completion: @escaping (Result<[String: Result<GroupDescription, KielError>], KielError>) -> Void) {
        guard !groups.isEmpty else { return answerSoon([:], completion) }
        guard !closed else { return loop.callSoon { completion(.failure(.closed)) } }
        let gather = AdminGather<String, GroupDescription>(requests: groups.count) { completion(Admin.whole($0)) }
        for group in groups {
            withCoordinator(of: group, { (r: Result<Void, KielError>) in
                if case .failure(let error) = r { gather.set(group, .failure(error)) }
                gather.finishOne()
            }) { [weak self] connection, node in
                guard let self else { return }
                self.send(DescribeGroupsRequest(groups: [group]), to: connection) { result in
                    switch result {
                    case .failure(let error): gather.set(group, .failure(error))
                    case .success(let response):
                        guard let g = response.groups.first(where: { $0.groupId == group }) ?? response.groups.first else {
                            gather.set(group, .failure(.protocolViolation("DescribeGroups answered nothing for \(group)")))
                            break
                        }
                        if let error = Admin.error(g.errorCode) {
                            gather.set(group, .failure(error))
                        } else {
                            gather.set(group, .success(GroupDescription(g, coordinator: node)))
                        }
                    }
                    gather.finishOne()
                }
            }
        }
    }

    /// `group`'s committed offsets (OffsetFetch to its coordinator), for every partition it
    /// committed, or only `partitions`; each with the partition's end offset (ListOffsets to
    /// its leader) and so the lag. One outcome per partition.
    public func groupOffsets(_ group: String, partitions: [TopicPartition]? = nil,
                             _ completion: @escaping (Result<[TopicPartition: Result<CommittedOffset, KielError>], KielError>) -> Void) {
        withCoordinator(of: group, completion) { [weak self] connection, _ in
            guard let self else { return completion(.failure(.closed)) }
            var request = OffsetFetchRequest()
            request.groupId = group
            if let partitions {
                let byTopic = Dictionary(grouping: partitions, by: \.topic)
                request.topics = byTopic.keys.sorted().map {
                    OffsetFetchRequest.Topic(name: $0, partitionIndexes: byTopic[$0]!.map(\.partition).sorted())
                }
            } else {
                request.topics = nil
            }
            // Both layouts are filled in: up to v7 the group's fields are the request's own,
            // from v8 they are one entry of a list; the version chosen sends one of them.
            // (Tansu 0.6 answers v7 for all topics without its last byte, and v8 right.)
            request.groups = [OffsetFetchRequest.Group(groupId: group, topics: request.topics)]
            // v2 is the first to take "all topics" (null).
            self.send(request, to: connection, versionRange: 2 ... Int16.max) { result in
                switch result {
                case .failure(let error): completion(.failure(error))
                case .success(let response):
                    var (errorCode, topics) = (response.errorCode, response.topics)
                    if let entry = response.groups.first(where: { $0.groupId == group }) { (errorCode, topics) = (entry.errorCode, entry.topics) }
                    if let error = Admin.error(errorCode) { return completion(.failure(error)) }
                    var committed: [TopicPartition: Result<CommittedOffset, KielError>] = [:]
                    for t in topics {
                        for p in t.partitions {
                            let tp = TopicPartition(t.name, p.partitionIndex)
                            committed[tp] = Admin.error(p.errorCode, topic: t.name, partition: p.partitionIndex).map { .failure($0) }
                                ?? .success(CommittedOffset(offset: p.committedOffset, metadata: p.metadata, endOffset: nil))
                        }
                    }
                    for tp in partitions ?? [] where committed[tp] == nil {
                        committed[tp] = .success(CommittedOffset(offset: -1, metadata: nil, endOffset: nil))
                    }
                    self.addEndOffsets(committed, completion)
                }
            }
        }
    }

    /// Fills in the end offsets of the partitions read without error.
    private func addEndOffsets(_ committed: [TopicPartition: Result<CommittedOffset, KielError>],
                               _ completion: @escaping (Result<[TopicPartition: Result<CommittedOffset, KielError>], KielError>) -> Void) {
        let known = committed.filter { if case .success = $0.value { return true }; return false }.keys
        guard !known.isEmpty else { return completion(.success(committed)) }
        queryOffsets(Dictionary(uniqueKeysWithValues: known.map { ($0, ListOffsetsRequest.latestTimestamp) })) { ends in
            var out = committed
            for (tp, end) in ends {
                if case .success(var c) = out[tp], case .success(let listed) = end {
                    c.endOffset = listed.offset
                    out[tp] = .success(c)
                }
            }
            completion(.success(out))
        }
    }

    /// Deletes the groups `groups` with their committed offsets (DeleteGroups to each
    /// coordinator); one outcome per group. A group with members is NON_EMPTY_GROUP.
    public func deleteGroups(_ groups: [String],
                             _ completion: @escaping (Result<[String: Result<Void, KielError>], KielError>) -> Void) {
        guard !groups.isEmpty else { return answerSoon([:], completion) }
        guard !closed else { return loop.callSoon { completion(.failure(.closed)) } }
        let gather = AdminGather<String, Void>(requests: groups.count) { completion(Admin.whole($0)) }
        for group in groups {
            withCoordinator(of: group, { (r: Result<Void, KielError>) in
                if case .failure(let error) = r { gather.set(group, .failure(error)) }
                gather.finishOne()
            }) { [weak self] connection, _ in
                guard let self else { return }
                self.send(DeleteGroupsRequest(groups: [group]), to: connection) { result in
                    switch result {
                    case .failure(let error): gather.set(group, .failure(error))
                    case .success(let response):
                        let code = response.results.first { $0.groupId == group }?.errorCode
                        gather.set(group, code.map { Admin.error($0).map { .failure($0) } ?? .success(()) }
                                   ?? .failure(.protocolViolation("DeleteGroups answered nothing for \(group)")))
                    }
                    gather.finishOne()
                }
            }
        }
    }
}

extension GroupDescription {
    init(_ g: DescribeGroupsResponse.Group, coordinator: Int32) {
        let consumer = g.protocolType == "consumer"
        self.init(groupID: g.groupId, state: g.groupState, protocolType: g.protocolType, protocolName: g.protocolData,
                  members: g.members.map { m in
                      let subscription = consumer ? (try? ConsumerProtocolSubscription.decode(m.memberMetadata))?.topics : nil
                      let assignment = consumer ? (try? ConsumerProtocolAssignment.decode(m.memberAssignment)) : nil
                      return GroupMemberDescription(
                          memberID: m.memberId, groupInstanceID: m.groupInstanceId, clientID: m.clientId,
                          clientHost: m.clientHost, subscription: subscription ?? [],
                          assignment: (assignment?.assignedPartitions ?? []).flatMap { t in
                              t.partitions.map { TopicPartition(t.topic, $0) }
                          }.sorted())
                  }.sorted { $0.memberID < $1.memberID },
                  coordinator: coordinator)
    }
}
