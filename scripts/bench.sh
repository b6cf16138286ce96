#!/usr/bin/env bash
# The client benchmark: installs what is missing, starts a broker on loopback (and a second
# one behind stunnel for the TLS cost), builds in release mode, and runs
# Benchmarks/ClientBenchmarks (Kiel and confluent-kafka side by side against the same
# brokers, printing the ratios). Stops the services on exit.
# Extra arguments go to the benchmark (`--quick` for a short run).
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

env_lines="$(scripts/services.sh up --watch $$)"
eval "$env_lines"
run="$KIEL_SERVICES_RUN"
eval "$(scripts/tls-broker.sh up $$)"
tls_run="$KIEL_BENCH_TLS_RUN"

"$(swift build -c release --show-bin-path)/client-benchmarks" "$@"
