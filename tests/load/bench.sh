#!/usr/bin/env bash
# Runs the benchmarks behind docs/benchmarks.md: release builds, the named
# rooms beside the reference server (idle, votes spread, revisits, herd,
# 19,500 phones, a restart), the load generator at 100 to 10,000 phones
# (medians of 3 runs), a herd, a vote-rate sweep, every kind beside the
# reference server, audience Q&A and reactions at 10,000 phones, a quiz
# question with its per-phone reveal, and the hot-path micro-benchmarks.
# About an hour on 2 cores; run it on an otherwise idle machine.
# Usage: bench.sh [OUT_DIR]
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
out=${1:-target/bench}
mkdir -p "$out"
export PATH="$HOME/.cargo/bin:$PATH"

# The headless build: the same server as the desktop app, without the window.
cargo build --release --no-default-features --bin handsup
cargo build --release -p handsup-load --bin handsup-load --bin handsup-reference
load=target/release/handsup-load
server=target/release/handsup
# The yardstick: a bare axum fan-out server, driven the same way in the same run.
reference=target/release/handsup-reference

{
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
  echo "kernel: $(uname -r); open-file limit: $(ulimit -n)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
} > "$out/machine.txt"

echo "== the rooms, each on Handsup and then on the reference server: broadcast p99s and their ratio"
"$load" --server "$server" --reference "$reference" --scenarios idle,spread,revisit,herd,max,restart \
  --phones 10000 --max-phones 19500 --repeat 3 --json "$out/scenarios.json" | tee "$out/scenarios.md"

echo "== realistic: every phone votes once within 5 s of each of 8 questions, then a reconnect storm"
"$load" --server "$server" --phones 100,1000,5000,10000 --rounds 8 --shape spread --storm --repeat 3 \
  --json "$out/spread.json" --plot "$out/latency.svg" | tee "$out/spread.md"

echo "== herd: every phone votes the moment the question arrives"
"$load" --server "$server" --phones 1000,10000 --rounds 8 --shape herd --repeat 3 \
  --json "$out/herd.json" | tee "$out/herd.md"

echo "== steady vote rates, 10,000 phones"
"$load" --server "$server" --phones 10000 --rounds 0 --sweep 5000,10000,20000,30000,40000 --repeat 3 \
  --json "$out/sweep.json" | tee "$out/sweep.md"

echo "== every kind: 10,000 phones answer within 5 s of each question, beside the reference server"
for kind in single scale ranking wordcloud; do
  "$load" --server "$server" --reference "$reference" --kind "$kind" --phones 10000 --rounds 4 --shape spread --repeat 3 \
    --json "$out/kind-$kind.json" | tee "$out/kind-$kind.md"
done

echo "== audience Q&A: 2,000 questions and 30,000 upvotes from 10,000 phones"
"$load" --server "$server" --phones 10000 --qa 2000 | tee "$out/qa.json"

echo "== a quiz question: 10,000 phones answer within 20 s, then each gets its own result, beside the reference"
for run in 1 2 3; do
  "$load" --server "$server" --reference "$reference" --phones 10000 --quiz 20 | tee "$out/quiz-$run.json"
done

echo "== reactions: 10,000 phones, one a second each, for 20 s"
"$load" --server "$server" --phones 10000 --reactions 20 | tee "$out/reactions.json"

echo "== hot paths"
cargo bench -p handsup-load --bench hot_paths | tee "$out/micro.txt"

echo "Results in $out/"
