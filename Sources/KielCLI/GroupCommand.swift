// `kiel group`: a grouped consumer on the command line.

import Foundation
import Kiel
#if canImport(Glibc)
import Glibc
#endif

struct GroupOptions: Equatable {
    var brokers: [String]
    /// ZooKeeper servers for kiel's ZooKeeper-coordinated group; empty for a group the
    /// broker coordinates.
    var zkHosts: [String]
    var group: String
    var topics: [String]
    /// The assignors a broker-coordinated member offers, most preferred first.
    var assignors: [String] = GroupCommand.defaultAssignors
    var json = false
    /// `-c`: print this many messages, then leave the group with exactly those committed.
    var count: Int?
    var sessionTimeoutMs: Int?
    var maxWaitMs: Int?
    var debug = false
    var properties = ClientProperties()
}

/// Parses and runs `kiel group -b HOSTS [-z ZKHOSTS | -a ASSIGNORS] -g GROUP -t TOPIC [-c COUNT] [-J]`:
/// joins the group — one the broker coordinates, or with `-z` kiel's ZooKeeper-coordinated
/// one — prints this member's share of the messages as `kiel consume` does, and each
/// rebalance on stderr; SIGINT or SIGTERM, or with `-c` the COUNT-th message, close it
/// cleanly (commit, leave) and it exits 0.
/// Rebalance lines carry wall-clock microseconds so several members' lines can be ordered.
enum GroupCommand {
    /// What a default confluent-kafka (librdkafka) consumer offers, so the two meet in one group.
    static let defaultAssignors = ["range", "roundrobin"]

    static let specs = [
        CommandLineSyntax.brokerOption,
        OptionSpec("z", "zookeeper", value: "ZKHOSTS",
                   "join kiel's ZooKeeper-coordinated group through these servers (host:port,...[/chroot]); without it the broker coordinates the group"),
        OptionSpec("a", "assignor", value: "NAMES",
                   "assignors a broker-coordinated member offers, most preferred first (range, roundrobin, cooperative-sticky; default range,roundrobin as librdkafka)"),
        OptionSpec("g", "group", value: "GROUP", "the consumer group to join"),
        OptionSpec("t", "topic", value: "TOPIC", "topic to consume (comma-separated for several)"),
        CommandLineSyntax.countOption,
        OptionSpec("J", "json", "print one JSON object per message with its metadata"),
        OptionSpec(nil, "session-timeout", value: "MS", "session timeout: the ZooKeeper session's with -z (default 10000), else the broker group's (default 45000)"),
        OptionSpec(nil, "max-wait", value: "MS", "longest a fetch waits for data (default 1000)"),
        OptionSpec(nil, "debug", "log the client's workings to stderr"),
        CommandLineSyntax.propertyOption,
        CommandLineSyntax.propertyFileOption,
        CommandLineSyntax.helpOption,
    ]

    static let synopsis = "-b HOSTS [-z ZKHOSTS | -a ASSIGNORS] -g GROUP -t TOPIC [-c COUNT] [-J] [-X NAME=VALUE]... [-F FILE]"

    static func parse(_ args: [String]) throws(UsageError) -> Command {
        let o = try OptionParser.parse(args, specs: specs)
        if o.has("help") {
            return .help(CommandLineSyntax.helpText("group", synopsis, specs)
                + "\n\nRebalances go to stderr as `% rebalance member=NAME at=MICROS gained=… lost=… holding=…`."
                + "\nWith -c N the member leaves after N messages with exactly those committed: the next member"
                + "\nof the group starts at the first message not printed (for that it takes messages one at a"
                + "\ntime; max.poll.records does not apply). It exits 1 if that commit is not made."
                + "\nTo administer groups instead: kiel group list|describe|offsets|delete (e.g. `kiel group list --help`).")
        }
        try CommandLineSyntax.noPositional(o)
        func list(_ long: String) throws(UsageError) -> [String] {
            try items(try CommandLineSyntax.required(o, long), long)
        }
        func items(_ text: String, _ long: String) throws(UsageError) -> [String] {
            let items = text.split(separator: ",")
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !items.isEmpty else { throw UsageError("missing --\(long)") }
            return items
        }
        func milliseconds(_ long: String) throws(UsageError) -> Int? {
            guard let text = o.value(long) else { return nil }
            guard let ms = Int(text), ms > 0 else { throw UsageError("--\(long) needs a positive number of milliseconds") }
            return ms
        }
        let properties = try CommandLineSyntax.properties(o, for: .group)
        var zkHosts: [String] = []
        if let text = o.value("zookeeper") { zkHosts = try items(text, "zookeeper") }
        var options = GroupOptions(brokers: try CommandLineSyntax.brokers(o, properties), zkHosts: zkHosts,
                                   group: try CommandLineSyntax.required(o, "group"), topics: try list("topic"))
        if let text = o.value("assignor") {
            guard zkHosts.isEmpty else { throw UsageError("--assignor is for broker-coordinated groups; the ZooKeeper group (-z) allocates by itself") }
            options.assignors = try items(text, "assignor")
            if let unknown = options.assignors.first(where: { GroupAssignor.named($0) == nil }) {
                throw UsageError("unknown assignor \(unknown) (range, roundrobin, cooperative-sticky)")
            }
        }
        options.json = o.has("json")
        options.count = try CommandLineSyntax.count(o)
        options.sessionTimeoutMs = try milliseconds("session-timeout")
        options.maxWaitMs = try milliseconds("max-wait")
        options.debug = o.has("debug")
        options.properties = properties
        return .group(options)
    }

