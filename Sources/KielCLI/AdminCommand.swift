// `kiel topic ...` and `kiel group list|describe|offsets|delete`: the admin subcommands,
// parsed here and run by AdminCommand+Run.swift.

import Kiel

/// One admin subcommand, parsed.
enum AdminAction: Equatable {
    case topicCreate(name: String, partitions: Int32, replicationFactor: Int16, configs: [String: String])
    case topicDelete([String])
    case topicDescribe([String], allConfigs: Bool)
    case topicList(includeInternal: Bool)
    case topicAlterConfig(name: String, set: [String: String], delete: [String])
    case topicAddPartitions(name: String, total: Int32)
    case groupList
    case groupDescribe([String])
    case groupOffsets(String)
    case groupDelete([String])
}

struct AdminOptions: Equatable {
    var brokers: [String]
    var action: AdminAction
    var json = false
    var properties = ClientProperties()
}

enum AdminCommandLine {
    /// The first words of `kiel group` that name an admin subcommand; anything else joins a group.
    static let groupSubcommands = ["list", "describe", "offsets", "delete"]
    static let topicSubcommands = ["create", "delete", "describe", "list", "alter-config", "add-partitions"]

    static let jsonOption = OptionSpec("J", "json", "print JSON instead of text")
    static let common = [CommandLineSyntax.brokerOption, jsonOption, CommandLineSyntax.propertyOption,
                         CommandLineSyntax.propertyFileOption, CommandLineSyntax.helpOption]
    static let partitionsOption = OptionSpec("p", "partitions", value: "N", "number of partitions")
    static let createSpecs = [partitionsOption,
                              OptionSpec("r", "replication-factor", value: "R", "replicas per partition (default: the broker's)"),
                              OptionSpec("c", "config", value: "KEY=VALUE", "a topic setting (repeatable), e.g. retention.ms=86400000")] + common
    static let alterSpecs = [OptionSpec("d", "delete", value: "KEY", "return KEY to its default (repeatable)")] + common
    static let describeSpecs = [OptionSpec("a", "all", "list every configuration entry, not only those set on the topic")] + common
    static let listSpecs = [OptionSpec("i", "internal", "include Kafka's own topics")] + common
    static let addPartitionsSpecs = [OptionSpec("p", "partitions", value: "N", "the new total number of partitions")] + common

    static let topicUsage = """
        usage: kiel topic <subcommand> [options]

        subcommands:
          create NAME --partitions N [--replication-factor R] [--config KEY=VALUE]...
          delete NAME...
          describe NAME...          partitions (leader, replicas, ISR) and configuration
          list                      every topic with its partition count
          alter-config NAME KEY=VALUE... [--delete KEY]...
          add-partitions NAME --partitions N

        Each takes -b HOSTS, -J (JSON), -X NAME=VALUE, -F FILE; `kiel topic <subcommand> --help` for more.
        """

    static let groupUsage = """
        usage: kiel group <subcommand> [options]
               kiel group -b HOSTS -g GROUP -t TOPIC ...   (join a group: `kiel group --help`)

        subcommands:
          list                      every consumer group, with its state
          describe GROUP...         state, assignor, members and their partitions
          offsets GROUP             committed offsets, end offsets and lag per partition
          delete GROUP...           delete empty groups and their offsets

        Each takes -b HOSTS, -J (JSON), -X NAME=VALUE, -F FILE; `kiel group <subcommand> --help` for more.
        """

