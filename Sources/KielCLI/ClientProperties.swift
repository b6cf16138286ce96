import Foundation
import Kiel

/// Client settings given as `-X name=value`, under librdkafka's property names so that an
/// existing kcat or librdkafka setting means the same here. Only names Kiel has an option for
/// are accepted; an unknown name, a value of the wrong type, or a producer setting given to a
/// consumer (or the reverse) is a usage error rather than silently ignored. `-F FILE` reads
/// the same settings from a librdkafka-style file (see `items(fromFile:)`).
struct ClientProperties: Equatable {
    /// Who takes a property: every client, producers, consumers (single and grouped), or
    /// grouped consumers only (`kiel group`).
    enum Scope { case any, producer, consumer, group }
    enum Kind { case milliseconds, count, bool, text, acks, brokers, securityProtocol, endpointCheck, saslMechanism, zooKeeper, isolation }

    struct Property {
        let scope: Scope
        let kind: Kind
    }

    static let known: [String: Property] = [
        "client.id": Property(scope: .any, kind: .text),
        "request.timeout.ms": Property(scope: .any, kind: .milliseconds),
        "socket.timeout.ms": Property(scope: .any, kind: .milliseconds),
        "socket.connection.setup.timeout.ms": Property(scope: .any, kind: .milliseconds),
        "reconnect.backoff.ms": Property(scope: .any, kind: .milliseconds),
        "reconnect.backoff.max.ms": Property(scope: .any, kind: .milliseconds),
        "metadata.max.age.ms": Property(scope: .any, kind: .milliseconds),
        "allow.auto.create.topics": Property(scope: .any, kind: .bool),
        "statistics.interval.ms": Property(scope: .any, kind: .milliseconds),
        "message.timeout.ms": Property(scope: .producer, kind: .milliseconds),
        "delivery.timeout.ms": Property(scope: .producer, kind: .milliseconds),
        "linger.ms": Property(scope: .producer, kind: .milliseconds),
        "queue.buffering.max.ms": Property(scope: .producer, kind: .milliseconds),
        "retry.backoff.ms": Property(scope: .any, kind: .milliseconds),
        "batch.size": Property(scope: .producer, kind: .count),
        "batch.num.messages": Property(scope: .producer, kind: .count),
        "queue.buffering.max.kbytes": Property(scope: .producer, kind: .count),
        "message.max.bytes": Property(scope: .producer, kind: .count),
        "enable.idempotence": Property(scope: .producer, kind: .bool),
        "acks": Property(scope: .producer, kind: .acks),
        "request.required.acks": Property(scope: .producer, kind: .acks),
        "max.in.flight.requests.per.connection": Property(scope: .producer, kind: .count),
        "fetch.wait.max.ms": Property(scope: .consumer, kind: .milliseconds),
        "fetch.min.bytes": Property(scope: .consumer, kind: .count),
        "fetch.max.bytes": Property(scope: .consumer, kind: .count),
        "max.partition.fetch.bytes": Property(scope: .consumer, kind: .count),
        "isolation.level": Property(scope: .consumer, kind: .isolation),
        "session.timeout.ms": Property(scope: .group, kind: .milliseconds),
        "enable.auto.commit": Property(scope: .group, kind: .bool),
        "group.instance.id": Property(scope: .group, kind: .text),
        "max.poll.records": Property(scope: .consumer, kind: .count),
        "bootstrap.servers": Property(scope: .any, kind: .brokers),
        "metadata.broker.list": Property(scope: .any, kind: .brokers),
        "security.protocol": Property(scope: .any, kind: .securityProtocol),
        "ssl.ca.location": Property(scope: .any, kind: .text),
        "ssl.certificate.location": Property(scope: .any, kind: .text),
        "ssl.key.location": Property(scope: .any, kind: .text),
        "ssl.key.password": Property(scope: .any, kind: .text),
        "ssl.endpoint.identification.algorithm": Property(scope: .any, kind: .endpointCheck),
        "enable.ssl.certificate.verification": Property(scope: .any, kind: .bool),
        "sasl.mechanism": Property(scope: .any, kind: .saslMechanism),
        "sasl.mechanisms": Property(scope: .any, kind: .saslMechanism),
        "sasl.username": Property(scope: .any, kind: .text),
        "sasl.password": Property(scope: .any, kind: .text),
        // Kiel's own: librdkafka gets OAUTHBEARER tokens from a callback or an OIDC endpoint.
        "sasl.oauthbearer.token": Property(scope: .any, kind: .text),
        "zookeeper.auth": Property(scope: .group, kind: .zooKeeper),
        "zookeeper.acl": Property(scope: .group, kind: .zooKeeper),
    ]

