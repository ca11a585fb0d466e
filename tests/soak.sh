#!/usr/bin/env bash
# Longer runs of the reliability tests than CI affords: the kill -9 crash test
# with many more rounds, and the fault-injection test several times over.
# Usage: tests/soak.sh [CRASH_ROUNDS] [FAULT_RUNS]   (defaults 300 and 10)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
rounds=${1:-300}
runs=${2:-10}
seed=${HANDSUP_CRASH_SEED:-$(date +%s)}
echo "crash test: $rounds rounds, HANDSUP_CRASH_SEED=$seed"
HANDSUP_CRASH_ITERATIONS=$rounds HANDSUP_CRASH_SEED=$seed cargo test --test crash -- --nocapture
for run in $(seq "$runs"); do
  echo "fault injection: run $run of $runs"
  cargo test --test faults --quiet
done
