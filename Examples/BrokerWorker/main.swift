// broker-worker: the `worker` example's work with a group the Kafka broker coordinates
// instead of ZooKeeper. Start several on one topic and they divide its partitions (Java,
// librdkafka and kafka-python consumers of the same group join in); stop one with Ctrl-C and
// the others take its partitions over.
//
//   swift run broker-worker BROKERS TOPIC [--cooperative] [--instance ID] [--session-timeout MS] [--debug]
//   swift run broker-worker 127.0.0.1:9092 jobs --cooperative

import Foundation
import Kiel
#if canImport(Glibc)
import Glibc
#endif

let usage = """
    usage: broker-worker BROKERS TOPIC [--cooperative] [--instance ID] [--session-timeout MS] [--debug]

    Example broker-coordinated group member that prints the messages it gets (group
    "worker-group").
      BROKERS        comma-separated bootstrap brokers (host[:port])
      TOPIC          the topic to consume
      --cooperative  rebalance with cooperative-sticky (keep partitions through rebalances)
                     instead of range and roundrobin (what a default librdkafka consumer offers)
      --instance ID  a static member (group.instance.id): a restart within the session
                     timeout gets the same partitions back without a rebalance
      --session-timeout MS
                     how long the group waits for a silent member (default 45000)
      --debug        log the client's workings to stderr

    """

func say(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }

func runWorker() -> Int32 {
    var arguments = Array(CommandLine.arguments.dropFirst())
    func flag(_ name: String) -> Bool {
        guard let i = arguments.firstIndex(of: name) else { return false }
        arguments.remove(at: i)
        return true
    }
    func value(_ name: String) -> String? {
        guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return nil }
        defer { arguments.removeSubrange(i ... i + 1) }
        return arguments[i + 1]
    }
    let debug = flag("--debug")
    let cooperative = flag("--cooperative")
    let instance = value("--instance")
    let sessionMs = value("--session-timeout").map { Int64($0) }
    guard sessionMs != .some(nil) else {
        FileHandle.standardError.write(Data(usage.utf8))
        return 2
    }
    guard arguments.count == 2, !arguments.contains(where: { $0.hasPrefix("-") }) else {
        FileHandle.standardError.write(Data(usage.utf8))
        return arguments.contains("-h") || arguments.contains("--help") ? 0 : 2
    }
    let brokers = arguments[0].split(separator: ",").map(String.init)
    let topic = arguments[1]
    if debug {
        KielLog.setHandler(level: .debug) { level, message in
            FileHandle.standardError.write(Data("[\(level)] \(message)\n".utf8))
        }
    }

    let loop: IOLoop
    let consumer: KafkaGroupConsumer<JSON>
    do {
        loop = try IOLoop()
        // As `worker`: no autocommit, a commit after each batch processed.
        var options = KafkaGroupConsumer<JSON>.Options()
        options.autocommit = false
        options.groupInstanceId = instance
        if let ms = sessionMs ?? nil {
            options.sessionTimeout = .milliseconds(ms)
            options.heartbeatInterval = min(.seconds(3), options.sessionTimeout / 10)
        }
        let assignors: [GroupAssignor] = cooperative ? [.cooperativeSticky] : [.range, .roundRobin]
        consumer = try KafkaGroupConsumer<JSON>(loop: loop, brokers: brokers, group: "worker-group",
                                                deserializer: .json, assignors: assignors, options: options)
    } catch {
        say("broker-worker: \(error)")
        return 1
    }

    consumer.onMessages = { messages in
        for message in messages { FileHandle.standardOutput.write(Data(message.value.pythonSerialized() + [0x0A])) }
        consumer.commitOffsets { result in
            if case .failure(let error) = result { say("commit failed: \(error)") }
        }
    }
    consumer.onRebalance = { change in say("rebalanced: \(change); now \(consumer.allocation)") }
    consumer.onError = { error in say("error: \(error)") }
    consumer.subscribe(topic)

    // Ctrl-C or SIGTERM: commit, leave the group, stop. The signal arrives on a dispatch
    // queue and hops onto the loop, the one thread-safe way in.
    var stopping = false
    let stop = LoopBound({
        guard !stopping else { return }
        stopping = true
        consumer.close { loop.stop() }
    }, loop: loop)
    let signals = [SIGINT, SIGTERM].map { number -> any DispatchSourceSignal in
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler { loop.addCallback { stop.value() } }
        source.resume()
        return source
    }

    consumer.connect { result in
        switch result {
        case .success: say("joined worker-group as \(consumer.memberId)")
        case .failure(let error):
            say("could not join worker-group: \(error)")
            consumer.close { loop.stop() }
        }
    }
    loop.run()
    signals.forEach { $0.cancel() }
    return 0
}

exit(runWorker())
