// Client benchmarks: Kiel against librdkafka, in one run against the same local broker, with the
// same settings (idempotent, acks=all, linger 5 ms, 1 MiB batches, 3 partitions, the same fetch
// wait and fetch bytes). The yardstick is librdkafka driven from C (Benchmarks/rdkafka_bench.c);
// confluent-kafka driven from Python (Benchmarks/client_bench.py) stays as a second reference,
// paced by its Python loop. Per case: msg/s, MB/s, CPU seconds (user + system) of each client,
// and the ratios Kiel ÷ librdkafka; then produce-to-consume latency percentiles at a fixed rate.
//
// With a TLS broker (KIEL_BENCH_TLS_BROKER, KIEL_BENCH_TLS_CA, KIEL_BENCH_TLS_TANSU), it also
// measures what TLS costs the produce: each client over TLS against itself in plaintext.
// With KIEL_BENCH_CHART set to a path, it writes the run there as an SVG chart.
//
// `client-benchmarks kiel produce|consume SIZE COUNT [TOPIC]` runs one Kiel measurement alone
// (for `perf record`).
//
// Needs the services' variables (KIEL_TEST_BROKER, KIEL_TEST_TANSU, KIEL_TEST_PYTHON) and the
// built C harness (KIEL_BENCH_RDKAFKA):
//   scripts/bench.sh          (starts the services and the TLS broker, builds, runs this)
import Foundation
import Glibc
import Kiel

func env(_ name: String) -> String {
    guard let v = ProcessInfo.processInfo.environment[name], !v.isEmpty else {
        FileHandle.standardError.write(Data("\(name) is not set: run scripts/bench.sh\n".utf8))
        exit(2)
    }
    return v
}

let broker = env("KIEL_TEST_BROKER")
let tansu = env("KIEL_TEST_TANSU")
let native = NativeSide(binary: env("KIEL_BENCH_RDKAFKA"))
let python = PythonSide(python: env("KIEL_TEST_PYTHON"),
                        script: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                            .appendingPathComponent("client_bench.py").path)
let quick = CommandLine.arguments.contains("--quick")
let fetchWaitMs = 10
let consumeMaxBytes = 50 << 20
let partitions = 3
let rate = 10_000
let latencySeconds = quick ? 2.0 : 5.0
let cases = [(size: 100, count: quick ? 50_000 : 1_000_000), (size: 1000, count: quick ? 20_000 : 300_000)]

func topic(_ prefix: String, on host: String = broker) throws -> String {
    let name = "\(prefix)-\(UInt32.random(in: 0...UInt32.max))"
    _ = try run(tansu, ["topic", "create", name, "--partitions", String(partitions), "--broker", "tcp://\(host)"])
    return name
}

