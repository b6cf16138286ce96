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

/// Each codec's produce and consume, Kiel ÷ librdkafka (Kiel's codecs are Swift, librdkafka's
/// the C libraries), with both clients' CPU seconds.
struct CodecTable {
    private var rows: [[String]] = []

    mutating func add(_ codec: String, count: Int, produce: (kiel: Run, native: Run), consume: (kiel: Run, native: Run)) {
        let n = Double(count)
        rows.append([codec,
                     fmt(n / produce.kiel.seconds, 0), fmt(n / produce.native.seconds, 0),
                     fmt(produce.native.seconds / produce.kiel.seconds, 2), fmt(produce.kiel.cpu / produce.native.cpu, 2),
                     fmt(n / consume.kiel.seconds, 0), fmt(n / consume.native.seconds, 0),
                     fmt(consume.native.seconds / consume.kiel.seconds, 2), fmt(consume.kiel.cpu / consume.native.cpu, 2),
                     "\(fmt(produce.kiel.cpu, 3)) / \(fmt(produce.native.cpu, 3))",
                     "\(fmt(consume.kiel.cpu, 3)) / \(fmt(consume.native.cpu, 3))"])
    }

    func render() -> String {
        markdown(["codec", "produce Kiel msg/s", "produce rdk msg/s", "produce msg/s Kiel÷rdk", "produce CPU Kiel÷rdk",
                  "consume Kiel msg/s", "consume rdk msg/s", "consume msg/s Kiel÷rdk", "consume CPU Kiel÷rdk",
                  "produce CPU s Kiel / rdk", "consume CPU s Kiel / rdk"], rows)
    }
}
