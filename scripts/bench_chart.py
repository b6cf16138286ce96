#!/usr/bin/env python3
"""Draws the client benchmark's results as one SVG, with nothing but the standard library.

    scripts/bench_chart.py RESULTS.json OUT.svg

RESULTS.json is what `client-benchmarks --json PATH` wrote (scripts/bench.sh does both). Panels:
msg/s and CPU per message of both clients by case and message size, latency percentiles, the
codec ratios, and, when the run had `--growth`, produce by partition count and consume by group
size. The machine is described in the subtitle from /proc and `swift --version`.
"""
import json
import os
import platform
import subprocess
import sys
from xml.sax.saxutils import escape

KIEL, RDK = "#e8543a", "#3d6fb4"
CLIENTS = (("kiel", "Kiel", KIEL), ("librdkafka", "librdkafka (C)", RDK))
PANEL_W, PANEL_H = 470, 290
FONT = "font-family='Helvetica, Arial, sans-serif'"


def text(x, y, s, size=11, anchor="start", weight="normal", color="#222"):
    return (f"<text x='{x:.1f}' y='{y:.1f}' {FONT} font-size='{size}' text-anchor='{anchor}' "
            f"font-weight='{weight}' fill='{color}'>{escape(str(s))}</text>")


def short(v):
    """A number in three or four characters: 1.2M, 850k, 3.4, 0.51."""
    if v >= 1e6:
        return f"{v / 1e6:.1f}M"
    if v >= 1e4:
        return f"{v / 1e3:.0f}k"
    if v >= 1e3:
        return f"{v / 1e3:.1f}k"
    if v >= 10:
        return f"{v:.0f}"
    return f"{v:.2f}" if v < 1 else f"{v:.1f}"


def nice_max(v):
    """The smallest 1, 2 or 5 times a power of ten that is at least v."""
    if v <= 0:
        return 1.0
    scale = 10 ** len(str(int(v))) / 10 if v >= 1 else 1.0
    while scale > v:
        scale /= 10
    for step in (1, 2, 5, 10):
        if step * scale >= v:
            return step * scale
    return 10 * scale


def bars(x, y, title, unit, groups, series, reference=None):
    """A panel of grouped bars: `groups` labels the x axis, `series` is [(name, color, values)].
    A value of None or below zero (not measured) leaves its bar out. `reference` draws a dashed
    line at that value (1 for ratios)."""
    out = [f"<g transform='translate({x},{y})'>",
           f"<rect width='{PANEL_W}' height='{PANEL_H}' fill='white' stroke='#ddd'/>",
           text(12, 20, title, 13, weight="bold"), text(12, 36, unit, 10, color="#666")]
    left, top, right, bottom = 48, 50, PANEL_W - 12, PANEL_H - 44
    values = [v for _, _, vs in series for v in vs if v is not None and v >= 0]
    top_value = nice_max(max(values + [reference or 0]) * 1.08)
    height = bottom - top

    def at(v):
        return bottom - height * v / top_value

    lead = f"{top_value:e}"[0]   # 1, 2 or 5: ticks in fifths, quarters or fifths
    ticks = 4 if lead == "2" else 5
    for i in range(ticks + 1):
        v = top_value * i / ticks
        out.append(f"<line x1='{left}' x2='{right}' y1='{at(v):.1f}' y2='{at(v):.1f}' stroke='#eee'/>")
        out.append(text(left - 5, at(v) + 3, short(v) if v else "0", 9, "end", color="#666"))
    slot = (right - left) / max(1, len(groups))
    width = min(28, slot * 0.8 / max(1, len(series)))
    for g, label in enumerate(groups):
        cx = left + slot * (g + 0.5)
        for s, (_, color, vs) in enumerate(series):
            v = vs[g]
            if v is None or v < 0:
                continue
            bx = cx + (s - len(series) / 2) * width
            out.append(f"<rect x='{bx:.1f}' y='{at(v):.1f}' width='{width - 2:.1f}' "
                       f"height='{bottom - at(v):.1f}' fill='{color}'/>")
            out.append(text(bx + (width - 2) / 2, at(v) - 3, short(v), 8, "middle", color="#444"))
        for k, part in enumerate(str(label).split("\n")):
            out.append(text(cx, bottom + 14 + 11 * k, part, 10, "middle"))
    if reference is not None:
        out.append(f"<line x1='{left}' x2='{right}' y1='{at(reference):.1f}' y2='{at(reference):.1f}' "
                   "stroke='#555' stroke-dasharray='4 3'/>")
    out.append(f"<line x1='{left}' x2='{right}' y1='{bottom}' y2='{bottom}' stroke='#999'/>")
    lx = PANEL_W - 12
    for name, color, _ in reversed(series):
        lx -= 6 * len(name) + 24
        out.append(f"<rect x='{lx}' y='27' width='10' height='10' fill='{color}'/>")
        out.append(text(lx + 14, 36, name, 10))
    out.append("</g>")
    return "\n".join(out)


