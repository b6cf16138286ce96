// Runs an admin subcommand with `Admin` and prints its outcome (AdminOutput.swift).

import Kiel

enum AdminCommand {
    static func start(_ o: AdminOptions, loop: IOLoop, _ finish: @escaping (Int32) -> Void) throws -> Command.Interruptible? {
        var options = Admin.Options()
        o.properties.apply(to: &options.cluster)
        let admin = try Admin(loop: loop, brokers: o.brokers, options: options)
        let out = AdminOutput(json: o.json)
        let end: (Int32) -> Void = { status in admin.close { finish(status) } }
        /// A whole-call failure: the message on stderr, status 1.
        func failed(_ error: KielError) {
            FileHandleOutput.stderr("kiel: \(error)\n")
            end(1)
        }
        func items<V>(_ result: Result<[String: Result<V, KielError>], KielError>, _ verb: String) {
            switch result {
            case .failure(let error): failed(error)
            case .success(let outcomes): end(out.outcomes(outcomes, verb: verb))
            }
        }
        switch o.action {
        case .topicCreate(let name, let partitions, let rf, let configs):
            admin.createTopics([NewTopic(name, partitions: partitions, replicationFactor: rf, configs: configs)]) { items($0, "created topic") }
        case .topicDelete(let names):
            admin.deleteTopics(names) { items($0, "deleted topic") }
        case .topicAddPartitions(let name, let total):
            admin.createPartitions([name: total]) { items($0, "grew topic") }
        case .topicAlterConfig(let name, let set, let delete):
            let changes = set.sorted { $0.key < $1.key }.map { ConfigChange.set($0.key, $0.value) } + delete.map { ConfigChange.delete($0) }
            admin.alterConfigs([.topic(name): changes]) { result in
                items(result.map { Dictionary(uniqueKeysWithValues: $0.map { ($0.key.name, $0.value) }) }, "altered configuration of topic")
            }
        case .topicList(let includeInternal):
            admin.listTopics(includeInternal: includeInternal) { result in
                switch result {
                case .failure(let error): failed(error)
                case .success(let topics): end(out.topicList(topics))
                }
            }
        case .topicDescribe(let names, let allConfigs):
            admin.describeCluster(topics: names) { result in
                guard case .success(let cluster) = result else { if case .failure(let e) = result { failed(e) }; return }
                let known = cluster.topics.filter { $0.error == nil }.map { ConfigResource.topic($0.name) }
                admin.describeConfigs(known) { configs in
                    switch configs {
                    case .failure(let error): failed(error)
                    case .success(let configs): end(out.topicDescriptions(cluster.topics, configs: configs, all: allConfigs))
                    }
                }
            }
        case .groupList:
            admin.listGroups { result in
                switch result {
                case .failure(let error): failed(error)
                case .success(let groups): end(out.groupList(groups))
                }
            }
        case .groupDescribe(let groups):
            admin.describeGroups(groups) { result in
                switch result {
                case .failure(let error): failed(error)
                case .success(let described): end(out.groupDescriptions(groups.map { ($0, described[$0]!) }))
                }
            }
        case .groupOffsets(let group):
            admin.groupOffsets(group) { result in
                switch result {
                case .failure(let error): failed(error)
                case .success(let offsets): end(out.groupOffsets(group, offsets))
                }
            }
        case .groupDelete(let groups):
            admin.deleteGroups(groups) { items($0, "deleted group") }
        }
        return Command.Interruptible { admin.close { finish(130) } }
    }
}
