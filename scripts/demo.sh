#!/usr/bin/env bash
# The first thing to run: installs what is missing, starts a Tansu broker and ZooKeeper on
# loopback, runs the demo examples against them, and stops everything again.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

run=""
cleanup() {
    if [[ -n "$run" ]]; then
        scripts/services.sh down "$run" || true
        run=""
    fi
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM HUP

# The demo examples, in the order they run: an executable product of Package.swift and its
# arguments, split on spaces. Each gets the services through the KIEL_TEST_* variables and a
# topic name in KIEL_DEMO_TOPIC; {broker}, {zk} and {topic} in the arguments are replaced by them.
DEMOS=(kiel-demo "getting-started {broker} {zk}" "epoll-host --seconds 2"
       "maker {broker} {topic} --count 20000 --batch_size 500 --status_interval 1"
       "counter {broker} {topic} --start beginning --count 20000 --status_interval 1"
       "embedded {broker} {topic} --seconds 20")

scripts/install.sh

env_lines="$(scripts/services.sh up --watch $$)"
eval "$env_lines"
run="$KIEL_SERVICES_RUN"

export KIEL_DEMO_TOPIC="kiel-demo"
"$KIEL_TEST_TANSU" topic create "$KIEL_DEMO_TOPIC" --partitions 3 --broker "tcp://$KIEL_TEST_BROKER" >/dev/null

echo "Services running:"
echo "  Kafka-compatible broker (Tansu)  $KIEL_TEST_BROKER   topic '$KIEL_DEMO_TOPIC', 3 partitions"
echo "  ZooKeeper                        $KIEL_TEST_ZK"
echo "  ZooKeeper ensemble (3 nodes)     $KIEL_TEST_ZK_ENSEMBLE"

ran=0
for entry in "${DEMOS[@]}"; do
    entry="${entry//\{broker\}/$KIEL_TEST_BROKER}"
    entry="${entry//\{zk\}/$KIEL_TEST_ZK}"
    entry="${entry//\{topic\}/$KIEL_DEMO_TOPIC}"
    read -ra demo <<<"$entry"
    if grep -q "name: \"${demo[0]}\"" Package.swift; then
        echo
        echo "== swift run ${demo[*]}"
        swift run "${demo[@]}"
        ran=$((ran + 1))
    fi
done
if [[ "$ran" -eq 0 ]]; then
    echo
    echo "No demo examples are built yet; the services above are what they will use."
fi
echo
echo "Stopping the services."