def rate(pair, count):
    return count / pair[0] if pair[0] > 0 else None


def cpu_us(pair, count):
    return pair[1] / count * 1e6 if pair[1] >= 0 else None


def machine():
    model, memory = platform.processor() or platform.machine(), ""
    try:
        with open("/proc/cpuinfo") as f:
            model = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
        with open("/proc/meminfo") as f:
            kb = int(next(l.split()[1] for l in f if l.startswith("MemTotal")))
            memory = f", {kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    try:
        swift = subprocess.run(["swift", "--version"], capture_output=True, text=True).stdout
        swift = swift.splitlines()[0].split("(")[0].strip() if swift else "Swift ?"
    except OSError:
        swift = "Swift ?"
    return f"{os.cpu_count()} cores, {model}{memory}, Linux {platform.release()}, {swift}"


def chart(results):
    panels = []
    cases = results.get("throughput", [])
    if cases:
        groups = [f"{c['case']}\n{c['size']} B" for c in cases]
        panels.append(bars(0, 0, "Throughput", "messages per second (higher is better)", groups,
                           [(n, col, [rate(c[k], c["count"]) for c in cases]) for k, n, col in CLIENTS]))
        panels.append(bars(0, 0, "CPU per message", "µs, user + system, all threads (lower is better)",
                           groups, [(n, col, [cpu_us(c[k], c["count"]) for c in cases]) for k, n, col in CLIENTS]))
    latency = results.get("latency", [])
    if latency:
        cuts = ("p50", "p90", "p99", "p99.9")
        groups = [f"{c}\n{l['size']} B" for l in latency for c in cuts]
        panels.append(bars(0, 0, "Produce-to-consume latency at 10,000 msg/s", "milliseconds (lower is better)",
                           groups, [(n, col, [l[k][c] for l in latency for c in cuts]) for k, n, col in CLIENTS]))
    codecs = results.get("codecs", [])
    if codecs:
        groups = [f"{c['case']}\n{c['codec']}" for c in codecs]

        def ratio(c, f):
            k, r = f(c["kiel"], c["count"]), f(c["librdkafka"], c["count"])
            return k / r if k and r else None
        panels.append(bars(0, 0, f"Codecs, Kiel ÷ librdkafka ({codecs[0]['size']} B text)",
                           "msg/s above 1 and CPU per message below 1 favour Kiel", groups,
                           [("msg/s", KIEL, [ratio(c, rate) for c in codecs]),
                            ("CPU/msg", "#888", [ratio(c, cpu_us) for c in codecs])], reference=1))
    growth = results.get("growth", [])
    for kind, label, title in (("produce", "{} part.", "Produce by partitions"),
                               ("group", "{}", "Consume by group members")):
        rows = [g for g in growth if g["case"] == kind]
        if not rows:
            continue
        groups = [label.format(g["value"]) for g in rows]
        size, count = rows[0]["size"], rows[0]["count"]
        panels.append(bars(0, 0, f"{title}, {count:,} × {size} B", "messages per second", groups,
                           [(n, col, [rate(g[k], g["count"]) for g in rows]) for k, n, col in CLIENTS]))
        panels.append(bars(0, 0, f"{title}: CPU per message", "microseconds (lower is better)", groups,
                           [(n, col, [cpu_us(g[k], g["count"]) for g in rows]) for k, n, col in CLIENTS]))

    columns, gap, head = 2, 16, 64
    rows = (len(panels) + columns - 1) // columns
    width = columns * PANEL_W + (columns + 1) * gap
    height = head + rows * (PANEL_H + gap)
    run = "quick run (--quick)" if results.get("quick") else "full run"
    load = results.get("load", "")
    subtitle = f"{machine()}; {run}; librdkafka {results.get('librdkafka', '?')}"
    out = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
           f"viewBox='0 0 {width} {height}'>",
           f"<rect width='{width}' height='{height}' fill='#f7f7f7'/>",
           text(gap, 26, "Kiel for Swift against librdkafka, one broker (Tansu) on loopback", 16, weight="bold"),
           text(gap, 44, subtitle, 10, color="#555")]
    if load:
        out.append(text(gap, 57, f"load average {load} (a machine shared with other work)", 10, color="#555"))
    for i, panel in enumerate(panels):
        px, py = gap + (i % columns) * (PANEL_W + gap), head + (i // columns) * (PANEL_H + gap)
        out.append(panel.replace("translate(0,0)", f"translate({px},{py})", 1))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: bench_chart.py RESULTS.json OUT.svg")
    with open(sys.argv[1]) as f:
        results = json.load(f)
    with open(sys.argv[2], "w") as f:
        f.write(chart(results))


if __name__ == "__main__":
    main()
