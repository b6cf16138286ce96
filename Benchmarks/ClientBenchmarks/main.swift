// Client benchmarks: Kiel against confluent-kafka (librdkafka), in one run against the same
// local broker, with the same settings: produce and consume throughput for 100-byte and 1 KB
// messages, client CPU seconds per million messages, and end-to-end latency percentiles at a
// fixed rate. Prints both sides and the ratios (Kiel / confluent-kafka).
//
// With a TLS broker (KIEL_BENCH_TLS_BROKER, KIEL_BENCH_TLS_CA, KIEL_BENCH_TLS_TANSU), it also
// measures what TLS costs the produce: each client over TLS against itself in plaintext.
//
// Needs the services' variables (KIEL_TEST_BROKER, KIEL_TEST_TANSU, KIEL_TEST_PYTHON):
//   scripts/bench.sh          (starts the services and the TLS broker, builds in release mode, runs this)
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

func run(_ path: String, _ args: [String]) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = args
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else { throw KielError.invalidArgument("\(path) \(args) failed") }
    return String(decoding: data, as: UTF8.self)
}

let broker = env("KIEL_TEST_BROKER")
let tansu = env("KIEL_TEST_TANSU")
let python = env("KIEL_TEST_PYTHON")
let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("client_bench.py").path
let quick = CommandLine.arguments.contains("--quick")
let fetchWaitMs = 10
let rate = 2000
let latencySeconds = quick ? 2.0 : 5.0

func topic(_ prefix: String, on host: String = broker) throws -> String {
    let name = "\(prefix)-\(UInt32.random(in: 0...UInt32.max))"
    _ = try run(tansu, ["topic", "create", name, "--partitions", "3", "--broker", "tcp://\(host)"])
    return name
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))]
}

