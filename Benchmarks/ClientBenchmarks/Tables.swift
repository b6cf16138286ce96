import Foundation

func fmt(_ v: Double, _ digits: Int = 1) -> String { v.isFinite ? String(format: "%.\(digits)f", v) : "-" }

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))]
}

/// A Markdown table, columns right-aligned after the first.
func markdown(_ header: [String], _ rows: [[String]]) -> String {
    var widths = header.map(\.count)
    for r in rows { for (i, cell) in r.enumerated() { widths[i] = max(widths[i], cell.count) } }
    func line(_ cells: [String]) -> String {
        "| " + cells.enumerated().map { i, c in
            i == 0 ? c.padding(toLength: widths[i], withPad: " ", startingAt: 0)
                : String(repeating: " ", count: widths[i] - c.count) + c
        }.joined(separator: " | ") + " |"
    }
    let rule = "| " + widths.enumerated().map { i, w in
        i == 0 ? String(repeating: "-", count: w) : String(repeating: "-", count: w - 1) + ":"
    }.joined(separator: " | ") + " |"
    return ([line(header), rule] + rows.map(line)).joined(separator: "\n")
}

/// Throughput per case: both clients' msg/s, MB/s and CPU seconds, the two ratios Kiel ÷
/// librdkafka, and confluent-kafka from Python for reference.
struct ThroughputTable {
    private var rows: [[String]] = []

    mutating func add(_ name: String, size: Int, count: Int, kiel: Run, native: Run, python: Run) {
        let n = Double(count), mb = Double(count * size) / 1e6
        rows.append([name,
                     fmt(n / kiel.seconds, 0), fmt(n / native.seconds, 0),
                     fmt(mb / kiel.seconds), fmt(mb / native.seconds),
                     fmt(kiel.cpu, 3), fmt(native.cpu, 3),
                     fmt(native.seconds / kiel.seconds, 2), fmt(kiel.cpu / native.cpu, 2),
                     fmt(n / python.seconds, 0), fmt(python.cpu, 3)])
    }

    func render() -> String {
        markdown(["case", "Kiel msg/s", "librdkafka msg/s", "Kiel MB/s", "librdkafka MB/s", "Kiel CPU s", "librdkafka CPU s",
                  "msg/s Kiel÷rdk", "CPU/msg Kiel÷rdk", "confluent-kafka (Python) msg/s", "(Python) CPU s"], rows)
    }
}

/// Latency percentiles per message size for the three clients.
struct LatencyTable {
    private var rows: [[String]] = []

    mutating func add(_ name: String, kiel: [Double], native: [Double], python: [Double]) {
        let k50 = percentile(kiel, 0.5), k99 = percentile(kiel, 0.99)
        let n50 = percentile(native, 0.5), n99 = percentile(native, 0.99)
        rows.append([name, fmt(k50), fmt(n50), fmt(k50 / n50, 2), fmt(k99), fmt(n99), fmt(k99 / n99, 2),
                     fmt(percentile(python, 0.5)), fmt(percentile(python, 0.99)),
                     "\(kiel.count) / \(native.count) / \(python.count)"])
    }

    func render() -> String {
        markdown(["size", "Kiel p50", "librdkafka p50", "p50 Kiel÷rdk", "Kiel p99", "librdkafka p99", "p99 Kiel÷rdk",
                  "(Python) p50", "(Python) p99", "samples Kiel / rdk / Python"], rows)
    }
}

/// What TLS costs each client's produce, as TLS ÷ plaintext of the same client.
struct TLSTable {
    private var rows: [[String]] = []
    var isEmpty: Bool { rows.isEmpty }

