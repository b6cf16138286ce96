// worker: a grouped consumer that prints the messages of its share of a topic (kiel's
// examples/worker.py). Start several on one topic and they divide its partitions; stop one
// with Ctrl-C and the others take its partitions over.
//
//   swift run worker BROKERS ZK_HOSTS TOPIC [--debug]
//   swift run worker 127.0.0.1:9092 127.0.0.1:2181 jobs

import Foundation
import Kiel
#if canImport(Glibc)
import Glibc
#endif

let usage = """
    usage: worker BROKERS ZK_HOSTS TOPIC [--debug]

    Example grouped consumer that prints out the messages it gets (group "worker-group").
      BROKERS    comma-separated bootstrap brokers (host[:port])
      ZK_HOSTS   comma-separated ZooKeeper servers (host:port)
      TOPIC      the topic to consume
      --debug    log the client's workings to stderr

    """

func say(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }

func runWorker() -> Int32 {
    var arguments = Array(CommandLine.arguments.dropFirst())
    let debug = arguments.contains("--debug")
    arguments.removeAll { $0 == "--debug" }
    guard arguments.count == 3, !arguments.contains(where: { $0.hasPrefix("-") }) else {
        FileHandle.standardError.write(Data(usage.utf8))
        return arguments.contains("-h") || arguments.contains("--help") ? 0 : 2
    }
    let brokers = arguments[0].split(separator: ",").map(String.init)
    let zooKeeper = arguments[1]
    let topic = arguments[2]

    if debug {
        KielLog.setHandler(level: .debug) { level, message in
            FileHandle.standardError.write(Data("[\(level)] \(message)\n".utf8))
        }
    }

    let loop: IOLoop
    let consumer: GroupedConsumer<JSON>
    do {
        loop = try IOLoop()
        // kiel's worker turns autocommit off and commits after each batch it processed.
        var options = GroupedConsumer<JSON>.Options()
        options.autocommit = false
        consumer = try GroupedConsumer<JSON>(loop: loop, brokers: brokers, group: "worker-group", zooKeeper: zooKeeper,
                                             deserializer: .json, options: options)
    } catch {
        say("worker: \(error)")
        return 1
    }

    func process(_ message: ConsumerMessage<JSON>) {
        FileHandle.standardOutput.write(Data(message.value.pythonSerialized() + [0x0A]))
    }

    consumer.onMessages = { messages in
        for message in messages { process(message) }
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
        case .success: say("joined worker-group as \(consumer.memberName)")
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