    /// Joins the group and prints until interrupted; `finish` gets the exit status.
    static func start(_ options: GroupOptions, loop: IOLoop, _ finish: @escaping (Int32) -> Void) throws -> Command.Interruptible? {
        if options.debug {
            KielLog.setHandler(level: .debug) { level, message in FileHandleOutput.stderr("% \(level): \(message)\n") }
        }
        if options.zkHosts.isEmpty { return try startBrokerGroup(options, loop: loop, finish) }
        var consumerOptions = GroupedConsumer<[UInt8]>.Options()
        options.properties.apply(to: &consumerOptions)
        if let ms = options.sessionTimeoutMs { consumerOptions.sessionTimeout = .milliseconds(ms) }
        if let ms = options.maxWaitMs { consumerOptions.maxWaitTime = .milliseconds(ms) }
        oneMessagePerCall(&consumerOptions.fetch, options)
        let consumer = try GroupedConsumer(loop: loop, brokers: options.brokers, group: options.group,
                                           zooKeeper: options.zkHosts.joined(separator: ","), deserializer: .bytes,
                                           options: consumerOptions)
        return run(consumer, options, loop: loop, finish)
    }

    /// With -c, one message per `onMessages` call: a consumer takes a call as delivered, and
    /// commits it, only whole, so leaving after printing part of a call would commit the rest
    /// unprinted. One message a call makes what is committed exactly what was printed.
    static func oneMessagePerCall(_ fetch: inout FetchOptions, _ options: GroupOptions) {
        if options.count != nil { fetch.maxMessagesPerCallback = 1 }
    }

    /// Prints `consumer`'s messages and rebalances, joins, and closes it (committing and
    /// leaving the group) on an interrupt, after `-c` messages, or when joining fails; either
    /// kind of group.
    static func run<Member: ConsumerGroupMember>(_ consumer: Member, _ options: GroupOptions, loop: IOLoop,
                                                 _ finish: @escaping (Int32) -> Void) -> Command.Interruptible
        where Member.Value == [UInt8] {
        var closing = false
        func close(_ status: Int32) {
            guard !closing else { return }
            closing = true
            // Read before closing: a broker-coordinated member forgets its id when it leaves.
            let member = consumer.memberName
            consumer.close {
                FileHandleOutput.stderr("% closed \(member)\n")
                finish(status)
            }
        }
        var left = options.count
        consumer.onMessages = { messages in
            guard let count = left else { return GroupOutput.print(messages, json: options.json) }
            // A call holds one message with -c (`oneMessagePerCall`): printed whole or not at all.
            let printed = messages.prefix(count)
            GroupOutput.print(Array(printed), json: options.json)
            left = count - printed.count
            guard left == 0 else { return }
            // Nothing more is delivered, so what is committed is what was printed. Commit once
            // this call returns (only then does the consumer count the last message delivered),
            // and exit 1 if that commit is not made: the next member would print them again.
            consumer.fetching.pause(consumer.fetching.partitions)
            loop.callSoon {
                consumer.commitOffsets { result in
                    guard case .failure(let error) = result else { return close(0) }
                    FileHandleOutput.stderr("kiel: could not commit what was printed: \(error)\n")
                    close(1)
                }
            }
        }
        consumer.onRebalance = { change in
            FileHandleOutput.stderr(GroupOutput.rebalanceLine(member: consumer.memberName, change: change,
                                                               holding: consumer.allocation))
        }
        consumer.onError = { error in FileHandleOutput.stderr("% error: \(error)\n") }
        for topic in options.topics { consumer.subscribe(topic) }
        consumer.connect { result in
            switch result {
            case .success:
                FileHandleOutput.stderr("% joined group \(options.group) as \(consumer.memberName)\n")
            case .failure(let error):
                FileHandleOutput.stderr("kiel: could not join group \(options.group): \(error)\n")
                close(1)
            }
        }
        return Command.Interruptible { close(0) }
    }
}

/// How `kiel group` prints messages and rebalances.
enum GroupOutput {
    /// Each message's value (or with `json`, the message as a JSON object) on a line of stdout.
    static func print(_ messages: [ConsumerMessage<[UInt8]>], json: Bool) {
        var out: [UInt8] = []
        for message in messages {
            out += json ? ConsumeCommand.json(message).pythonSerialized() : message.value
            out.append(0x0A)
        }
        FileHandleOutput.write(fd: 1, out)
    }

    /// `% rebalance member=NAME at=MICROS gained=t:0,t:3 lost=- holding=t:0,t:3`, with wall-clock
    /// microseconds so several processes' lines can be put in order.
    static func rebalanceLine(member: String, change: AllocationChange, holding: [String: [Int32]]) -> String {
        func list(_ parts: [String: [Int32]]) -> String {
            let keys = TopicPartition.all(parts).map(\.shareEntry).kielSorted()
            return keys.isEmpty ? "-" : keys.joined(separator: ",")
        }
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let micros = Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000
        return "% rebalance member=\(member) at=\(micros) gained=\(list(change.gained)) lost=\(list(change.lost)) holding=\(list(holding))\n"
    }
}
