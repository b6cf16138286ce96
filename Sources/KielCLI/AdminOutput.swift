// What the admin subcommands and `kiel metadata` print: text for people, or JSON with -J.
// Successes go to stdout; per-item failures to stdout in JSON, else to stderr. The status is
// 0 when every item succeeded, 1 otherwise.

import Kiel

struct AdminOutput {
    let json: Bool

    /// Print `text` or `value` and return `status`.
    private func emit(_ text: String, _ value: @autoclosure () -> JSON, status: Int32 = 0) -> Int32 {
        FileHandleOutput.stdout(json ? "\(value())\n" : text)
        return status
    }

    /// One line per item: "VERB NAME" or its error.
    func outcomes<V>(_ outcomes: [String: Result<V, KielError>], verb: String) -> Int32 {
        var text = "", object: [String: JSON] = [:], failed = false
        for (name, outcome) in outcomes.sorted(by: { $0.key < $1.key }) {
            switch outcome {
            case .success:
                text += "\(verb) \(name)\n"
                object[name] = ["ok": true]
            case .failure(let error):
                failed = true
                if !json { FileHandleOutput.stderr("kiel: \(name): \(error)\n") }
                object[name] = AdminOutput.error(error)
            }
        }
        return emit(text, .object(object), status: failed ? 1 : 0)
    }

