// `kiel metadata`: brokers, topics, partitions, leaders, replicas and ISR, kcat -L style.

import Kiel

enum MetadataCommand {
    static func start(_ o: MetadataOptions, loop: IOLoop, _ finish: @escaping (Int32) -> Void) throws -> Command.Interruptible? {
        var options = Admin.Options()
        o.properties.apply(to: &options.cluster)
        let admin = try Admin(loop: loop, brokers: o.brokers, options: options)
        admin.describeCluster(topics: o.topic.map { [$0] }) { result in
            switch result {
            case .failure(let error):
                FileHandleOutput.stderr("kiel: \(error)\n")
                admin.close { finish(1) }
            case .success(let cluster):
                if let topic = o.topic, let error = cluster.topics.first(where: { $0.name == topic })?.error {
                    let unknown = error.code == .unknownTopicOrPartition
                    FileHandleOutput.stderr("kiel: \(unknown ? "unknown topic \(topic)" : "\(KielError.broker(error))")\n")
                    return admin.close { finish(1) }
                }
                let status = AdminOutput(json: o.json).cluster(cluster)
                admin.close { finish(status) }
            }
        }
        return Command.Interruptible { admin.close { finish(130) } }
    }
}
