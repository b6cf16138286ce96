// `kiel group` without -z: a member of a group the broker coordinates.

import Kiel

extension GroupCommand {
    /// Joins a broker-coordinated group with `KafkaGroupConsumer` and prints as the ZooKeeper
    /// group does: messages on stdout, `% rebalance member=MEMBER-ID ...` lines on stderr.
    /// `session.timeout.ms` and `enable.auto.commit` apply as for the ZooKeeper group;
    /// `group.instance.id` makes it a static member.
    static func startBrokerGroup(_ options: GroupOptions, loop: IOLoop,
                                 _ finish: @escaping (Int32) -> Void) throws -> Command.Interruptible? {
        var consumerOptions = KafkaGroupConsumer<[UInt8]>.Options()
        var cluster = Cluster.Options()
        options.properties.apply(to: &cluster)
        consumerOptions.cluster = cluster
        options.properties.apply(to: &consumerOptions.fetch)
        let properties = options.properties.values
        if let text = properties["session.timeout.ms"], let ms = Int64(text) { consumerOptions.sessionTimeout = .milliseconds(ms) }
        if let text = properties["enable.auto.commit"] { consumerOptions.autocommit = text == "true" }
        if let id = properties["group.instance.id"] { consumerOptions.groupInstanceId = id }
        if let ms = options.sessionTimeoutMs { consumerOptions.sessionTimeout = .milliseconds(ms) }
        if let ms = options.maxWaitMs { consumerOptions.maxWaitTime = .milliseconds(ms) }
        // Heartbeats at a tenth of a short session timeout, never above the usual 3 s.
        consumerOptions.heartbeatInterval = min(.seconds(3), consumerOptions.sessionTimeout / 10)
        oneMessagePerCall(&consumerOptions.fetch, options)
        let assignors = options.assignors.compactMap(GroupAssignor.named)
        let consumer = try KafkaGroupConsumer(loop: loop, brokers: options.brokers, group: options.group,
                                              deserializer: .bytes, assignors: assignors, options: consumerOptions)
        return run(consumer, options, loop: loop, finish)
    }
}