    func topicList(_ topics: [TopicDescription]) -> Int32 {
        let width = topics.map(\.name.count).max() ?? 0
        let text = topics.map { $0.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  \($0.partitions.count) partitions\n" }.joined()
        return emit(text, .array(topics.map { ["name": .string($0.name), "partitions": .int(Int64($0.partitions.count))] }))
    }

    func topicDescriptions(_ topics: [TopicDescription], configs: [ConfigResource: Result<[ConfigEntry], KielError>], all: Bool) -> Int32 {
        var text = "", values: [JSON] = [], failed = false
        for t in topics {
            if let error = t.error {
                failed = true
                if !json { FileHandleOutput.stderr("kiel: \(t.name): \(KielError.broker(error))\n") }
                values.append(["name": .string(t.name), "error": AdminOutput.error(.broker(error))])
                continue
            }
            text += AdminOutput.topicText(t)
            var object = AdminOutput.topicJSON(t)
            switch configs[.topic(t.name)] {
            case .success(let entries)?:
                let shown = entries.filter { all || (!$0.isDefault && $0.source != .unknown) }.sorted { $0.name < $1.name }
                text += "  configs:\n" + shown.map { "    \($0.name)=\($0.value ?? "(hidden)") (\($0.source.name))\n" }.joined()
                if shown.isEmpty { text += "    (none set on the topic; --all lists every entry)\n" }
                object["configs"] = .object(Dictionary(uniqueKeysWithValues: shown.map { ($0.name, $0.value.map(JSON.string) ?? .null) }))
            case .failure(let error)?:
                failed = true
                if !json { FileHandleOutput.stderr("kiel: \(t.name) configuration: \(error)\n") }
                object["configs_error"] = AdminOutput.error(error)
            case nil: break
            }
            values.append(.object(object))
        }
        return emit(text, .array(values), status: failed ? 1 : 0)
    }

    func cluster(_ c: ClusterDescription) -> Int32 {
        var text = "Metadata\(c.clusterID.map { " for cluster \($0)" } ?? ""):\n \(c.brokers.count) brokers:\n"
        for b in c.brokers {
            text += "  broker \(b.nodeID) at \(b.host):\(b.port)\(b.nodeID == c.controllerID ? " (controller)" : "")\n"
        }
        text += " \(c.topics.count) topics:\n" + c.topics.map { AdminOutput.topicText($0, indent: "  ") }.joined()
        return emit(text, [
            "cluster_id": c.clusterID.map(JSON.string) ?? .null, "controller": .int(Int64(c.controllerID)),
            "brokers": .array(c.brokers.map { ["id": .int(Int64($0.nodeID)), "host": .string($0.host), "port": .int(Int64($0.port))] }),
            "topics": .array(c.topics.map { .object(AdminOutput.topicJSON($0)) }),
        ])
    }

    func groupList(_ groups: [GroupListing]) -> Int32 {
        let width = groups.map(\.groupID.count).max() ?? 0
        let text = groups.map {
            $0.groupID.padding(toLength: width, withPad: " ", startingAt: 0) + "  \($0.state.isEmpty ? "-" : $0.state)  \($0.protocolType.isEmpty ? "-" : $0.protocolType)\n"
        }.joined()
        return emit(text, .array(groups.map {
            ["group": .string($0.groupID), "state": .string($0.state), "protocol_type": .string($0.protocolType), "coordinator": .int(Int64($0.coordinator))]
        }))
    }

    func groupDescriptions(_ groups: [(String, Result<GroupDescription, KielError>)]) -> Int32 {
        var text = "", values: [JSON] = [], failed = false
        for (name, outcome) in groups {
            switch outcome {
            case .failure(let error):
                failed = true
                if !json { FileHandleOutput.stderr("kiel: \(name): \(error)\n") }
                values.append(["group": .string(name), "error": AdminOutput.error(error)])
            case .success(let g):
                text += "group \"\(g.groupID)\": state \(g.state), protocol \(g.protocolType.isEmpty ? "-" : g.protocolType)/\(g.protocolName.isEmpty ? "-" : g.protocolName), coordinator \(g.coordinator), \(g.members.count) members\n"
                for m in g.members {
                    text += "  member \(m.memberID) client \(m.clientID) at \(m.clientHost): \(m.assignment.map(\.description).joined(separator: ", "))\n"
                }
                values.append([
                    "group": .string(g.groupID), "state": .string(g.state), "protocol_type": .string(g.protocolType),
                    "protocol": .string(g.protocolName), "coordinator": .int(Int64(g.coordinator)),
                    "members": .array(g.members.map { m in [
                        "member_id": .string(m.memberID), "client_id": .string(m.clientID), "client_host": .string(m.clientHost),
                        "subscription": .array(m.subscription.map(JSON.string)),
                        "assignment": .array(m.assignment.map { ["topic": .string($0.topic), "partition": .int(Int64($0.partition))] }),
                    ] }),
                ])
            }
        }
        return emit(text, .array(values), status: failed ? 1 : 0)
    }

    func groupOffsets(_ group: String, _ offsets: [TopicPartition: Result<CommittedOffset, KielError>]) -> Int32 {
        var text = "", values: [JSON] = [], failed = false
        let width = max(5, offsets.keys.map(\.topic.count).max() ?? 0)
        if offsets.isEmpty { text += "group \(group) has no committed offsets\n" }
        func cell(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
        if !offsets.isEmpty {
            text += "TOPIC".padding(toLength: width, withPad: " ", startingAt: 0) + "  PARTITION  COMMITTED         END         LAG\n"
        }
        for (tp, outcome) in offsets.sorted(by: { $0.key < $1.key }) {
            switch outcome {
            case .failure(let error):
                failed = true
                if !json { FileHandleOutput.stderr("kiel: \(tp): \(error)\n") }
                values.append(["topic": .string(tp.topic), "partition": .int(Int64(tp.partition)), "error": AdminOutput.error(error)])
            case .success(let c):
                text += tp.topic.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + cell("\(tp.partition)", 9)
                    + "  " + cell("\(c.offset)", 9) + "  " + cell(c.endOffset.map(String.init) ?? "-", 10)
                    + "  " + cell(c.lag.map(String.init) ?? "-", 10) + "\n"
                values.append(["topic": .string(tp.topic), "partition": .int(Int64(tp.partition)), "offset": .int(c.offset),
                               "end_offset": c.endOffset.map(JSON.int) ?? .null, "lag": c.lag.map(JSON.int) ?? .null])
            }
        }
        return emit(text, ["group": .string(group), "offsets": .array(values)], status: failed ? 1 : 0)
    }

    // MARK: pieces

    /// kcat -L's layout: the topic line at `indent`, its partitions two spaces further in.
    static func topicText(_ t: TopicDescription, indent: String = "") -> String {
        var text = indent + "topic \"\(t.name)\" with \(t.partitions.count) partitions"
        text += t.error.map { ": \($0.name)\n" } ?? ":\n"
        for p in t.partitions {
            text += indent + "  partition \(p.partition), leader \(p.leader), replicas: \(list(p.replicas)), isrs: \(list(p.isr))"
            text += p.error.map { ", error \($0.name)\n" } ?? "\n"
        }
        return text
    }

    static func topicJSON(_ t: TopicDescription) -> [String: JSON] {
        var object: [String: JSON] = [
            "name": .string(t.name),
            "partitions": .array(t.partitions.map { p in [
                "partition": .int(Int64(p.partition)), "leader": .int(Int64(p.leader)),
                "replicas": .array(p.replicas.map { .int(Int64($0)) }), "isrs": .array(p.isr.map { .int(Int64($0)) }),
            ] }),
        ]
        if let error = t.error { object["error"] = .string(error.name) }
        return object
    }

    static func list(_ nodes: [Int32]) -> String { nodes.map(String.init).joined(separator: ",") }

    static func error(_ error: KielError) -> JSON {
        var object: [String: JSON] = ["message": .string(error.description)]
        if case .broker(let b) = error { object["code"] = .string(b.name) }
        if case .unsupportedByBroker = error { object["code"] = "UNSUPPORTED_BY_BROKER" }
        return .object(object)
    }
}
