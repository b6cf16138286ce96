#!/usr/bin/env bash
# The long fault run: the headline fault test (keyed values produced and read back through the
# seeded fault proxy, Kiel beside confluent-kafka) over many seeds, against fresh services.
# The test suite runs one fixed seed; this runs RUNS more (default 10), COUNT values each
# (default 300000). A failing seed is printed; rerun it alone with
#   KIEL_FAULT_SEED=SEED scripts/test.sh --filter FaultHeadlineTests
#
#   scripts/faults.sh [RUNS] [COUNT]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
runs="${1:-10}"
count="${2:-300000}"

scripts/install.sh
env_lines="$(scripts/services.sh up --watch $$)"
eval "$env_lines"
trap 'scripts/services.sh down "$KIEL_SERVICES_RUN"' EXIT

swift build --build-tests
failed=()
for i in $(seq 1 "$runs"); do
    seed="faults-$(date +%s)-$i"
    echo "faults: run $i of $runs, seed $seed" >&2
    if ! KIEL_FAULT_SEED="$seed" KIEL_FAULT_COUNT="$count" \
        swift test --skip-build --disable-swift-testing --filter FaultHeadlineTests 2>&1 |
        grep -v '^faultproxy: ' | grep -E 'fault headline|^  |error|Executed'; then
        failed+=("$seed")
    fi
done
if ((${#failed[@]})); then
    echo "faults: failed seeds: ${failed[*]}" >&2
    exit 1
fi
echo "faults: $runs runs passed" >&2
