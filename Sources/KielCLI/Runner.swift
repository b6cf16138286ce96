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
        case .admin(let o): return runOnLoop { loop, finish in try AdminCommand.start(o, loop: loop, finish) }
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
