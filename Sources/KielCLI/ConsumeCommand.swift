import Foundation
import Kiel

/// `kiel consume`: prints each message's value on its own line (or, with -J, a JSON object with
/// its metadata; with -f, kcat's format) from one or more topics, stopping after -c messages,
/// at the end of every partition with -e, or on SIGINT/SIGTERM. --stats reports on standard
/// error.
final class ConsumeCommand {
    let options: ConsumeOptions
    let consumer: SingleConsumer<[UInt8]>
    let finish: (Int32) -> Void
    var printed = 0
    var stopped = false

    static func start(_ o: ConsumeOptions, loop: IOLoop, _ finish: @escaping (Int32) -> Void) throws -> Command.Interruptible? {
        let command = try ConsumeCommand(o, loop: loop, finish)
        command.begin()
        return Command.Interruptible { command.stop(0) }
    }

    init(_ o: ConsumeOptions, loop: IOLoop, _ finish: @escaping (Int32) -> Void) throws {
        self.options = o
        self.finish = finish
        var co = SingleConsumer<[UInt8]>.Options()
        co.maxWaitTime = .milliseconds(500)
        o.properties.apply(to: &co)
        consumer = try SingleConsumer(loop: loop, brokers: o.brokers, deserializer: .bytes, options: co)
    }

    var start: StartPosition {
        switch options.start {
        case .beginning: return .beginning
        case .end: return .end
        case .offset(let n): return .offset(n)
        case .timestamp(let ms): return .date(Date(timeIntervalSince1970: Double(ms) / 1000))
        case .fromEnd: return .end
        }
    }

    var reachedEnd: Bool { options.topics.allSatisfy { consumer.reachedEnd(of: $0) } }

    func begin() {
        consumer.onMessages = { [self] messages in
            self.print(messages)
            if !self.stopped && self.options.exitAtEnd && self.reachedEnd {
                self.stop(0)
            }
        }
        consumer.onError = { [self] error in
            FileHandleOutput.stderr("kiel: \(error)\n")
            // Nothing to read, ever: a topic or partition that does not exist, or a connection
            // that gave up (TLS, authentication). Anything else (a corrupt batch, a record that
            // won't decode, a broker away) is said and survived.
            switch error {
            case .unknownTopic, .unknownPartition: self.stop(1)
            default: if error.endsConnection { self.stop(1) }
            }
        }
        if options.stats {
            consumer.reportStatistics(every: StatisticsText.interval(options.properties)) { statistics in
                FileHandleOutput.stderr(StatisticsText.lines(statistics))
            }
        }
        if case .fromEnd(let back) = options.start { return startBeforeEnd(back) }
        subscribeAll()
    }

    func subscribeAll() {
        for topic in options.topics {
            consumer.subscribe(topic, start: start, partitions: options.partition.map { [$0] })
        }
        if options.exitAtEnd { checkEmptyEnd() }
    }

    /// kcat's `-o -N`: one round at the end finds each partition's high watermark, then each
    /// partition starts `back` records before it (or at its beginning).
    func startBeforeEnd(_ back: Int64, topics: ArraySlice<String>? = nil) {
        let remaining = topics ?? options.topics[...]
        guard let topic = remaining.first else { return subscribeAll() }
        consumer.consume(topic, start: .end, partitions: options.partition.map { [$0] }) { [self] result in
            guard !self.stopped else { return }
            if case .failure(let error) = result {
                FileHandleOutput.stderr("kiel: \(error)\n")
                return self.stop(1)
            }
            for tp in self.consumer.fetching.partitions where tp.topic == topic {
                guard let end = self.consumer.fetching.highWatermark(tp) else { continue }
                self.consumer.fetching.seek(tp, to: .offset(max(0, end - back)))
            }
            self.startBeforeEnd(back, topics: remaining.dropFirst())
        }
    }

    /// With -e on an empty topic no batch ever arrives: poll the end condition.
    func checkEmptyEnd() {
        consumer.loop.callLater(.milliseconds(200)) { [self] in
            guard !self.stopped else { return }
            if self.reachedEnd { return self.stop(0) }
            self.checkEmptyEnd()
        }
    }

    func print(_ messages: [ConsumerMessage<[UInt8]>]) {
        var out: [UInt8] = []
        for m in messages {
            if let limit = options.count, printed >= limit { break }
            if let format = options.format {
                MessageFormat.render(format, m, into: &out)
            } else {
                out += options.json ? ConsumeCommand.json(m).pythonSerialized() : m.value
                out.append(0x0A)
            }
            printed += 1
        }
        FileHandleOutput.write(fd: 1, out)
        if let limit = options.count, printed >= limit { stop(0) }
    }

    /// The -J form: key and value as text when valid UTF-8, else base64 under `key_base64` /
    /// `value_base64` (with `key`/`value` null).
    static func json(_ m: ConsumerMessage<[UInt8]>) -> JSON {
        var object: [String: JSON] = [
            "topic": .string(m.topic), "partition": .int(Int64(m.partition)), "offset": .int(m.offset),
            "timestamp": .int(m.timestamp),
            "headers": .array(m.headers.map { h in
                .object(["key": .string(h.key), "value": h.value.map { text($0) ?? .string(Data($0).base64EncodedString()) } ?? .null])
            }),
        ]
        func put(_ name: String, _ bytes: [UInt8]?) {
            guard let bytes else { object[name] = .null; return }
            if let t = text(bytes) { object[name] = t } else {
                object[name] = .null
                object[name + "_base64"] = .string(Data(bytes).base64EncodedString())
            }
        }
        put("key", m.key)
        put("value", m.value)
        return .object(object)
    }

    static func text(_ bytes: [UInt8]) -> JSON? {
        String(validating: bytes, as: UTF8.self).map { .string($0) }
    }

    func stop(_ status: Int32) {
        guard !stopped else { return }
        stopped = true
        for topic in options.topics { consumer.unsubscribe(topic) }
        if options.stats { FileHandleOutput.stderr(StatisticsText.lines(consumer.statistics())) }
        consumer.close { [self] in self.finish(status) }
    }
}
