import Foundation

/// The run as an SVG chart: throughput and CPU per message of Kiel and librdkafka for each case
/// (produce and consume by message size), and their latency percentiles per message size.
/// Three panels of grouped bars, each on its own scale, every bar labelled with its value.
struct Chart {
    /// One group of bars: a label and a value per client (Kiel, librdkafka).
    struct Group {
        var label: String
        var kiel: Double
        var native: Double
    }

    private(set) var throughput: [Group] = []
    private(set) var cpu: [Group] = []
    private(set) var latency: [Group] = []
    /// A line under the title: the machine, the versions, the run's size.
    var note = ""

    mutating func add(_ name: String, count: Int, kiel: Run, native: Run) {
        throughput.append(Group(label: name, kiel: Double(count) / kiel.seconds / 1000, native: Double(count) / native.seconds / 1000))
        cpu.append(Group(label: name, kiel: kiel.cpu / Double(count) * 1e6, native: native.cpu / Double(count) * 1e6))
    }

    mutating func addLatency(_ size: String, kiel: [Double], native: [Double]) {
        for (name, p) in [("p50", 0.5), ("p90", 0.9), ("p99", 0.99)] {
            latency.append(Group(label: "\(size) \(name)", kiel: percentile(kiel, p), native: percentile(native, p)))
        }
    }

    static let kielColour = "#e4572e"
    static let nativeColour = "#4c72b0"

    func render() -> String {
        let width = 960, panelHeight = 250, top = 70
        let panels: [(String, [Group], Int)] = [
            ("Throughput, thousands of messages/s (higher is better)", throughput, 0),
            ("CPU per message, µs, user + system, every thread (lower is better)", cpu, 2),
            ("Produce-to-consume latency at 10,000 msg/s, ms (lower is better)", latency, 1),
        ]
        let height = top + panels.count * (panelHeight + 40) + 10
        var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" \
        font-family="Helvetica, Arial, sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="20" y="26" font-size="18" font-weight="bold">Kiel and librdkafka on one Tansu broker</text>
        <text x="20" y="46" fill="#555">\(escape(note))</text>
        <rect x="\(width - 230)" y="14" width="12" height="12" fill="\(Self.kielColour)"/>
        <text x="\(width - 212)" y="25">Kiel</text>
        <rect x="\(width - 160)" y="14" width="12" height="12" fill="\(Self.nativeColour)"/>
        <text x="\(width - 142)" y="25">librdkafka (C)</text>

        """
        for (i, panel) in panels.enumerated() {
            svg += self.panel(title: panel.0, groups: panel.1, digits: panel.2, x: 60, y: top + i * (panelHeight + 40),
                              width: width - 80, height: panelHeight)
        }
        return svg + "</svg>\n"
    }

    private func panel(title: String, groups: [Group], digits: Int, x: Int, y: Int, width: Int, height: Int) -> String {
        let plotTop = y + 24, plotHeight = height - 60
        let maxValue = groups.flatMap { [$0.kiel, $0.native] }.filter(\.isFinite).max() ?? 1
        let (step, ticks) = Self.niceTicks(maxValue)
        let scale = Double(plotHeight) / (step * Double(ticks))
        var out = "<text x=\"\(x - 40)\" y=\"\(y + 12)\" font-weight=\"bold\">\(escape(title))</text>\n"
        for t in 0...ticks {
            let v = step * Double(t), ty = plotTop + plotHeight - Int(v * scale)
            out += "<line x1=\"\(x)\" y1=\"\(ty)\" x2=\"\(x + width)\" y2=\"\(ty)\" stroke=\"#ddd\"/>\n"
            out += "<text x=\"\(x - 6)\" y=\"\(ty + 4)\" text-anchor=\"end\" fill=\"#555\">\(Self.label(v))</text>\n"
        }
        guard !groups.isEmpty else { return out }
        let slot = width / groups.count, bar = min(40, slot / 3)
        for (i, g) in groups.enumerated() {
            let cx = x + i * slot + slot / 2
            for (j, (value, colour)) in [(g.kiel, Self.kielColour), (g.native, Self.nativeColour)].enumerated() {
                let h = value.isFinite ? max(1, Int(value * scale)) : 0
                let bx = cx - bar - 2 + j * (bar + 4)
                out += "<rect x=\"\(bx)\" y=\"\(plotTop + plotHeight - h)\" width=\"\(bar)\" height=\"\(h)\" fill=\"\(colour)\"/>\n"
                out += "<text x=\"\(bx + bar / 2)\" y=\"\(plotTop + plotHeight - h - 4)\" text-anchor=\"middle\" font-size=\"11\">"
                    + "\(fmt(value, digits))</text>\n"
            }
            out += "<text x=\"\(cx)\" y=\"\(plotTop + plotHeight + 18)\" text-anchor=\"middle\">\(escape(g.label))</text>\n"
            if g.kiel.isFinite, g.native.isFinite, g.native > 0 {
                out += "<text x=\"\(cx)\" y=\"\(plotTop + plotHeight + 33)\" text-anchor=\"middle\" fill=\"#555\" font-size=\"11\">"
                    + "Kiel ÷ librdkafka \(fmt(g.kiel / g.native, 2))</text>\n"
            }
        }
        return out
    }

    /// A round step (1, 2 or 5 times a power of ten) and how many of them reach `maxValue`.
    static func niceTicks(_ maxValue: Double) -> (step: Double, ticks: Int) {
        guard maxValue > 0, maxValue.isFinite else { return (1, 1) }
        let rough = maxValue / 5
        let power = pow(10, floor(log10(rough)))
        let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= rough } ?? rough
        return (step, max(1, Int(ceil(maxValue / step))))
    }

    static func label(_ v: Double) -> String {
        v == v.rounded() ? String(Int(v)) : String(format: "%g", v)
    }

    private func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