    /// name → value as given, after validation.
    private(set) var values: [String: String] = [:]

    init() {}

    /// Parses `name=value` items for a client of `scope` (`.producer`, `.consumer` or `.group`).
    init(_ items: [String], for scope: Scope) throws(UsageError) {
        for item in items {
            guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
                throw UsageError("-X needs name=value, not \(item)")
            }
            let name = String(item[..<eq]), value = String(item[item.index(after: eq)...])
            guard let property = Self.known[name] else {
                throw UsageError("unknown property \(name) (known: \(Self.known.keys.sorted().joined(separator: ", ")))")
            }
            if !Self.takes(scope, property.scope) {
                throw UsageError("property \(name) applies to \(Self.clients(property.scope)) only")
            }
            switch property.kind {
            case .milliseconds, .count:
                guard let n = Int64(value), n >= 0 else { throw UsageError("property \(name) needs a number ≥ 0, not \(value)") }
                if property.kind == .milliseconds, n == 0, name.hasSuffix("timeout.ms") {
                    throw UsageError("property \(name) must be above 0")
                }
            case .bool:
                guard ["true", "false"].contains(value) else { throw UsageError("property \(name) needs true or false, not \(value)") }
            case .acks:
                guard ["all", "-1", "0", "1"].contains(value) else { throw UsageError("property \(name) needs all, -1, 0 or 1, not \(value)") }
            case .securityProtocol:
                guard Self.securityProtocols.contains(value.lowercased()) else {
                    throw UsageError("property security.protocol needs plaintext, ssl, sasl_plaintext or sasl_ssl, not \(value)")
                }
            case .isolation:
                guard ["read_committed", "read_uncommitted"].contains(value) else {
                    throw UsageError("property \(name) needs read_committed or read_uncommitted, not \(value)")
                }
            case .saslMechanism:
                guard Self.saslMechanisms.contains(value.uppercased()) else {
                    throw UsageError("property \(name) needs one of \(Self.saslMechanisms.joined(separator: ", ")), not \(value)")
                }
            case .endpointCheck:
                guard ["https", "none"].contains(value.lowercased()) else {
                    throw UsageError("property \(name) needs https or none, not \(value)")
                }
            case .zooKeeper:
                try Self.checkZooKeeper(name, value)
            case .brokers, .text:
                guard !value.isEmpty else { throw UsageError("property \(name) needs a value") }
            }
            values[name] = value
        }
        try checkSecurityCombination()
        if values["zookeeper.acl"]?.hasPrefix("creator") == true, values["zookeeper.auth"] == nil {
            throw UsageError("property zookeeper.acl=\(values["zookeeper.acl"] ?? "") needs zookeeper.auth (whose identity it names)")
        }
    }

    /// The `name=value` lines of a librdkafka-style properties file (what kcat's `-F` reads):
    /// blank lines and lines starting with `#` are skipped, spaces around names and values are
    /// not kept.
    static func items(fromFile path: String) throws(UsageError) -> [String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw UsageError("cannot read the configuration file \(path)")
        }
        var items: [String] = []
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let eq = line.firstIndex(of: "="), eq != line.startIndex else {
                throw UsageError("\(path):\(number + 1): expected name=value, not \(line)")
            }
            let name = line[..<eq].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            items.append(name + "=" + value)
        }
        return items
    }

    /// Bootstrap hosts given as `bootstrap.servers` (or `metadata.broker.list`), if any.
    var brokers: [String]? {
        (values["bootstrap.servers"] ?? values["metadata.broker.list"]).map { list in
            list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
    }

    /// Whether a client of `client` scope takes a property of `property` scope.
    private static func takes(_ client: Scope, _ property: Scope) -> Bool {
        property == .any || property == client || (client == .group && property == .consumer)
    }

    private static func clients(_ scope: Scope) -> String {
        switch scope {
        case .any: return "every client"
        case .producer: return "producers"
        case .consumer: return "consumers"
        case .group: return "grouped consumers"
        }
    }

    func milliseconds(_ name: String) -> Duration? { values[name].flatMap(Int64.init).map { .milliseconds($0) } }
    func count(_ name: String) -> Int? { values[name].flatMap(Int.init) }
    func bool(_ name: String) -> Bool? { values[name].map { $0 == "true" } }

    func apply(to o: inout Cluster.Options) {
        if let v = values["client.id"] { o.connection.clientID = v }
        if let v = milliseconds("request.timeout.ms") ?? milliseconds("socket.timeout.ms") { o.connection.requestTimeout = v }
        if let v = milliseconds("socket.connection.setup.timeout.ms") { o.connection.connectTimeout = v }
        if let v = milliseconds("reconnect.backoff.ms") { o.connection.reconnectBackoffInitial = v }
        if let v = milliseconds("reconnect.backoff.max.ms") { o.connection.reconnectBackoffMax = v }
        if let v = milliseconds("metadata.max.age.ms") { o.metadataMaxAge = v }
        if let v = bool("allow.auto.create.topics") { o.allowAutoTopicCreation = v }
        applySecurity(to: &o.security)
    }

    func apply<V>(to o: inout Producer<V>.Options) {
        apply(to: &o.cluster)
        if let v = milliseconds("message.timeout.ms") ?? milliseconds("delivery.timeout.ms") { o.deliveryTimeout = v }
        if let v = milliseconds("linger.ms") ?? milliseconds("queue.buffering.max.ms") { o.linger = v }
        if let v = milliseconds("retry.backoff.ms") { o.retryBackoff = v }
        if let v = count("batch.size") { o.batchBytes = max(1, v) }
        if let v = count("batch.num.messages") { o.batchSize = max(1, v) }
        if let v = count("queue.buffering.max.kbytes") { o.bufferBytes = max(1, v).multipliedReportingOverflow(by: 1024).partialValue }
        if let v = count("message.max.bytes") { o.maxRecordBytes = max(1, v) }
        if let v = bool("enable.idempotence") { o.idempotent = v }
        if let v = values["acks"] ?? values["request.required.acks"] { o.requiredAcks = v == "all" ? -1 : Int16(v) ?? -1 }
        if let v = count("max.in.flight.requests.per.connection") { o.maxRequestsInFlight = max(1, v) }
    }

    func apply(to o: inout FetchOptions) {
        if let v = milliseconds("retry.backoff.ms") { o.retryBackoff = v }
        if let v = milliseconds("fetch.wait.max.ms") { o.maxWaitTime = v }
        if let v = count("fetch.min.bytes") { o.minBytes = v }
        if let v = count("max.poll.records") { o.maxMessagesPerCallback = max(1, v) }
        if let v = count("fetch.max.bytes") { o.maxBytes = max(1, v) }
        if let v = count("max.partition.fetch.bytes") { o.partitionMaxBytesFloor = max(1, v) }
        if let v = values["isolation.level"] { o.isolationLevel = v == "read_committed" ? .readCommitted : .readUncommitted }
    }

    func apply<V>(to o: inout SingleConsumer<V>.Options) {
        apply(to: &o.cluster)
        apply(to: &o.fetch)
    }

    func apply<V>(to o: inout GroupedConsumer<V>.Options) {
        apply(to: &o.cluster)
        apply(to: &o.fetch)
        if let v = milliseconds("session.timeout.ms") { o.sessionTimeout = v }
        if let v = bool("enable.auto.commit") { o.autocommit = v }
        applyZooKeeper(to: &o)
    }
}
