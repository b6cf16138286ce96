// Topic and broker configuration: describe, and change with IncrementalAlterConfigs where the
// broker offers it, else with AlterConfigs (which replaces a resource's whole configuration,
// so the current one is read first and the changes applied to it).

import KafkaProtocol

extension Admin {
    /// The configuration of `resources` (DescribeConfigs), all keys or only `keys`; one
    /// outcome per resource. A broker's configuration is asked of that broker, topics' of any.
    /// Every key is asked for and `keys` picked here: Tansu 0.6 closes the connection on a
    /// DescribeConfigs v4 that lists keys.
    public func describeConfigs(_ resources: [ConfigResource], keys: [String]? = nil,
                                _ completion: @escaping (Result<[ConfigResource: Result<[ConfigEntry], KielError>], KielError>) -> Void) {
        guard !resources.isEmpty else { return answerSoon([:], completion) }
        withMetadata(completion) { [weak self] _ in
            guard let self else { return completion(.failure(.closed)) }
            let byBroker = Dictionary(grouping: resources) { self.brokerNode(for: $0) }
            let gather = AdminGather<ConfigResource, [ConfigEntry]>(requests: byBroker.count) { completion(Admin.whole($0)) }
            for (node, group) in byBroker {
                guard let connection = node.flatMap({ self.cluster.connection(forNode: $0) }) ?? self.cluster.anyBrokerConnection() else {
                    gather.fail(group, .noBrokersAvailable("metadata lists no broker"))
                    gather.finishOne()
                    continue
                }
                var request = DescribeConfigsRequest()
                request.resources = group.map { DescribeConfigsRequest.Resource(type: $0.type, name: $0.name) }
                self.send(request, to: connection) { result in
                    switch result {
                    case .failure(let error): gather.fail(group, error)
                    case .success(let response):
                        for r in response.results {
                            guard let type = ConfigResourceType(rawValue: r.resourceType) else { continue }
                            let resource = ConfigResource(type, r.resourceName)
                            if let error = Admin.error(r.errorCode, topic: type == .topic ? r.resourceName : nil, message: r.errorMessage) {
                                gather.set(resource, .failure(error))
                            } else {
                                let wanted = keys.map(Set.init)
                                gather.set(resource, .success(r.configs.map(ConfigEntry.init).filter { wanted?.contains($0.name) ?? true }))
                            }
                        }
                        gather.fail(group, .protocolViolation("DescribeConfigs answered nothing for it"))
                    }
                    gather.finishOne()
                }
            }
        }
    }

    /// Applies `changes` to each resource's configuration; one outcome per resource. Uses
    /// IncrementalAlterConfigs where the broker offers it; else reads the current dynamic
    /// configuration and sends it, changed, with AlterConfigs (`.append` and `.subtract`
    /// then fail with `.unsupportedByBroker(.incrementalAlterConfigs)`). `validateOnly`
    /// checks and changes nothing.
    public func alterConfigs(_ changes: [ConfigResource: [ConfigChange]], validateOnly: Bool = false,
                             _ completion: @escaping (Result<[ConfigResource: Result<Void, KielError>], KielError>) -> Void) {
        guard !changes.isEmpty else { return answerSoon([:], completion) }
        withMetadata(completion) { [weak self] _ in
            guard let self else { return completion(.failure(.closed)) }
            let resources = Array(changes.keys)
            guard let connection = self.connection(for: resources) else {
                return completion(.failure(.noBrokersAvailable("metadata lists no broker")))
            }
            var request = IncrementalAlterConfigsRequest()
            request.validateOnly = validateOnly
            request.resources = changes.sorted { $0.key.description < $1.key.description }.map { resource, list in
                IncrementalAlterConfigsRequest.Resource(type: resource.type, name: resource.name, configs: list.map(\.incremental))
            }
            self.send(request, to: connection) { result in
                switch result {
                case .failure(.unsupportedByBroker):
                    self.replaceConfigs(changes, validateOnly: validateOnly, on: connection, completion)
                case .failure(let error): completion(.failure(error))
                case .success(let response):
                    completion(.success(Admin.outcomes(response.responses, for: resources)))
                }
            }
        }
    }