    static func parseTopic(_ args: [String]) throws(UsageError) -> Command {
        guard let sub = args.first, !sub.hasPrefix("-") || sub == "-h" || sub == "--help" else { throw UsageError(topicUsage) }
        if sub == "-h" || sub == "--help" { return .help(topicUsage) }
        let rest = Array(args.dropFirst())
        switch sub {
        case "create":
            return try parse(rest, "topic create", "NAME --partitions N [--replication-factor R] [--config KEY=VALUE]...", createSpecs) { o, names throws(UsageError) in
                let name = try single(names, "topic name")
                guard let text = o.value("partitions"), let n = Int32(text), n > 0 else { throw UsageError("--partitions needs a positive count") }
                var rf: Int16 = -1
                if let text = o.value("replication-factor") {
                    guard let r = Int16(text), r > 0 else { throw UsageError("bad --replication-factor \(text)") }
                    rf = r
                }
                return .topicCreate(name: name, partitions: n, replicationFactor: rf, configs: try pairs(o.all("config")))
            }
        case "delete":
            return try parse(rest, "topic delete", "NAME...", common) { _, names throws(UsageError) in .topicDelete(try some(names, "topic name")) }
        case "describe":
            return try parse(rest, "topic describe", "NAME... [--all]", describeSpecs) { o, names throws(UsageError) in
                .topicDescribe(try some(names, "topic name"), allConfigs: o.has("all"))
            }
        case "list":
            return try parse(rest, "topic list", "[--internal]", listSpecs) { o, names throws(UsageError) in
                if let extra = names.first { throw UsageError("unexpected argument \(extra)") }
                return .topicList(includeInternal: o.has("internal"))
            }
        case "alter-config":
            return try parse(rest, "topic alter-config", "NAME KEY=VALUE... [--delete KEY]...", alterSpecs) { o, words throws(UsageError) in
                guard let name = words.first else { throw UsageError("missing topic name") }
                let set = try pairs(Array(words.dropFirst()))
                let delete = o.all("delete")
                guard !set.isEmpty || !delete.isEmpty else { throw UsageError("nothing to change: give KEY=VALUE or --delete KEY") }
                return .topicAlterConfig(name: name, set: set, delete: delete)
            }
        case "add-partitions":
            return try parse(rest, "topic add-partitions", "NAME --partitions N", addPartitionsSpecs) { o, names throws(UsageError) in
                let name = try single(names, "topic name")
                guard let text = o.value("partitions"), let n = Int32(text), n > 0 else { throw UsageError("--partitions needs a positive count") }
                return .topicAddPartitions(name: name, total: n)
            }
        default:
            throw UsageError("unknown topic subcommand \(sub)\n\n\(topicUsage)")
        }
    }

    /// Whether `kiel group ARGS` is an admin subcommand (or asks for their list).
    static func isGroupAdmin(_ args: [String]) -> Bool {
        guard let first = args.first else { return true }
        return groupSubcommands.contains(first)
    }

    static func parseGroup(_ args: [String]) throws(UsageError) -> Command {
        guard let sub = args.first else { throw UsageError(groupUsage) }
        let rest = Array(args.dropFirst())
        switch sub {
        case "list":
            return try parse(rest, "group list", "", common) { _, names throws(UsageError) in
                if let extra = names.first { throw UsageError("unexpected argument \(extra)") }
                return .groupList
            }
        case "describe":
            return try parse(rest, "group describe", "GROUP...", common) { _, names throws(UsageError) in .groupDescribe(try some(names, "group")) }
        case "offsets":
            return try parse(rest, "group offsets", "GROUP", common) { _, names throws(UsageError) in .groupOffsets(try single(names, "group")) }
        case "delete":
            return try parse(rest, "group delete", "GROUP...", common) { _, names throws(UsageError) in .groupDelete(try some(names, "group")) }
        default:
            throw UsageError("unknown group subcommand \(sub)\n\n\(groupUsage)")
        }
    }

    private static func parse(_ args: [String], _ command: String, _ synopsis: String, _ specs: [OptionSpec],
                              _ action: (ParsedOptions, [String]) throws(UsageError) -> AdminAction) throws(UsageError) -> Command {
        let o = try OptionParser.parse(args, specs: specs)
        if o.has("help") {
            return .help(CommandLineSyntax.helpText(command, "-b HOSTS \(synopsis) [-J] [-X NAME=VALUE]... [-F FILE]", specs)
                + "\n\nExit status: 0 done, 1 the broker refused or failed (any item), 2 usage error.")
        }
        let properties = try CommandLineSyntax.properties(o, for: .any)
        let brokers = try CommandLineSyntax.brokers(o, properties)
        return .admin(AdminOptions(brokers: brokers, action: try action(o, o.positional), json: o.has("json"), properties: properties))
    }

    private static func single(_ words: [String], _ what: String) throws(UsageError) -> String {
        guard let first = words.first else { throw UsageError("missing \(what)") }
        if words.count > 1 { throw UsageError("unexpected argument \(words[1])") }
        return first
    }

    private static func some(_ words: [String], _ what: String) throws(UsageError) -> [String] {
        guard !words.isEmpty else { throw UsageError("missing \(what)") }
        return words
    }

    /// `KEY=VALUE` words as a dictionary.
    static func pairs(_ words: [String]) throws(UsageError) -> [String: String] {
        var out: [String: String] = [:]
        for word in words {
            guard let eq = word.firstIndex(of: "="), eq != word.startIndex else { throw UsageError("expected KEY=VALUE, not \(word)") }
            out[String(word[..<eq])] = String(word[word.index(after: eq)...])
        }
        return out
    }
}
