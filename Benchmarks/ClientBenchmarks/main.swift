// Client benchmarks: Kiel against librdkafka, in one run against the same local broker, with the
// same settings (idempotent, acks=all, linger 5 ms, 1 MiB batches, 3 partitions, the same fetch
// wait and fetch bytes). The yardstick is librdkafka driven from C (Benchmarks/rdkafka_bench.c);
// confluent-kafka driven from Python (Benchmarks/client_bench.py) stays as a second reference,
// paced by its Python loop. Per case: msg/s, MB/s, CPU seconds (user + system) of each client,
// and the ratios Kiel ÷ librdkafka; then produce-to-consume latency percentiles at a fixed rate.
//
// With a TLS broker (KIEL_BENCH_TLS_BROKER, KIEL_BENCH_TLS_CA, KIEL_BENCH_TLS_TANSU), it also
// measures what TLS costs the produce: each client over TLS against itself in plaintext.
//
// Then each codec (gzip, snappy, lz4, zstd): produce and consume of compressible text values,
// both clients, as ratios. `--growth` adds produce at 1, 3, 12 and 48 partitions and consume by
// 1 to 8 members of one group. `--only=codecs` or `--only=growth` runs that part alone;
// `--json PATH` writes every number measured for scripts/bench_chart.py.
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
let only = CommandLine.arguments.first { $0.hasPrefix("--only=") }.map { String($0.dropFirst("--only=".count)) }
let growth = only == "growth" || CommandLine.arguments.contains("--growth")
let jsonPath = CommandLine.arguments.firstIndex(of: "--json").flatMap {
    $0 + 1 < CommandLine.arguments.count ? CommandLine.arguments[$0 + 1] : nil
}
/// What this run measured, for `--json`.
nonisolated(unsafe) var results = Results()
let fetchWaitMs = 10
let consumeMaxBytes = 50 << 20
let partitions = 3
let rate = 10_000
let latencySeconds = quick ? 2.0 : 5.0
let cases = [(size: 100, count: quick ? 50_000 : 1_000_000), (size: 1000, count: quick ? 20_000 : 300_000)]

func topic(_ prefix: String, on host: String = broker, partitions: Int = partitions) throws -> String {
    let name = "\(prefix)-\(UInt32.random(in: 0...UInt32.max))"
    _ = try run(tansu, ["topic", "create", name, "--partitions", String(partitions), "--broker", "tcp://\(host)"])
    return name
}

func benchmark() throws {
    var table = ThroughputTable()
    var latency = LatencyTable()
    var tls = TLSTable()
    var plainProduce: [Int: (kiel: Run, native: Run, python: Run)] = [:]

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
                                               maxBytes: consumeMaxBytes, partitionMaxBytes: partitionMaxBytes(partitions))
        let nativeLatency = try native.latency(broker: broker, topic: try topic("lat-rdk-\(size)"), size: size, rate: rate,
                                               seconds: latencySeconds, fetchWaitMs: fetchWaitMs)

        let py = try python.all(broker: broker, produceTopic: try topic("bench-ck-\(size)"),
                                latencyTopic: try topic("lat-ck-\(size)"), size: size, count: count, rate: rate,
                                seconds: latencySeconds, fetchWaitMs: fetchWaitMs)

        plainProduce[size] = (kielProduce, nativeProduce, py.produce)
        results.throughput("produce", size: size, count: count, kiel: kielProduce, native: nativeProduce)
        results.throughput("consume", size: size, count: count, kiel: kielConsume, native: nativeConsume)
        results.latency(size: size, kiel: kielLatency, native: nativeLatency)
        table.add("produce \(size) B", size: size, count: count, kiel: kielProduce, native: nativeProduce, python: py.produce)
        table.add("consume \(size) B", size: size, count: count, kiel: kielConsume, native: nativeConsume, python: py.consume)
        latency.add("\(size) B", kiel: kielLatency, native: nativeLatency, python: py.latency)
    }

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

    print("\nlibrdkafka \(native.version) from C; Kiel ÷ librdkafka: msg/s above 1 and CPU per message below 1 favour Kiel.\n")
    print(table.render())
    print("\nProduce-to-consume latency at \(rate) msg/s, fetch wait \(fetchWaitMs) ms, linger 1 ms (ms; ratio Kiel ÷ librdkafka, below 1 favours Kiel):\n")
    print(latency.render())
    if !tls.isEmpty {
        print("\nTLS (stunnel) against plaintext, produce: throughput and CPU as TLS ÷ plain per client:\n")
        print(tls.render())
    }
}

/// Kiel's rule for a fetch: the bytes shared evenly among a leader's partitions, given to
/// librdkafka as `max.partition.fetch.bytes`.
func partitionMaxBytes(_ partitions: Int) -> Int { max(consumeMaxBytes / partitions, 1 << 20) }