    mutating func add(_ name: String, count: Int, plain: (kiel: Run, native: Run, python: Run),
                      tls: (kiel: Run, native: Run, python: Run)) {
        rows.append([name,
                     fmt(plain.kiel.seconds / tls.kiel.seconds, 2), fmt(plain.native.seconds / tls.native.seconds, 2),
                     fmt(plain.python.seconds / tls.python.seconds, 2),
                     fmt(tls.kiel.cpu / plain.kiel.cpu, 2), fmt(tls.native.cpu / plain.native.cpu, 2),
                     fmt(tls.python.cpu / plain.python.cpu, 2),
                     fmt(Double(count) / tls.kiel.seconds, 0), fmt(Double(count) / tls.native.seconds, 0),
                     fmt(Double(count) / tls.python.seconds, 0)])
    }

    func render() -> String {
        markdown(["case", "msg/s Kiel", "msg/s rdk", "msg/s (Python)", "CPU Kiel", "CPU rdk", "CPU (Python)",
                  "TLS msg/s Kiel", "TLS msg/s rdk", "TLS msg/s (Python)"], rows)
    }
}

/// Messages per second and CPU microseconds per message of one run of `count` messages.
func perMessage(_ r: Run, _ count: Int) -> (rate: Double, cpuMicros: Double) {
    (Double(count) / r.seconds, r.cpu / Double(count) * 1e6)
}

/// Per codec, produce and consume: both clients' msg/s and CPU per message, and the ratios.
struct CodecTable {
    private var rows: [[String]] = []
    /// (codec and direction, msg/s ratio, CPU per message ratio), Kiel ÷ librdkafka.
    private(set) var ratios: [(name: String, rate: Double, cpu: Double)] = []

    mutating func add(_ name: String, count: Int, kiel: Run, native: Run) {
        let k = perMessage(kiel, count), n = perMessage(native, count)
        ratios.append((name, k.rate / n.rate, k.cpuMicros / n.cpuMicros))
        rows.append([name, fmt(k.rate, 0), fmt(n.rate, 0), fmt(k.cpuMicros, 2), fmt(n.cpuMicros, 2),
                     fmt(k.rate / n.rate, 2), fmt(k.cpuMicros / n.cpuMicros, 2)])
    }

    func render() -> String {
        markdown(["codec", "Kiel msg/s", "librdkafka msg/s", "Kiel CPU µs/msg", "librdkafka CPU µs/msg",
                  "msg/s Kiel÷rdk", "CPU/msg Kiel÷rdk"], rows)
    }

    /// The codec cases furthest behind librdkafka, by throughput and by CPU per message.
    func slowest() -> String {
        guard let rate = ratios.min(by: { $0.rate < $1.rate }), let cpu = ratios.max(by: { $0.cpu < $1.cpu }) else { return "" }
        return "Slowest codec ratio: \(rate.name) at \(fmt(rate.rate, 2))× librdkafka's msg/s; "
            + "most CPU per message: \(cpu.name) at \(fmt(cpu.cpu, 2))× librdkafka's."
    }
}

/// How msg/s and CPU per message change with a parameter (partitions, group members).
struct GrowthTable {
    let parameter: String
    /// The heading of a last column of notes, if any.
    let notes: String?
    private var rows: [[String]] = []

    init(_ parameter: String, notes: String? = nil) {
        self.parameter = parameter
        self.notes = notes
    }

    mutating func add(_ value: Int, count: Int, kiel: Run, native: Run, note: String = "") {
        let k = perMessage(kiel, count), n = perMessage(native, count)
        rows.append([String(value), fmt(k.rate, 0), fmt(n.rate, 0), fmt(k.cpuMicros, 2), fmt(n.cpuMicros, 2),
                     fmt(k.rate / n.rate, 2), fmt(k.cpuMicros / n.cpuMicros, 2)] + (notes == nil ? [] : [note]))
    }

    func render() -> String {
        markdown([parameter, "Kiel msg/s", "librdkafka msg/s", "Kiel CPU µs/msg", "librdkafka CPU µs/msg",
                  "msg/s Kiel÷rdk", "CPU/msg Kiel÷rdk"] + (notes.map { [$0] } ?? []), rows)
    }
}
