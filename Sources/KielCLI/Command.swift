import Foundation

/// What the user asked the `kiel` tool to do, parsed and validated but not yet run.
enum Command: Equatable {
    case metadata(MetadataOptions)
    case produce(ProduceOptions)
    case consume(ConsumeOptions)
    case group(GroupOptions)
    /// `kiel topic ...`, `kiel group list|describe|offsets|delete`.
    case admin(AdminOptions)
    /// Print this text and exit successfully.
    case help(String)
}

struct MetadataOptions: Equatable {
    var brokers: [String]
    var topic: String?
    var properties = ClientProperties()
    var json = false
}

struct ProduceOptions: Equatable {
    var brokers: [String]
    var topic: String
    var codec: String = "none"
    var keySeparator: String?
    var partition: Int32?
    var properties = ClientProperties()
    /// `-H name=value`, in the order given.
    var headers: [HeaderOption] = []
    /// Files named after the options: each is one message, or with `-l` one per line.
    var files: [String] = []
    var linesFromFiles = false
    var stats = false
}

/// One `-H name=value` of `kiel produce`.
struct HeaderOption: Equatable {
    var name: String
    var value: String
}

/// Where `kiel consume` starts reading.
enum StartOption: Equatable {
    case beginning
    case end
    case offset(Int64)
    case timestamp(Int64)   // milliseconds since the epoch
    /// This many records before each partition's end (kcat's `-o -N`).
    case fromEnd(Int64)
}

struct ConsumeOptions: Equatable {
    var brokers: [String]
    /// Every `-t`, in the order given.
    var topics: [String]
    var start: StartOption = .end
    var count: Int?
    var exitAtEnd = false
    var json = false
    var partition: Int32?
    var properties = ClientProperties()
    /// kcat's `-f` format, escapes already turned into their characters.
    var format: String?
    var stats = false
}

enum CommandLineSyntax {
    static let codecs = ["none", "gzip", "snappy", "lz4", "zstd"]

    static let usage = """
        usage: kiel <command> [options]

        commands:
          metadata   list brokers, topics, partitions, leaders, replicas and ISR
          produce    send one message per line of standard input
          consume    print messages, one per line
          group      consume a share of a topic as a member of a consumer group;
                     group list|describe|offsets|delete administer groups
          topic      create, delete, describe, list, alter-config, add-partitions

        Exit status: 0 done, 1 a broker or delivery failure, 2 usage error, 130 an admin command interrupted.

        Run `kiel <command> --help` for a command's options.
        """

    static let brokerOption = OptionSpec("b", "brokers", value: "HOSTS", "comma-separated bootstrap hosts (host or host:port, default port 9092)")
    static let helpOption = OptionSpec("h", "help", "show this help")
    static let propertyOption = OptionSpec("X", "property", value: "NAME=VALUE",
                                           "a client setting under its librdkafka name (repeatable), e.g. request.timeout.ms=5000")
    static let propertyFileOption = OptionSpec("F", "config-file", value: "FILE",
                                               "settings from a librdkafka-style file: NAME=VALUE lines, # comments (-X wins)")

    static let metadataSpecs = [brokerOption, OptionSpec("t", "topic", value: "TOPIC", "only this topic"),
                                OptionSpec("J", "json", "print JSON instead of text"),
                                propertyOption, propertyFileOption, helpOption]
    static let produceSpecs = [
        brokerOption,
        OptionSpec("t", "topic", value: "TOPIC", "topic to produce to"),
        OptionSpec("z", "compression", value: "CODEC", "none, gzip, snappy, lz4 or zstd (default none)"),
        OptionSpec("K", "key-delimiter", value: "SEP", "text before the first SEP on a line is the key"),
        OptionSpec("p", "partition", value: "N", "send every message to partition N"),
        OptionSpec("H", "header", value: "NAME=VALUE", "add this header to every message (repeatable)"),
        OptionSpec("l", "lines", "with FILE arguments: one message per line of each file, not one per file"),
        statsOption,
        propertyOption,
        propertyFileOption,
        helpOption,
    ]
    static let countOption = OptionSpec("c", "count", value: "N", "exit after N messages")
    static let statsOption = OptionSpec(nil, "stats", "print the client's statistics to standard error every second "
                                                      + "(or every statistics.interval.ms)")
    static let consumeSpecs = [
        brokerOption,
        OptionSpec("t", "topic", value: "TOPIC", "topic to consume (repeatable)"),
        OptionSpec("o", "offset", value: "START",
                   "beginning, end (default), an offset N, -N (N before the end), s@EPOCH_MS or @EPOCH_MS"),
        OptionSpec("p", "partition", value: "N", "only partition N"),
        countOption,
        OptionSpec("e", "exit", "exit when the end of every partition is reached"),
        OptionSpec("J", "json", "print one JSON object per message with its metadata"),
        OptionSpec("f", "format", value: "FORMAT", "print each message as FORMAT (kcat's): %t topic, %p partition, "
                   + "%o offset, %k key, %s value, %K key length, %S value length, %h headers, %T timestamp (ms), "
                   + "%% a percent sign; \\n \\t \\r \\\\ escapes"),
        statsOption,
        propertyOption,
        propertyFileOption,
        helpOption,
    ]