/// Each codec, produce then consume, 1 KB of compressible text per message. Both clients consume
/// the topic librdkafka wrote, so both decode the same compressed batches.
func codecs() throws {
    let size = 1000, count = quick ? 20_000 : 300_000
    var table = CodecTable()
    print("== codecs: \(count) × \(size) B of text, produced and consumed per codec")
    for codec in [CompressionCodec.gzip, .snappy, .lz4, .zstd] {
        let kielTopic = try topic("codec-kiel-\(codec)"), nativeTopic = try topic("codec-rdk-\(codec)")
        let kielProduce = try KielSide.produce(broker: broker, topic: kielTopic, size: size, count: count,
                                               compression: codec, payload: .text)
        let nativeProduce = try native.produce(broker: broker, topic: nativeTopic, size: size, count: count,
                                               properties: ["compression.type=\(codec)"] + Payload.text.nativeProperties)
        let kielConsume = try KielSide.consume(broker: broker, topic: nativeTopic, count: count,
                                               fetchWait: .milliseconds(fetchWaitMs), maxBytes: consumeMaxBytes)
        let nativeConsume = try native.consume(broker: broker, topic: nativeTopic, count: count, fetchWaitMs: fetchWaitMs,
                                               maxBytes: consumeMaxBytes, partitionMaxBytes: partitionMaxBytes(partitions))
        table.add("produce \(codec)", count: count, kiel: kielProduce, native: nativeProduce)
        table.add("consume \(codec)", count: count, kiel: kielConsume, native: nativeConsume)
        results.codec("\(codec)", kind: "produce", size: size, count: count, kiel: kielProduce, native: nativeProduce)
        results.codec("\(codec)", kind: "consume", size: size, count: count, kiel: kielConsume, native: nativeConsume)
    }
    print("\nCodecs, \(count) × \(size) B of text (Kiel ÷ librdkafka; consume reads librdkafka's batches):\n")
    print(table.render())
    print("\n" + table.slowest())
}

/// Produce at 1, 3, 12 and 48 partitions; consume by 1 to 8 members of one group from 12 partitions.
func growthRuns() throws {
    let size = 100, count = quick ? 50_000 : 1_000_000, groupCount = quick ? 200_000 : 1_000_000, groupPartitions = 12
    var produce = GrowthTable("partitions"), group = GrowthTable("group members", notes: "settle s Kiel / rdk")
    print("== growth: \(count) × \(size) B produced at 1, 3, 12, 48 partitions")
    for n in [1, 3, 12, 48] {
        let kiel = try KielSide.produce(broker: broker, topic: try topic("grow-kiel-\(n)", partitions: n), size: size,
                                        count: count)
        let rdk = try native.produce(broker: broker, topic: try topic("grow-rdk-\(n)", partitions: n), size: size, count: count)
        produce.add(n, count: count, kiel: kiel, native: rdk)
        results.growth("produce", value: n, size: size, count: count, kiel: kiel, native: rdk)
    }
    print("== growth: \(groupCount) × \(size) B from \(groupPartitions) partitions, consumed by groups of 1 to 8")
    let filled = try topic("grow-group", partitions: groupPartitions)
    _ = try native.produce(broker: broker, topic: filled, size: size, count: groupCount)
    for members in 1...8 {
        let kiel = try KielSide.groupConsume(broker: broker, topic: filled, count: groupCount, members: members,
                                             partitions: groupPartitions, fetchWait: .milliseconds(fetchWaitMs),
                                             maxBytes: consumeMaxBytes)
        let rdk = try native.group(broker: broker, topic: filled, count: groupCount, members: members,
                                   fetchWaitMs: fetchWaitMs, maxBytes: consumeMaxBytes,
                                   partitionMaxBytes: partitionMaxBytes(groupPartitions))
        group.add(members, count: groupCount, kiel: kiel.run, native: rdk.run,
                  note: "\(fmt(kiel.settle)) / \(fmt(rdk.settle))")
        results.growth("group", value: members, size: size, count: groupCount, kiel: kiel.run, native: rdk.run,
                       settle: (kiel.settle, rdk.settle))
    }
    print("\nProduce, \(count) × \(size) B, by partition count (Kiel ÷ librdkafka):\n")
    print(produce.render())
    print("\nConsume, \(groupCount) × \(size) B from \(groupPartitions) partitions, by members of one group "
          + "(Kiel: all members on one loop; librdkafka: a thread per member; timed once the group has settled):\n")
    print(group.render())
}

/// The 1-, 5- and 15-minute load averages, as /proc/loadavg gives them.
func loadAverage() -> String {
    let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? ""
    return text.split(separator: " ").prefix(3).joined(separator: " ")
}

/// One Kiel measurement alone, for a profiler or an outside timer:
/// `client-benchmarks kiel produce SIZE COUNT` prints the topic it filled, which
/// `client-benchmarks kiel consume SIZE COUNT TOPIC` then reads (without TOPIC it fills one first);
/// `KIEL_BENCH_COPY_VALUES=1` consumes with `.bytes` instead of `.view`.
func kielOnly(_ what: String, size: Int, count: Int, topic filled: String?) throws {
    var name = filled ?? ""
    if filled == nil {
        name = try topic("solo-\(size)")
        if what == "consume" { _ = try KielSide.produce(broker: broker, topic: name, size: size, count: count) }
    }
    let r = what == "consume"
        ? try KielSide.consume(broker: broker, topic: name, count: count, fetchWait: .milliseconds(fetchWaitMs),
                               maxBytes: consumeMaxBytes,
                               copyValues: ProcessInfo.processInfo.environment["KIEL_BENCH_COPY_VALUES"] == "1")
        : try KielSide.produce(broker: broker, topic: name, size: size, count: count)
    print("{\"\(what)\": [\(r.seconds), \(r.cpu)], \"topic\": \"\(name)\"}")
}

do {
    let args = CommandLine.arguments
    if args.count >= 5, args[1] == "kiel", let size = Int(args[3]), let count = Int(args[4]) {
        try kielOnly(args[2], size: size, count: count, topic: args.count > 5 ? args[5] : nil)
    } else {
        let loadBefore = loadAverage()
        if only == nil { try benchmark() }
        if only == nil || only == "codecs" { try codecs() }
        if growth { try growthRuns() }
        if let jsonPath {
            results.set("quick", quick)
            results.set("librdkafka", native.version)
            results.set("load", "\(loadBefore) before, \(loadAverage()) after")
            try results.write(to: jsonPath)
        }
    }
} catch {
    FileHandle.standardError.write(Data("client-benchmarks: \(error)\n".utf8))
    exit(1)
}
