// A port of kiel's `counter` example: consumes the {"counter": N, "color": ...} messages that
// `maker` produces and prints how many of each color it has seen every --status_interval
// seconds.
//
//   counter BROKERS TOPIC [--status_interval SECONDS] [--start beginning|end] [--count N] [--debug]
import Foundation
import Kiel

struct Arguments {
    var brokers: [String] = []
    var topic = ""
    var statusInterval = 5.0
    var start = StartPosition.end
    var count: Int?
    var debug = false

    static let usage = "usage: counter BROKERS TOPIC [--status_interval S] [--start beginning|end] [--count N] [--debug]"

    init(_ args: [String]) throws {
        var positional: [String] = []
        var it = args.makeIterator()
        func value(_ name: String) throws -> String {
            guard let v = it.next() else { throw KielError.invalidArgument("\(name) needs a value\n\(Self.usage)") }
            return v
        }
        while let arg = it.next() {
            switch arg {
            case "--status_interval": statusInterval = Double(try value(arg)) ?? 5
            case "--start": start = try value(arg) == "beginning" ? .beginning : .end
            case "--count": count = Int(try value(arg))
            case "--debug": debug = true
            case "-h", "--help": throw KielError.invalidArgument(Self.usage)
            default: positional.append(arg)
            }
        }
        guard positional.count == 2 else { throw KielError.invalidArgument(Self.usage) }
        brokers = positional[0].split(separator: ",").map(String.init)
        topic = positional[1]
    }
}

func main() -> Int32 {
    let args: Arguments
    do { args = try Arguments(Array(CommandLine.arguments.dropFirst())) } catch {
        print(error)
        return 2
    }
    if args.debug { KielLog.setHandler(level: .debug) { level, message in print("[\(level)] \(message)") } }
    do {
        let loop = try IOLoop()
        let consumer = try SingleConsumer<JSON>(loop: loop, brokers: args.brokers, deserializer: .json)
        consumer.onError = { print("consumer: \($0)") }
        var colors: [String: Int] = [:]
        var seen = 0
        func showStatus() {
            let lines = colors.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\t\($0.key): \($0.value)" }
            print("counts: \n" + lines.joined(separator: "\n"))
        }
        let status = PeriodicCallback(loop: loop, interval: .milliseconds(Int64(args.statusInterval * 1000)), showStatus)
        func finish() {
            consumer.close {
                status.stop()
                showStatus()
                print("consumed \(seen) messages")
                loop.stop()
            }
        }
        consumer.connect { result in
            if case .failure(let error) = result {
                print("cannot connect: \(error)")
                return loop.stop()
            }
            status.start()
            consumer.onMessages = { messages in
                for message in messages {
                    if let color = message.value["color"]?.stringValue { colors[color, default: 0] += 1 }
                    seen += 1
                    if let limit = args.count, seen >= limit {
                        consumer.unsubscribe(args.topic)
                        return finish()
                    }
                }
            }
            consumer.subscribe(args.topic, start: args.start)
        }
        let bound = LoopBound(finish, loop: loop)
        signal(SIGINT, SIG_IGN)
        let sigint = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        sigint.setEventHandler { loop.addCallback { bound.value() } }
        sigint.resume()
        loop.run()
        return 0
    } catch {
        print("counter: \(error)")
        return 1
    }
}

exit(main())