    static func helpText(_ command: String, _ synopsis: String, _ specs: [OptionSpec]) -> String {
        "usage: kiel \(command) \(synopsis)\n\n" + OptionParser.help(specs)
    }

    static func parse(_ args: [String]) throws(UsageError) -> Command {
        guard let name = args.first else { throw UsageError(usage) }
        let rest = Array(args.dropFirst())
        switch name {
        case "-h", "--help", "help": return .help(usage)
        case "metadata":
            let o = try OptionParser.parse(rest, specs: metadataSpecs)
            if o.has("help") { return .help(helpText("metadata", "-b HOSTS [-t TOPIC] [-J] [-X NAME=VALUE]... [-F FILE]", metadataSpecs)) }
            try noPositional(o)
            let properties = try properties(o, for: .any)
            return .metadata(MetadataOptions(brokers: try brokers(o, properties), topic: o.value("topic"), properties: properties,
                                             json: o.has("json")))
        case "produce":
            let o = try OptionParser.parse(rest, specs: produceSpecs)
            if o.has("help") {
                return .help(helpText("produce", "-b HOSTS -t TOPIC [-z CODEC] [-K SEP] [-p PARTITION] [-H NAME=VALUE]... "
                                      + "[--stats] [-X NAME=VALUE]... [-F FILE] [-l] [FILE...]", produceSpecs)
                    + "\n\nReads one message per line of standard input, or each FILE as one message (-l: per line);"
                    + "\nexits non-zero if any failed. Acks, linger and batching are -X settings: acks=all|1|0,"
                    + "\nlinger.ms=N, batch.num.messages=N, batch.size=BYTES. On a terminal a progress line shows"
                    + "\nthe rate and what was sent and acknowledged.")
            }
            let properties = try properties(o, for: .producer)
            var p = ProduceOptions(brokers: try brokers(o, properties), topic: try required(o, "topic"))
            if let codec = o.value("compression") {
                guard codecs.contains(codec) else {
                    throw UsageError("unknown compression \(codec) (expected \(codecs.joined(separator: ", ")))")
                }
                p.codec = codec
            }
            if let sep = o.value("key-delimiter") {
                guard !sep.isEmpty else { throw UsageError("-K needs a non-empty separator") }
                p.keySeparator = sep
            }
            p.partition = try o.value("partition").map { (s: String) throws(UsageError) in try partition(s) }
            p.properties = properties
            p.headers = try o.all("header").map { (item: String) throws(UsageError) in try header(item) }
            p.files = o.positional
            p.linesFromFiles = o.has("lines")
            if p.linesFromFiles && p.files.count != 1 { throw UsageError("-l reads exactly one FILE") }
            p.stats = o.has("stats") || (properties.count("statistics.interval.ms") ?? 0) > 0
            return .produce(p)
        case "consume":
            let o = try OptionParser.parse(rest, specs: consumeSpecs)
            if o.has("help") {
                return .help(helpText("consume", "-b HOSTS -t TOPIC... [-p N] [-o START] [-c COUNT] [-e] [-J | -f FORMAT] "
                                      + "[--stats] [-X NAME=VALUE]... [-F FILE]", consumeSpecs))
            }
            try noPositional(o)
            let properties = try properties(o, for: .consumer)
            _ = try required(o, "topic")
            var c = ConsumeOptions(brokers: try brokers(o, properties), topics: o.all("topic").filter { !$0.isEmpty })
            if let start = o.value("offset") { c.start = try startOption(start) }
            c.count = try count(o)
            c.partition = try o.value("partition").map { (s: String) throws(UsageError) in try partition(s) }
            c.exitAtEnd = o.has("exit")
            c.json = o.has("json")
            c.format = o.value("format").map(MessageFormat.unescape)
            if c.json && c.format != nil { throw UsageError("-J and -f are exclusive") }
            c.stats = o.has("stats") || (properties.count("statistics.interval.ms") ?? 0) > 0
            c.properties = properties
            return .consume(c)
        case "group":
            return AdminCommandLine.isGroupAdmin(rest) ? try AdminCommandLine.parseGroup(rest) : try GroupCommand.parse(rest)
        case "topic":
            return try AdminCommandLine.parseTopic(rest)
        default:
            throw UsageError("unknown command \(name)\n\n\(usage)")
        }
    }

