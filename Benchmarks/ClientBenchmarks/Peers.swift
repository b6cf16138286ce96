import Foundation
import Kiel

/// One throughput measurement: wall seconds and CPU seconds (user + system) for a run.
struct Run {
    var seconds: Double
    var cpu: Double
}

/// Runs `path` with `args` and returns what it printed; fails unless it exits with 0.
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

private func number(_ j: JSON) -> Double {
    if case .double(let d) = j { return d }
    return Double(j.intValue ?? 0)
}

/// The `[seconds, cpu]` pair under `key` in a peer's JSON answer.
func runPair(_ json: JSON, _ key: String) -> Run {
    guard case .array(let a)? = json[key], a.count == 2 else { return Run(seconds: .nan, cpu: .nan) }
    return Run(seconds: number(a[0]), cpu: number(a[1]))
}

/// The list of latencies (milliseconds, sorted) under `key`.
func samples(_ json: JSON, _ key: String = "latency") -> [Double] {
    guard case .array(let a)? = json[key] else { return [] }
    return a.map(number)
}

/// librdkafka driven from C (Benchmarks/rdkafka_bench.c): the native anchor.
struct NativeSide {
    let binary: String

    func produce(broker: String, topic: String, size: Int, count: Int, properties: [String] = []) throws -> Run {
        runPair(try JSON.parse(try run(binary, ["produce", broker, topic, String(size), String(count)] + properties)), "produce")
    }

    func consume(broker: String, topic: String, count: Int, fetchWaitMs: Int, maxBytes: Int, partitionMaxBytes: Int) throws -> Run {
        let out = try run(binary, ["consume", broker, topic, String(count), String(fetchWaitMs), String(maxBytes),
                                   String(partitionMaxBytes)])
        return runPair(try JSON.parse(out), "consume")
    }

    func latency(broker: String, topic: String, size: Int, rate: Int, seconds: Double, fetchWaitMs: Int) throws -> [Double] {
        samples(try JSON.parse(try run(binary, ["latency", broker, topic, String(size), String(rate), String(seconds),
                                                String(fetchWaitMs)])))
    }

    /// `members` subscribe()d consumers of one group; the run and the seconds the group took to settle.
    func group(broker: String, topic: String, count: Int, members: Int, fetchWaitMs: Int, maxBytes: Int,
               partitionMaxBytes: Int) throws -> (run: Run, settle: Double) {
        let json = try JSON.parse(try run(binary, ["group", broker, topic, String(count), String(members),
                                                   String(fetchWaitMs), String(maxBytes), String(partitionMaxBytes)]))
        guard case .array(let a)? = json["group"], a.count == 3 else { return (Run(seconds: .nan, cpu: .nan), .nan) }
        return (Run(seconds: number(a[0]), cpu: number(a[1])), number(a[2]))
    }

    var version: String { (try? run(binary, ["version"]).trimmingCharacters(in: .whitespacesAndNewlines)) ?? "?" }
}

/// confluent-kafka driven from Python (Benchmarks/client_bench.py): the secondary reference,
/// where the Python loop rather than librdkafka sets the pace.
struct PythonSide {
    let python: String
    let script: String

    /// Produce, consume and latency in one process.
    func all(broker: String, produceTopic: String, latencyTopic: String, size: Int, count: Int, rate: Int,
             seconds: Double, fetchWaitMs: Int) throws -> (produce: Run, consume: Run, latency: [Double]) {
        let json = try JSON.parse(try run(python, [script, broker, produceTopic, latencyTopic, String(size), String(count),
                                                   String(rate), String(seconds), String(fetchWaitMs)]))
        return (runPair(json, "produce"), runPair(json, "consume"), samples(json))
    }

    func produceTLS(broker: String, ca: String, topic: String, size: Int, count: Int) throws -> Run {
        runPair(try JSON.parse(try run(python, [script, "produce-tls", broker, ca, topic, String(size), String(count)])), "produce")
    }
}
