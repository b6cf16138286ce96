#!/usr/bin/env bash
# Stops and starts nodes of the test ZooKeeper ensemble, for failover tests.
#
#   zk-ctl.sh --run RUN_DIR stop N     kill node N (SIGKILL: a crash) and wait until it is gone
#   zk-ctl.sh --run RUN_DIR start N    start node N again; wait until it serves (if a quorum can form)
#   zk-ctl.sh --run RUN_DIR status     one line per node: N PORT running|stopped MODE
#
# Tests call it through $KIEL_TEST_ZK_CTL, which fills in --run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"

usage() { echo "usage: $0 --run RUN_DIR stop N | start N | status" >&2; exit 2; }

[[ "${1:-}" == "--run" && -n "${2:-}" ]] || usage
run="$2"
shift 2
[[ -d "$run/ens1" ]] || { echo "zk-ctl: no ensemble in $run" >&2; exit 1; }

node_dir() {
    [[ "${1:-}" =~ ^[123]$ ]] || usage
    printf '%s\n' "$run/ens$1"
}

running_count() {
    local n count=0
    for n in 1 2 3; do
        if pid_alive "$run/ens$n/pid" "$run"; then count=$((count + 1)); fi
    done
    printf '%s\n' "$count"
}

case "${1:-}" in
stop)
    dir="$(node_dir "${2:-}")"
    stop_pid "$dir/pid" "$run" KILL
    wait_until 10 port_closed "$(cat "$dir/port")"
    ;;
start)
    dir="$(node_dir "${2:-}")"
    port="$(cat "$dir/port")"
    if pid_alive "$dir/pid" "$run"; then
        echo "zk-ctl: node $2 is already running" >&2
    else
        start_zk "$dir"
    fi
    wait_until 60 zk_imok "$port" || { echo "zk-ctl: node $2 did not start" >&2; exit 1; }
    if (($(running_count) >= 2)); then
        wait_until 60 zk_serving "$port" || { echo "zk-ctl: node $2 did not join the quorum" >&2; exit 1; }
    fi
    ;;
status)
    for n in 1 2 3; do
        port="$(cat "$run/ens$n/port")"
        if pid_alive "$run/ens$n/pid" "$run"; then
            mode="$(zk_mode "$port")"
            echo "$n $port running ${mode:-not-serving}"
        else
            echo "$n $port stopped -"
        fi
    done
    ;;
*) usage ;;
esac
