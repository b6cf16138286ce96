# Shared functions for services.sh and zk-ctl.sh (sourced, not run).
# shellcheck shell=bash

ZK_SERVER=/usr/share/zookeeper/bin/zkServer.sh

# Small heap, quick JIT: four JVMs share a busy two-core machine with the build.
ZK_JVMFLAGS="-Xms16m -Xmx192m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.net.preferIPv4Stack=true"

say() { printf 'services: %s\n' "$*" >&2; }

# Prints N distinct free loopback ports, one per line. They are drawn below the kernel's
# ephemeral range so an outgoing connection can't take the port of a node that a test has
# stopped and will start again; all are held bound at once so they are distinct.
free_ports() {
    python3 - "$1" <<'PY'
import random, socket, sys
count = int(sys.argv[1])
try:
    low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
except OSError:
    low = 32768
low = low if low > 12000 else 32768
held, ports = [], []
for _ in range(count * 50):
    if len(ports) == count:
        break
    port = random.randrange(10000, low)
    if port in ports:
        continue
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        s.close()
        continue
    held.append(s)
    ports.append(port)
while len(ports) < count:   # fall back to kernel-chosen ports
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    held.append(s)
    ports.append(s.getsockname()[1])
print("\n".join(map(str, ports)))
PY
}

# port_open PORT: true when something accepts on 127.0.0.1:PORT.
port_open() {
    # shellcheck disable=SC2016  # $1 expands in the inner shell
    timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
}

port_closed() { ! port_open "$1"; }

# four_letter PORT WORD: prints ZooKeeper's answer to a four-letter command (empty if none).
four_letter() {
    # shellcheck disable=SC2016  # $1 and $2 expand in the inner shell
    timeout 3 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && printf %s "$2" >&3 && cat <&3' _ "$1" "$2" 2>/dev/null || true
}

# zk_mode PORT: leader, follower, standalone, or nothing while the server is not serving.
zk_mode() {
    four_letter "$1" srvr | sed -n 's/^Mode: //p'
}

# pid_alive PIDFILE MARKER: true when the recorded process runs and its command line holds
# MARKER (so a recycled pid is never signalled).
pid_alive() {
    local pidfile="$1" marker="$2" pid
    [[ -f "$pidfile" ]] || return 1
    pid="$(cat "$pidfile")"
    [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$marker"
}

# stop_pid PIDFILE MARKER [SIGNAL]: signals the process, waits for it to go (KILL after 10 s).
stop_pid() {
    local pidfile="$1" marker="$2" signal="${3:-TERM}" pid i
    if pid_alive "$pidfile" "$marker"; then
        pid="$(cat "$pidfile")"
        kill "-$signal" "$pid" 2>/dev/null || true
        for ((i = 0; i < 100; i++)); do
            pid_alive "$pidfile" "$marker" || break
            sleep 0.1
        done
        if pid_alive "$pidfile" "$marker"; then
            kill -KILL "$pid" 2>/dev/null || true
            for ((i = 0; i < 50; i++)); do
                pid_alive "$pidfile" "$marker" || break
                sleep 0.1
            done
        fi
    fi
    rm -f "$pidfile"
}

# start_zk DIR: starts the server configured in DIR/zoo.cfg in the background; pid in DIR/pid.
# Debian's zkEnv.sh overrides ZOO_LOG_DIR from the environment, so the log dir is given again
# in JVMFLAGS (which comes later on the java command line and wins); its zookeeper.jar has no
# logging binding, so the server's own output is what lands in DIR/out.log.
start_zk() {
    local dir="$1"
    JMXDISABLE=true \
        SERVER_JVMFLAGS="$ZK_JVMFLAGS" \
        JVMFLAGS="-Dzookeeper.log.dir=$dir" \
        ZOOPIDFILE="$dir/zkServer.pid" \
        "$ZK_SERVER" start-foreground "$dir/zoo.cfg" </dev/null >>"$dir/out.log" 2>&1 &
    echo $! >"$dir/pid"
}

# wait_until SECONDS COMMAND...: retries COMMAND every 0.1 s until it succeeds or time is up.
wait_until() {
    local seconds="$1" end
    shift
    end=$((SECONDS + seconds))
    until "$@"; do
        if ((SECONDS >= end)); then
            return 1
        fi
        sleep 0.1
    done
}

zk_imok() { [[ "$(four_letter "$1" ruok)" == "imok" ]]; }

zk_serving() {
    local mode
    mode="$(zk_mode "$1")"
    [[ "$mode" == "leader" || "$mode" == "follower" || "$mode" == "standalone" ]]
}