    static func startOption(_ text: String) throws(UsageError) -> StartOption {
        switch text {
        case "beginning": return .beginning
        case "end": return .end
        case "stored": throw UsageError("-o stored needs a consumer group's committed offsets: use kiel group")
        default:
            if text.hasPrefix("@"), let ms = Int64(text.dropFirst()), ms >= 0 { return .timestamp(ms) }
            if text.hasPrefix("s@"), let ms = Int64(text.dropFirst(2)), ms >= 0 { return .timestamp(ms) }
            if let offset = Int64(text), offset >= 0 { return .offset(offset) }
            if text.hasPrefix("-"), let back = Int64(text.dropFirst()), back > 0 { return .fromEnd(back) }
            throw UsageError("bad start \(text) (expected beginning, end, an offset N, -N, s@EPOCH_MS or @EPOCH_MS)")
        }
    }

    /// `-c N` of `consume` and `group`: a positive number of messages, or nil without `-c`.
    static func count(_ o: ParsedOptions) throws(UsageError) -> Int? {
        guard let text = o.value("count") else { return nil }
        guard let n = Int(text), n > 0 else { throw UsageError("-c needs a positive count, not \(text)") }
        return n
    }

    static func header(_ item: String) throws(UsageError) -> HeaderOption {
        guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
            throw UsageError("-H needs name=value, not \(item)")
        }
        return HeaderOption(name: String(item[..<eq]), value: String(item[item.index(after: eq)...]))
    }

    static func partition(_ text: String) throws(UsageError) -> Int32 {
        guard let p = Int32(text), p >= 0 else { throw UsageError("bad partition \(text)") }
        return p
    }

    static func required(_ o: ParsedOptions, _ long: String) throws(UsageError) -> String {
        guard let v = o.value(long), !v.isEmpty else { throw UsageError("missing --\(long)") }
        return v
    }

    /// The `-F` files' settings, then the `-X` ones (a later one wins), for a client of `scope`.
    static func properties(_ o: ParsedOptions, for scope: ClientProperties.Scope) throws(UsageError) -> ClientProperties {
        var items: [String] = []
        for file in o.all("config-file") { items += try ClientProperties.items(fromFile: file) }
        return try ClientProperties(items + o.all("property"), for: scope)
    }

    /// `-b`, else `bootstrap.servers` from the settings (a librdkafka file usually has it).
    static func brokers(_ o: ParsedOptions, _ properties: ClientProperties? = nil) throws(UsageError) -> [String] {
        if o.value("brokers") == nil, let configured = properties?.brokers, !configured.isEmpty { return configured }
        let hosts = try required(o, "brokers").split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces)
        }.filter { !$0.isEmpty }
        guard !hosts.isEmpty else { throw UsageError("missing --brokers") }
        return hosts
    }

    static func noPositional(_ o: ParsedOptions) throws(UsageError) {
        if let extra = o.positional.first { throw UsageError("unexpected argument \(extra)") }
    }
}