    /// The AlterConfigs way: read every resource's dynamic entries, apply `changes`, send
    /// the whole set.
    private func replaceConfigs(_ changes: [ConfigResource: [ConfigChange]], validateOnly: Bool, on connection: BrokerConnection,
                                _ completion: @escaping (Result<[ConfigResource: Result<Void, KielError>], KielError>) -> Void) {
        let resources = Array(changes.keys)
        describeConfigs(resources) { [weak self] described in
            guard let self else { return completion(.failure(.closed)) }
            guard case .success(let current) = described else {
                if case .failure(let error) = described { completion(.failure(error)) }
                return
            }
            var out: [ConfigResource: Result<Void, KielError>] = [:]
            var request = AlterConfigsRequest()
            request.validateOnly = validateOnly
            for (resource, list) in changes.sorted(by: { $0.key.description < $1.key.description }) {
                if list.contains(where: { if case .set = $0 { return false }; if case .delete = $0 { return false }; return true }) {
                    out[resource] = .failure(.unsupportedByBroker(.incrementalAlterConfigs))
                    continue
                }
                switch current[resource] ?? .failure(.protocolViolation("no configuration for \(resource)")) {
                case .failure(let error): out[resource] = .failure(error)
                case .success(let entries):
                    var merged: [String: String] = [:]
                    for e in entries where e.source.isSetOn(resource.type) { merged[e.name] = e.value }
                    for change in list {
                        switch change {
                        case .set(let key, let value): merged[key] = value
                        default: merged[change.key] = nil
                        }
                    }
                    request.resources.append(AlterConfigsRequest.Resource(
                        type: resource.type, name: resource.name,
                        configs: merged.sorted { $0.key < $1.key }.map { .init(name: $0.key, value: $0.value) }))
                }
            }
            guard !request.resources.isEmpty else { return completion(.success(out)) }
            self.send(request, to: connection) { result in
                completion(result.map { response in
                    let asked = request.resources.compactMap { r in ConfigResourceType(rawValue: r.resourceType).map { ConfigResource($0, r.resourceName) } }
                    return out.merging(Admin.outcomes(response.responses, for: asked)) { old, _ in old }
                })
            }
        }
    }

    /// The node a resource's request must go to: a broker's own configuration to it; nil for
    /// any broker.
    func brokerNode(for resource: ConfigResource) -> Int32? {
        resource.type == .topic ? nil : Int32(resource.name)
    }

    /// One connection for changing `resources`: the broker named, if one is; else any.
    private func connection(for resources: [ConfigResource]) -> BrokerConnection? {
        if let node = resources.lazy.compactMap(brokerNode).first, let c = cluster.connection(forNode: node) { return c }
        return cluster.anyBrokerConnection()
    }

    static func outcomes(_ results: [AlterConfigsResourceResult], for asked: [ConfigResource]) -> [ConfigResource: Result<Void, KielError>] {
        var out: [ConfigResource: Result<Void, KielError>] = [:]
        for r in results {
            guard let type = ConfigResourceType(rawValue: r.resourceType) else { continue }
            let topic = type == .topic ? r.resourceName : nil
            out[ConfigResource(type, r.resourceName)] = Admin.error(r.errorCode, topic: topic, message: r.errorMessage)
                .map { .failure($0) } ?? .success(())
        }
        for resource in asked where out[resource] == nil {
            out[resource] = .failure(.protocolViolation("no answer for \(resource)"))
        }
        return out
    }
}

extension ConfigEntry {
    init(_ e: DescribeConfigsResponse.Entry) {
        self.init(name: e.name, value: e.value, source: Source(rawValue: e.configSource) ?? .unknown,
                  isReadOnly: e.readOnly, isSensitive: e.isSensitive)
    }
}

extension ConfigEntry.Source {
    /// Whether an entry from this source is part of the resource's own dynamic configuration
    /// (what AlterConfigs replaces).
    func isSetOn(_ type: ConfigResourceType) -> Bool {
        switch type {
        case .topic: return self == .dynamicTopic
        case .broker: return self == .dynamicBroker
        case .brokerLogger: return self == .dynamicBrokerLogger
        }
    }
}

extension ConfigChange {
    var incremental: IncrementalAlterConfigsRequest.Entry {
        switch self {
        case .set(let k, let v): return .init(name: k, operation: .set, value: v)
        case .delete(let k): return .init(name: k, operation: .delete, value: nil)
        case .append(let k, let v): return .init(name: k, operation: .append, value: v)
        case .subtract(let k, let v): return .init(name: k, operation: .subtract, value: v)
        }
    }
}
