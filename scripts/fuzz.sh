#!/usr/bin/env bash
# Long runs of the structure-aware fuzzers (MessageFuzzTests, RecordFuzzTests, JuteFuzzTests):
# builds the tests in release mode, runs them with a random seed (or the one given) and many
# times the CI corpus, and prints the seed and each run's cases per second. No services needed.
#
#   scripts/fuzz.sh                                  # random seed, 50 times the CI cases
#   scripts/fuzz.sh --seed 0x1f2e --scale 500        # a given seed, longer
#   scripts/fuzz.sh --filter RecordFuzzTests         # one fuzzer
#
# A failure names the seed and the case; run that one case again alone (any build):
#   KIEL_FUZZ_SEED=0x1f2e KIEL_FUZZ_CASE=4242 swift test --filter RecordFuzzTests
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

seed=""
scale=50
filter="MessageFuzzTests|RecordFuzzTests|JuteFuzzTests"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --seed) seed="$2"; shift 2 ;;
        --scale) scale="$2"; shift 2 ;;
        --filter) filter="$2"; shift 2 ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) echo "fuzz: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
if [[ -z "$seed" ]]; then
    seed="0x$(od -An -N8 -tx8 /dev/urandom | tr -d ' \n')"
fi

# @testable imports need testability, which release builds leave out unless asked.
swift build -c release --build-tests -Xswiftc -enable-testing

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
echo "fuzz: seed $seed, scale $scale, filter $filter" >&2
status=0
KIEL_FUZZ_SEED="$seed" KIEL_FUZZ_SCALE="$scale" \
    swift test -c release --skip-build --disable-swift-testing --filter "$filter" 2>&1 | tee "$log" || status=$?

echo
echo "fuzz: seed $seed (rerun: KIEL_FUZZ_SEED=$seed; one case: add KIEL_FUZZ_CASE=<index>)"
grep -E '^fuzz: .*cases/s' "$log" || true
grep -E 'error:|fuzz: .* (crashed|hung|aborted)' "$log" || true
exit "$status"
