// `kiel group`: a grouped consumer on the command line.

import Foundation
import Kiel
#if canImport(Glibc)
import Glibc
#endif

struct GroupOptions: Equatable {
    var brokers: [String]
    var zkHosts: [String]
    var group: String
    var topics: [String]
    var json = false
    var sessionTimeoutMs: Int?
    var maxWaitMs: Int?
    var debug = false
    var properties = ClientProperties()
}

/// Parses and runs `kiel group -b HOSTS -z ZKHOSTS -g GROUP -t TOPIC [-J]`: joins the group,
/// prints this member's share of the messages as `kiel consume` does, and each rebalance on
/// stderr; SIGINT or SIGTERM close it cleanly (commit, leave the party) and it exits 0.
/// Rebalance lines carry wall-clock microseconds so several members' lines can be ordered.
enum GroupCommand {
    static let specs = [
        CommandLineSyntax.brokerOption,
        OptionSpec("z", "zookeeper", value: "ZKHOSTS", "comma-separated ZooKeeper servers (host:port), optionally /chroot at the end"),
        OptionSpec("g", "group", value: "GROUP", "the consumer group to join"),
        OptionSpec("t", "topic", value: "TOPIC", "topic to consume (comma-separated for several)"),
        OptionSpec("J", "json", "print one JSON object per message with its metadata"),
        OptionSpec(nil, "session-timeout", value: "MS", "ZooKeeper session timeout (default 10000)"),
        OptionSpec(nil, "max-wait", value: "MS", "longest a fetch waits for data (default 1000)"),
        OptionSpec(nil, "debug", "log the client's workings to stderr"),
        CommandLineSyntax.propertyOption,
        CommandLineSyntax.propertyFileOption,
        CommandLineSyntax.helpOption,
    ]

    static let synopsis = "-b HOSTS -z ZKHOSTS -g GROUP -t TOPIC [-J] [-X NAME=VALUE]... [-F FILE]"

    static func parse(_ args: [String]) throws(UsageError) -> Command {
        let o = try OptionParser.parse(args, specs: specs)
        if o.has("help") {
            return .help(CommandLineSyntax.helpText("group", synopsis, specs)
                + "\n\nRebalances go to stderr as `% rebalance member=NAME at=MICROS gained=… lost=… holding=…`.")
        }
        try CommandLineSyntax.noPositional(o)
        func list(_ long: String) throws(UsageError) -> [String] {
            let items = try CommandLineSyntax.required(o, long).split(separator: ",")
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
        var options = GroupOptions(brokers: try CommandLineSyntax.brokers(o, properties), zkHosts: try list("zookeeper"),
                                   group: try CommandLineSyntax.required(o, "group"), topics: try list("topic"))
        options.json = o.has("json")
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
        var consumerOptions = GroupedConsumer<[UInt8]>.Options()
        options.properties.apply(to: &consumerOptions)
        if let ms = options.sessionTimeoutMs { consumerOptions.sessionTimeout = .milliseconds(ms) }
        if let ms = options.maxWaitMs { consumerOptions.maxWaitTime = .milliseconds(ms) }
        let consumer = try GroupedConsumer(loop: loop, brokers: options.brokers, group: options.group,
                                           zooKeeper: options.zkHosts.joined(separator: ","), deserializer: .bytes,
                                           options: consumerOptions)
        consumer.onMessages = { messages in
            var out: [UInt8] = []
            for message in messages {
                out += options.json ? ConsumeCommand.json(message).pythonSerialized() : message.value
                out.append(0x0A)
            }
            FileHandleOutput.write(fd: 1, out)
        }
        consumer.onRebalance = { change in
            FileHandleOutput.stderr(GroupOutput.rebalanceLine(member: consumer.memberName, change: change,
                                                               holding: consumer.allocation))
        }
        consumer.onError = { error in FileHandleOutput.stderr("% error: \(error)\n") }
        for topic in options.topics { consumer.subscribe(topic) }

        var closing = false
        func close(_ status: Int32) {
            guard !closing else { return }
            closing = true
            // Commits what was printed, leaves the party and closes the session.
            consumer.close {
                FileHandleOutput.stderr("% closed \(consumer.memberName)\n")
                finish(status)
            }
        }
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

/// How `kiel group` prints rebalances.
enum GroupOutput {
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
