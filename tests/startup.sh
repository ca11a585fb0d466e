#!/usr/bin/env bash
# Measures how long the desktop app takes from launch to its first window
# showing the deck (the page loaded), as the app logs it. Prints each run and
# the median.
# Usage: tests/startup.sh [BINARY] [RUNS]   (default: target/release/handsup, 5 runs)
# Without a display it starts one with xvfb-run.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/target/release/handsup}
runs=${2:-5}
if [ -z "${DISPLAY:-}" ]; then
  exec xvfb-run -a -s "-screen 0 1920x1080x24" bash "$0" "$bin" "$runs"
fi
export WEBKIT_DISABLE_COMPOSITING_MODE=1 WEBKIT_DISABLE_DMABUF_RENDERER=1 HANDSUP_LOG=info
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
times=()
for run in $(seq 1 "$runs"); do
  log="$work/run-$run.log"
  XDG_CONFIG_HOME="$work/config-$run" "$bin" --bind 127.0.0.1 --port 0 --data "$work/data-$run" >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 200); do
    grep -q "window ready in" "$log" && break
    sleep 0.1
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  ms=$(sed -n 's/.*window ready in \([0-9]*\) ms.*/\1/p' "$log" | head -n 1)
  [ -n "$ms" ] || { echo "run $run: no window within 20 s" >&2; cat "$log" >&2; exit 1; }
  echo "run $run: ${ms} ms"
  times+=("$ms")
done
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "median of $runs runs: ${median} ms from launch to the first window showing the deck"
