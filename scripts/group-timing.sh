#!/usr/bin/env bash
# Rebalance times of broker-coordinated groups, Kiel beside confluent-kafka on the same Tansu
# broker (join, second join, leave), printed by KafkaGroupTimingTests. A measurement, not a
# test: scripts/test.sh leaves it out. Starts and stops the services like the test command.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
KIEL_MEASUREMENTS=1 exec scripts/test.sh --filter KafkaGroupTimingTests
