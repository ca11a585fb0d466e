#!/usr/bin/env bash
# Ten minutes of continuous voting, sampling the database's WAL file every
# second: the WAL must stay under the documented bound (32 MiB plus one batch).
# 5,000 phones at 1,000 votes/s: 120 questions of 5 s each, one vote per phone
# per question, so every second brings 1,000 new rows.
# Usage: wal.sh [OUT_DIR] (builds the release binaries first).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
out=${1:-target/bench}
mkdir -p "$out"
export PATH="$HOME/.cargo/bin:$PATH"
cargo build --release --no-default-features --bin handsup
cargo build --release -p handsup-load --bin handsup-load

phones=5000
steps=$(printf '1000,%.0s' $(seq 120))
target/release/handsup-load --server target/release/handsup --phones "$phones" --rounds 0 \
  --sweep "${steps%,}" --json "$out/wal-run.json" > "$out/wal-run.md" &
load=$!
# The generator keeps each run's files in a folder named after its process and size.
wal="${TMPDIR:-/tmp}/handsup-load-$load-$phones/data/handsup.sqlite3-wal"
: > "$out/wal-samples.txt"
while kill -0 "$load" 2>/dev/null; do
  if [ -f "$wal" ]; then stat -c %s "$wal" >> "$out/wal-samples.txt" 2>/dev/null || true; fi
  sleep 1
done
wait "$load"
sort -n "$out/wal-samples.txt" | awk '
  { v[NR] = $1 }
  END {
    if (NR == 0) { print "no WAL samples"; exit 1 }
    printf "WAL over %d one-second samples: median %.1f MiB, p99 %.1f MiB, max %.1f MiB\n",
      NR, v[int((NR + 1) / 2)] / 1048576, v[int(NR * 0.99) > 0 ? int(NR * 0.99) : 1] / 1048576, v[NR] / 1048576
  }' | tee "$out/wal.md"
grep -E "rows|errors" "$out/wal-run.md" | head -5 || true
