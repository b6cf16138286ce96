#!/usr/bin/env bash
# The client benchmark: installs what is missing, starts a broker on loopback (and a second
# one behind stunnel for the TLS cost), builds in release mode, builds the native librdkafka
# harness (Benchmarks/rdkafka_bench.c), and runs Benchmarks/ClientBenchmarks (Kiel, librdkafka
# from C and confluent-kafka from Python side by side against the same brokers, printing the
# ratios), then draws Benchmarks/results.svg from the numbers (Benchmarks/results.json) with
# scripts/bench_chart.py. Stops the services on exit.
# Extra arguments go to the benchmark: `--quick` for a short run, `--growth` to add produce by
# partition count and consume by group size, `--only=codecs` or `--only=growth` for one part
# alone (its numbers and chart then go to .build/, not Benchmarks/).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

run=""
tls_run=""
cleanup() {
    if [[ -n "$run" ]]; then
        scripts/services.sh down "$run" || true
        run=""
    fi
    if [[ -n "$tls_run" ]]; then
        scripts/tls-broker.sh down "$tls_run" || true
        tls_run=""
    fi
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM HUP

scripts/install.sh
swift build -c release --product client-benchmarks

# Debian's librdkafka (2.0.2) fails its ApiVersions handshake with Tansu, so the harness takes
# only its headers and links the newer librdkafka bundled in the confluent-kafka wheel, found by
# its path and loaded through an rpath.
rdkafka_lib="$(find "$ROOT/.deps/venv/lib" -path '*/confluent_kafka.libs/librdkafka-*.so.1' | head -n 1)"
if [[ -z "$rdkafka_lib" ]]; then
    echo "bench: confluent-kafka's bundled librdkafka was not found under .deps/venv" >&2
    exit 1
fi
mkdir -p "$ROOT/.build"
cc -O2 -Wall -Wextra -Werror -pthread -o "$ROOT/.build/rdkafka-bench" Benchmarks/rdkafka_bench.c \
    "$rdkafka_lib" -Wl,-rpath,"$(dirname "$rdkafka_lib")"
export KIEL_BENCH_RDKAFKA="$ROOT/.build/rdkafka-bench"

env_lines="$(scripts/services.sh up --watch $$)"
eval "$env_lines"
run="$KIEL_SERVICES_RUN"
eval "$(scripts/tls-broker.sh up $$)"
tls_run="$KIEL_BENCH_TLS_RUN"

out="$ROOT/Benchmarks"
for arg in "$@"; do
    [[ "$arg" == --only=* ]] && out="$ROOT/.build"
done
"$(swift build -c release --show-bin-path)/client-benchmarks" "$@" --json "$out/results.json"
python3 scripts/bench_chart.py "$out/results.json" "$out/results.svg"
echo "bench: wrote $out/results.json and $out/results.svg"