func benchmark() throws {
    var table = ThroughputTable()
    var latency = LatencyTable()
    var tls = TLSTable()
    var chart = Chart()
    var plainProduce: [Int: (kiel: Run, native: Run, python: Run)] = [:]
    // Kiel's rule for a fetch: the bytes shared evenly among a leader's partitions.
    let partitionMaxBytes = max(consumeMaxBytes / partitions, 1 << 20)

    for (size, count) in cases {
        print("== \(size)-byte messages: \(count) produced and consumed, then \(rate)/s for \(Int(latencySeconds)) s")
        let kielTopic = try topic("bench-kiel-\(size)")
        let kielProduce = try KielSide.produce(broker: broker, topic: kielTopic, size: size, count: count)
        let kielConsume = try KielSide.consume(broker: broker, topic: kielTopic, count: count,
                                               fetchWait: .milliseconds(fetchWaitMs), maxBytes: consumeMaxBytes)
        let kielLatency = try KielSide.latency(broker: broker, topic: try topic("lat-kiel-\(size)"), size: size,
                                               rate: rate, seconds: latencySeconds, fetchWait: .milliseconds(fetchWaitMs))

        let nativeTopic = try topic("bench-rdk-\(size)")
        let nativeProduce = try native.produce(broker: broker, topic: nativeTopic, size: size, count: count)
        let nativeConsume = try native.consume(broker: broker, topic: nativeTopic, count: count, fetchWaitMs: fetchWaitMs,
                                               maxBytes: consumeMaxBytes, partitionMaxBytes: partitionMaxBytes)
        let nativeLatency = try native.latency(broker: broker, topic: try topic("lat-rdk-\(size)"), size: size, rate: rate,
                                               seconds: latencySeconds, fetchWaitMs: fetchWaitMs)

        let py = try python.all(broker: broker, produceTopic: try topic("bench-ck-\(size)"),
                                latencyTopic: try topic("lat-ck-\(size)"), size: size, count: count, rate: rate,
                                seconds: latencySeconds, fetchWaitMs: fetchWaitMs)

        plainProduce[size] = (kielProduce, nativeProduce, py.produce)
        table.add("produce \(size) B", size: size, count: count, kiel: kielProduce, native: nativeProduce, python: py.produce)
        table.add("consume \(size) B", size: size, count: count, kiel: kielConsume, native: nativeConsume, python: py.consume)
        latency.add("\(size) B", kiel: kielLatency, native: nativeLatency, python: py.latency)
        chart.add("produce \(size) B", count: count, kiel: kielProduce, native: nativeProduce)
        chart.add("consume \(size) B", count: count, kiel: kielConsume, native: nativeConsume)
        chart.addLatency("\(size) B", kiel: kielLatency, native: nativeLatency)
    }

    // Each codec, both clients, on text-like 1 KB values (see KielSide.textValues).
    var codecs = CodecTable()
    let codecCount = quick ? 20_000 : 200_000
    setenv("KIEL_BENCH_TEXT", "1", 1)
    for codec in [CompressionCodec.gzip, .snappy, .lz4, .zstd] {
        print("== \(codec): \(codecCount) text-like 1000-byte messages produced and consumed")
        let kielTopic = try topic("codec-kiel-\(codec)")
        let kielProduce = try KielSide.produce(broker: broker, topic: kielTopic, size: 1000, count: codecCount,
                                               compression: codec, text: true)
        let kielConsume = try KielSide.consume(broker: broker, topic: kielTopic, count: codecCount,
                                               fetchWait: .milliseconds(fetchWaitMs), maxBytes: consumeMaxBytes)
        let nativeTopic = try topic("codec-rdk-\(codec)")
        let nativeProduce = try native.produce(broker: broker, topic: nativeTopic, size: 1000, count: codecCount,
                                               properties: ["compression.codec=\(codec)"])
        let nativeConsume = try native.consume(broker: broker, topic: nativeTopic, count: codecCount, fetchWaitMs: fetchWaitMs,
                                               maxBytes: consumeMaxBytes, partitionMaxBytes: partitionMaxBytes)
        codecs.add("\(codec)", count: codecCount, produce: (kielProduce, nativeProduce), consume: (kielConsume, nativeConsume))
    }
    unsetenv("KIEL_BENCH_TEXT")

    if let tlsBroker = ProcessInfo.processInfo.environment["KIEL_BENCH_TLS_BROKER"],
       let ca = ProcessInfo.processInfo.environment["KIEL_BENCH_TLS_CA"],
       let tlsTansu = ProcessInfo.processInfo.environment["KIEL_BENCH_TLS_TANSU"] {
        for (size, count) in cases {
            guard let plain = plainProduce[size] else { continue }
            print("== TLS: \(size)-byte messages, \(count) produced through stunnel")
            let kiel = try KielSide.produce(broker: tlsBroker, topic: try topic("tls-kiel-\(size)", on: tlsTansu), size: size,
                                            count: count, security: .ssl(TLSConfiguration(caFile: ca)))
            let rdk = try native.produce(broker: tlsBroker, topic: try topic("tls-rdk-\(size)", on: tlsTansu), size: size,
                                         count: count, properties: ["security.protocol=ssl", "ssl.ca.location=\(ca)"])
            let py = try python.produceTLS(broker: tlsBroker, ca: ca, topic: try topic("tls-ck-\(size)", on: tlsTansu),
                                           size: size, count: count)
            tls.add("produce \(size) B", count: count, plain: plain, tls: (kiel, rdk, py))
        }
    }

    if let path = ProcessInfo.processInfo.environment["KIEL_BENCH_CHART"], !path.isEmpty {
        let counts = cases.map { "\($0.count) × \($0.size) B" }.joined(separator: ", ")
        chart.note = "librdkafka \(native.version) from C; \(counts), \(partitions) partitions, idempotent, acks=all; "
            + "\(ProcessInfo.processInfo.activeProcessorCount) cores\(quick ? "; quick run" : "")"
        try chart.render().write(toFile: path, atomically: true, encoding: .utf8)
        print("chart: \(path)")
    }
    print("\nlibrdkafka \(native.version) from C; Kiel ÷ librdkafka: msg/s above 1 and CPU per message below 1 favour Kiel.\n")
    print(table.render())
    print("\nProduce-to-consume latency at \(rate) msg/s, fetch wait \(fetchWaitMs) ms, linger 1 ms (ms; ratio Kiel ÷ librdkafka, below 1 favours Kiel):\n")
    print(latency.render())
    print("\nEach codec, \(codecCount) text-like 1000-byte messages (Kiel's codecs in Swift, librdkafka's the C libraries; Kiel ÷ librdkafka):\n")
    print(codecs.render())
    if !tls.isEmpty {
        print("\nTLS (stunnel) against plaintext, produce: throughput and CPU as TLS ÷ plain per client:\n")
        print(tls.render())
    }
}

/// One Kiel measurement alone, for a profiler or an outside timer:
/// `client-benchmarks kiel produce SIZE COUNT` prints the topic it filled, which
/// `client-benchmarks kiel consume SIZE COUNT TOPIC` then reads (without TOPIC it fills one first).
func kielOnly(_ what: String, size: Int, count: Int, topic filled: String?) throws {
    var name = filled ?? ""
    if filled == nil {
        name = try topic("solo-\(size)")
        if what == "consume" { _ = try KielSide.produce(broker: broker, topic: name, size: size, count: count) }
    }
    let r = what == "consume"
        ? try KielSide.consume(broker: broker, topic: name, count: count, fetchWait: .milliseconds(fetchWaitMs),
                               maxBytes: consumeMaxBytes)
        : try KielSide.produce(broker: broker, topic: name, size: size, count: count)
    print("{\"\(what)\": [\(r.seconds), \(r.cpu)], \"topic\": \"\(name)\"}")
}

do {
    let args = CommandLine.arguments
    if args.count >= 5, args[1] == "kiel", let size = Int(args[3]), let count = Int(args[4]) {
        try kielOnly(args[2], size: size, count: count, topic: args.count > 5 ? args[5] : nil)
    } else {
        try benchmark()
    }
} catch {
    FileHandle.standardError.write(Data("client-benchmarks: \(error)\n".utf8))
    exit(1)
}
