// A port of kiel's `maker` example: produces {"counter": N, "color": ...} messages to a topic
// as fast as the producer takes them, keyed by the counter and placed by a custom partitioner
// (counter modulo the partition count), printing throughput every --status_interval seconds.
//
//   maker BROKERS TOPIC [--compression none|gzip|snappy|lz4|zstd] [--batch_size N]
//         [--status_interval SECONDS] [--count N] [--debug]
import Foundation
import Kiel

struct Arguments {
    var brokers: [String] = []
    var topic = ""
    var compression = CompressionCodec.none
    var batchSize = 1
    var statusInterval = 5.0
    var count: Int?
    var debug = false

    static let usage = """
        usage: maker BROKERS TOPIC [--compression CODEC] [--batch_size N] [--status_interval S] [--count N] [--debug]
        """

    init(_ args: [String]) throws {
        var positional: [String] = []
        var it = args.makeIterator()
        func value(_ name: String) throws -> String {
            guard let v = it.next() else { throw KielError.invalidArgument("\(name) needs a value\n\(Self.usage)") }
            return v
        }
        while let arg = it.next() {
            switch arg {
            case "--compression":
                let name = try value(arg)
                guard let codec = CompressionCodec.allCases.first(where: { "\($0)" == name }) else {
                    throw KielError.invalidArgument("unknown compression \(name)")
                }
                compression = codec
            case "--batch_size": batchSize = Int(try value(arg)) ?? 1
            case "--status_interval": statusInterval = Double(try value(arg)) ?? 5
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

let colors = ["red", "green", "blue", "yellow", "orange", "purple", "white", "black"]

func main() -> Int32 {
    let args: Arguments
    do { args = try Arguments(Array(CommandLine.arguments.dropFirst())) } catch {
        print(error)
        return 2
    }
    if args.debug { KielLog.setHandler(level: .debug) { level, message in print("[\(level)] \(message)") } }
    do {
        let loop = try IOLoop()
        var options = Producer<JSON>.Options()
        options.compression = args.compression
        options.batchSize = args.batchSize
        let producer = try Producer<JSON>(
            loop: loop, brokers: args.brokers, serializer: .json,
            keyMaker: { message in message["counter"]?.intValue.map { Array(String($0).utf8) } },
            partitioner: Partitioner { key, partitions in
                let counter = key.flatMap { Int(String(decoding: $0, as: UTF8.self)) } ?? 0
                return partitions[counter % partitions.count]
            },
            options: options)

        var counter = 0
        var delivered = 0
        var failed = 0
        var lastCount = 0
        var lastStatus = Date()
        var stopping = false
        func showStatus() {
            let now = Date()
            let since = max(now.timeIntervalSince(lastStatus), 0.001)
            print("\(counter - lastCount) events (\(Int(Double(counter - lastCount) / since))/sec)")
            lastCount = counter
            lastStatus = now
        }
        let status = PeriodicCallback(loop: loop, interval: .milliseconds(Int64(args.statusInterval * 1000)), showStatus)

        func finish() {
            guard !stopping else { return }
            stopping = true
            producer.close {
                status.stop()
                showStatus()
                print("produced \(counter), delivered \(delivered), failed \(failed)")
                loop.stop()
            }
        }
        // Produce a chunk per loop turn so I/O keeps flowing; a full buffer waits for a flush.
        func run() {
            guard !stopping else { return }
            for _ in 0..<1000 {
                if let limit = args.count, counter >= limit { return finish() }
                do {
                    try producer.produce(args.topic, ["counter": .int(Int64(counter + 1)),
                                                      "color": .string(colors.randomElement()!)]) { result in
                        switch result {
                        case .success: delivered += 1
                        case .failure(let error):
                            failed += 1
                            if failed <= 5 { print("delivery failed: \(error)") }
                        }
                    }
                    counter += 1
                } catch KielError.bufferFull {
                    return producer.flush(run)
                } catch {
                    print("produce failed: \(error)")
                    return finish()
                }
            }
            loop.callSoon(run)
        }

        producer.connect { result in
            if case .failure(let error) = result {
                print("cannot connect: \(error)")
                stopping = true
                return loop.stop()
            }
            status.start()
            run()
        }
        let bound = LoopBound(finish, loop: loop)
        signal(SIGINT, SIG_IGN)
        let sigint = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        sigint.setEventHandler { loop.addCallback { bound.value() } }
        sigint.resume()
        loop.run()
        return failed == 0 && delivered == counter ? 0 : 1
    } catch {
        print("maker: \(error)")
        return 1
    }
}

exit(main())
