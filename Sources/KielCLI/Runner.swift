import Dispatch
import Foundation
import Kiel
#if canImport(Glibc)
import Glibc
#endif

/// Runs a parsed command to completion on an IOLoop and returns the process exit status.
enum Runner {
    static func run(_ command: Command) -> Int32 {
        switch command {
        case .help(let text):
            FileHandleOutput.stdout(text + "\n")
            return 0
        case .metadata(let o): return runOnLoop { loop, finish in try MetadataCommand.start(o, loop: loop, finish) }
        case .produce(let o): return runOnLoop { loop, finish in try ProduceCommand.start(o, loop: loop, finish) }
        case .consume(let o): return runOnLoop { loop, finish in try ConsumeCommand.start(o, loop: loop, finish) }
        case .group(let o): return runOnLoop { loop, finish in try GroupCommand.start(o, loop: loop, finish) }
        }
    }

    /// Creates a loop, starts the command, and runs until it calls `finish` with an exit status.
    /// SIGINT and SIGTERM ask the command to wind down (it gets `interrupted`).
    static func runOnLoop(_ start: (IOLoop, @escaping (Int32) -> Void) throws -> Command.Interruptible?) -> Int32 {
        let loop: IOLoop
        do { loop = try IOLoop() } catch {
            FileHandleOutput.stderr("kiel: \(error)\n")
            return 1
        }
        var status: Int32 = 0
        let finish: (Int32) -> Void = { code in
            status = code
            loop.stop()
        }
        let interruptible: Command.Interruptible?
        do { interruptible = try start(loop, finish) } catch {
            FileHandleOutput.stderr("kiel: \(error)\n")
            return 1
        }
        var sources: [any DispatchSourceSignal] = []
        if let interruptible {
            let bound = LoopBound(interruptible, loop: loop)
            for sig in [SIGINT, SIGTERM] {
                signal(sig, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
                source.setEventHandler { loop.addCallback { bound.value.interrupt() } }
                source.resume()
                sources.append(source)
            }
        }
        loop.run()
        for source in sources { source.cancel() }
        return status
    }
}

extension Command {
    /// A running command that can be asked to stop early (Ctrl-C).
    final class Interruptible {
        let interrupt: () -> Void
        init(_ interrupt: @escaping () -> Void) { self.interrupt = interrupt }
    }
}

/// `kiel metadata`: brokers, topics, partitions and leaders, kcat -L style.
enum MetadataCommand {
    static func start(_ o: MetadataOptions, loop: IOLoop, _ finish: @escaping (Int32) -> Void) throws -> Command.Interruptible? {
        var options = Cluster.Options()
        o.properties.apply(to: &options)
        let cluster = try Cluster(loop: loop, hosts: o.brokers, options: options)
        cluster.start { result in
            defer { cluster.close() }
            switch result {
            case .failure(let error):
                FileHandleOutput.stderr("kiel: \(error)\n")
                return finish(1)
            case .success(let m):
                if let topic = o.topic, m.topics[topic] == nil {
                    FileHandleOutput.stderr("kiel: unknown topic \(topic)\n")
                    return finish(1)
                }
                FileHandleOutput.stdout(render(m, only: o.topic))
                finish(0)
            }
        }
        return Command.Interruptible { cluster.close(); finish(130) }
    }

    static func render(_ m: ClusterMetadata, only topic: String?) -> String {
        var out = "Metadata\(m.clusterID.map { " for cluster \($0)" } ?? ""):\n \(m.brokers.count) brokers:\n"
        for (id, address) in m.brokers.sorted(by: { $0.key < $1.key }) {
            out += "  broker \(id) at \(address)\(id == m.controllerID ? " (controller)" : "")\n"
        }
        let topics = m.topics.values.filter { topic == nil || $0.name == topic }.sorted { $0.name < $1.name }
        out += " \(topics.count) topics:\n"
        for t in topics {
            out += "  topic \"\(t.name)\" with \(t.partitions.count) partitions"
            out += t.errorCode != 0 ? ": \(BrokerError(wireCode: t.errorCode).name)\n" : ":\n"
            for p in t.partitions {
                out += "    partition \(p.partition), leader \(p.leader)"
                out += p.errorCode != 0 ? ", error \(BrokerError(wireCode: p.errorCode).name)\n" : "\n"
            }
        }
        return out
    }
}