func fmt(_ v: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", v) }

func benchmark() throws {
    var rows: [(String, String, String, String)] = []
    /// Plaintext produce seconds and CPU per size, for the TLS ratios: (kiel, confluent).
    var plainProduce: [Int: (kiel: (seconds: Double, cpu: Double), peer: (Double, Double))] = [:]
    func row(_ what: String, _ kiel: Double, _ peer: Double, digits: Int = 1, lowerIsBetter: Bool = false) {
        let ratio = peer == 0 ? Double.nan : kiel / peer
        rows.append((what, fmt(kiel, digits), fmt(peer, digits), fmt(ratio, 2) + (lowerIsBetter ? " (lower is better)" : "")))
    }

    for (size, count) in [(100, quick ? 50_000 : 300_000), (1000, quick ? 20_000 : 100_000)] {
        print("== \(size)-byte messages: \(count) produced and consumed, then \(rate)/s for \(Int(latencySeconds)) s")
        let kielTopic = try topic("bench-kiel-\(size)")
        let kielProduce = try KielSide.produce(broker: broker, topic: kielTopic, size: size, count: count)
        let kielConsume = try KielSide.consume(broker: broker, topic: kielTopic, count: count,
                                               fetchWait: .milliseconds(fetchWaitMs))
        let kielLatency = try KielSide.latency(broker: broker, topic: try topic("lat-kiel-\(size)"), size: size,
                                               rate: rate, seconds: latencySeconds, fetchWait: .milliseconds(fetchWaitMs))

        let output = try run(python, [script, broker, try topic("bench-ck-\(size)"), try topic("lat-ck-\(size)"),
                                      String(size), String(count), String(rate), String(latencySeconds), String(fetchWaitMs)])
        let peer = try JSON.parse(output)
        func pair(_ key: String) -> (Double, Double) {
            guard case .array(let a)? = peer[key], a.count == 2 else { return (.nan, .nan) }
            func num(_ j: JSON) -> Double { if case .double(let d) = j { return d }; return Double(j.intValue ?? 0) }
            return (num(a[0]), num(a[1]))
        }
        let (peerProduceS, peerProduceCPU) = pair("produce")
        let (peerConsumeS, peerConsumeCPU) = pair("consume")
        var peerLatency: [Double] = []
        if case .array(let a)? = peer["latency"] {
            peerLatency = a.map { if case .double(let d) = $0 { return d }; return Double($0.intValue ?? 0) }
        }

        plainProduce[size] = (kielProduce, (peerProduceS, peerProduceCPU))
        let mb = Double(count * size) / 1e6
        row("\(size)B produce msgs/s", Double(count) / kielProduce.seconds, Double(count) / peerProduceS, digits: 0)
        row("\(size)B produce MB/s", mb / kielProduce.seconds, mb / peerProduceS)
        row("\(size)B produce CPU s / 1M msgs", kielProduce.cpu * 1e6 / Double(count), peerProduceCPU * 1e6 / Double(count),
            digits: 2, lowerIsBetter: true)
        row("\(size)B consume msgs/s", Double(count) / kielConsume.seconds, Double(count) / peerConsumeS, digits: 0)
        row("\(size)B consume MB/s", mb / kielConsume.seconds, mb / peerConsumeS)
        row("\(size)B consume CPU s / 1M msgs", kielConsume.cpu * 1e6 / Double(count), peerConsumeCPU * 1e6 / Double(count),
            digits: 2, lowerIsBetter: true)
        for p in [0.5, 0.9, 0.99] {
            row("\(size)B latency p\(Int(p * 100)) ms", percentile(kielLatency, p), percentile(peerLatency, p),
                lowerIsBetter: true)
        }
        row("\(size)B latency samples", Double(kielLatency.count), Double(peerLatency.count), digits: 0)
    }

    if let tlsBroker = ProcessInfo.processInfo.environment["KIEL_BENCH_TLS_BROKER"],
       let ca = ProcessInfo.processInfo.environment["KIEL_BENCH_TLS_CA"],
       let tlsTansu = ProcessInfo.processInfo.environment["KIEL_BENCH_TLS_TANSU"] {
        for (size, count) in [(100, quick ? 50_000 : 300_000), (1000, quick ? 20_000 : 100_000)] {
            guard let plain = plainProduce[size] else { continue }
            print("== TLS: \(size)-byte messages, \(count) produced through stunnel")
            let kiel = try KielSide.produce(broker: tlsBroker, topic: try topic("tls-kiel-\(size)", on: tlsTansu), size: size,
                                            count: count, security: .ssl(TLSConfiguration(caFile: ca)))
            let output = try run(python, [script, "produce-tls", tlsBroker, ca, try topic("tls-ck-\(size)", on: tlsTansu),
                                          String(size), String(count)])
            guard case .array(let a)? = try JSON.parse(output)["produce"], a.count == 2 else { continue }
            func num(_ j: JSON) -> Double { if case .double(let d) = j { return d }; return Double(j.intValue ?? 0) }
            let peer = (num(a[0]), num(a[1]))
            // Throughput over TLS as a share of plaintext (1.0: TLS costs nothing), and CPU the same way.
            row("\(size)B TLS/plain produce msgs/s", plain.kiel.seconds / kiel.seconds, plain.peer.0 / peer.0, digits: 2)
            row("\(size)B TLS/plain produce CPU", kiel.cpu / plain.kiel.cpu, peer.1 / plain.peer.1, digits: 2,
                lowerIsBetter: true)
            row("\(size)B TLS produce msgs/s", Double(count) / kiel.seconds, Double(count) / peer.0, digits: 0)
        }
    }

    let widths = [rows.map(\.0.count).max()! + 2, 14, 18]
    print("\n" + "measurement".padding(toLength: widths[0], withPad: " ", startingAt: 0)
          + "kiel".padding(toLength: widths[1], withPad: " ", startingAt: 0)
          + "confluent-kafka".padding(toLength: widths[2], withPad: " ", startingAt: 0) + "ratio kiel/confluent")
    for r in rows {
        print(r.0.padding(toLength: widths[0], withPad: " ", startingAt: 0)
              + r.1.padding(toLength: widths[1], withPad: " ", startingAt: 0)
              + r.2.padding(toLength: widths[2], withPad: " ", startingAt: 0) + r.3)
    }
}

do { try benchmark() } catch {
    FileHandle.standardError.write(Data("client-benchmarks: \(error)\n".utf8))
    exit(1)
}
