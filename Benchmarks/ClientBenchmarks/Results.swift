import Foundation

/// Everything one run measured, written as JSON (`--json PATH`) for scripts/bench_chart.py,
/// which draws Benchmarks/results.svg from it.
struct Results {
    private var root: [String: Any] = [:]

    private static func pair(_ r: Run) -> [Double] { [r.seconds, r.cpu].map { $0.isFinite ? $0 : -1 } }

    mutating func set(_ key: String, _ value: Any) { root[key] = value }

    mutating func append(_ key: String, _ entry: [String: Any]) {
        root[key] = (root[key] as? [[String: Any]] ?? []) + [entry]
    }

    /// One throughput case: `[seconds, cpu seconds]` for each client.
    mutating func throughput(_ kind: String, size: Int, count: Int, kiel: Run, native: Run) {
        append("throughput", ["case": kind, "size": size, "count": count, "kiel": Self.pair(kiel),
                              "librdkafka": Self.pair(native)])
    }

    mutating func latency(size: Int, kiel: [Double], native: [Double]) {
        func cut(_ s: [Double]) -> [String: Double] {
            ["p50": percentile(s, 0.5), "p90": percentile(s, 0.9), "p99": percentile(s, 0.99),
             "p99.9": percentile(s, 0.999)].mapValues { $0.isFinite ? $0 : -1 }
        }
        append("latency", ["size": size, "kiel": cut(kiel), "librdkafka": cut(native)])
    }

    mutating func codec(_ codec: String, kind: String, size: Int, count: Int, kiel: Run, native: Run) {
        append("codecs", ["codec": codec, "case": kind, "size": size, "count": count, "kiel": Self.pair(kiel),
                          "librdkafka": Self.pair(native)])
    }

    mutating func growth(_ kind: String, value: Int, size: Int, count: Int, kiel: Run, native: Run,
                         settle: (kiel: Double, native: Double)? = nil) {
        var entry: [String: Any] = ["case": kind, "value": value, "size": size, "count": count,
                                    "kiel": Self.pair(kiel), "librdkafka": Self.pair(native)]
        if let settle { entry["settle"] = [settle.kiel, settle.native] }
        append("growth", entry)
    }

    func write(to path: String) throws {
        let data = try JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: URL(fileURLWithPath: path))
    }
}
