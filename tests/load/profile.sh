#!/usr/bin/env bash
# Profiles the server while the load generator runs one room at 10,000 phones:
# a call-graph profile (perf record, on a build with frame pointers) and the
# system calls that carry the cost (perf stat: socket writes, page reads and
# writes, fsyncs), for Handsup and for the reference server in turn.
# Needs Linux perf (Debian: linux-perf) and permission to trace (root, or
# kernel.perf_event_paranoid <= 1). Usage: profile.sh [ROOM] [OUT_DIR]
# (ROOM: idle, spread, revisit, herd; default revisit; PHONES=N for another size).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
room=${1:-revisit}
out=${2:-target/profile}
mkdir -p "$out"
export PATH="$HOME/.cargo/bin:$PATH"

# Frame pointers and line tables, in a target directory of their own so the
# usual release build stays as it is.
CARGO_TARGET_DIR=target/profiling RUSTFLAGS="-C force-frame-pointers=yes" CARGO_PROFILE_RELEASE_DEBUG=line-tables-only \
  cargo build --release --no-default-features --bin handsup
cargo build --release -p handsup-load --bin handsup-load --bin handsup-reference
load=target/release/handsup-load
phones=${PHONES:-10000}

# Runs the room against $1, attaching `perf $2...` to the server once it is up.
attach() {
  local server=$1 name=$2; shift 2
  "$load" --server "$server" --scenarios "$room" --phones "$phones" >"$out/$name.log" 2>&1 &
  local generator=$! pid=""
  for _ in $(seq 200); do
    pid=$(pgrep -f "^$server serve" | head -1 || true)
    [ -n "$pid" ] && break
    sleep 0.05
  done
  [ -n "$pid" ] || { echo "the server did not start"; exit 1; }
  # perf follows only the threads there when it attaches (and their children):
  # wait for the database writer's thread, or its writes go uncounted.
  for _ in $(seq 200); do
    grep -qs writer /proc/"$pid"/task/*/comm && break
    sleep 0.05
  done
  perf "$@" -p "$pid" &
  local perf=$!
  wait "$generator" || true
  wait "$perf" || true
}

# (The reference sends no own answers; in the revisit room its log counts that as a problem.)
counters=syscalls:sys_enter_sendto,syscalls:sys_enter_pwrite64,syscalls:sys_enter_pread64,syscalls:sys_enter_fsync,context-switches,task-clock
for server in target/release/handsup target/release/handsup-reference; do
  name=$(basename "$server")
  attach "$server" "$name-stat" stat -e "$counters" -o "$out/$name-stat.txt"
  echo "== $name, $room room, $phones phones"; grep -E "sys_enter|context|task-clock" "$out/$name-stat.txt"
done

attach target/profiling/release/handsup handsup-record record -F 499 -g -o "$out/handsup.perf.data"
# (head closes the pipe early: not a failure.)
perf report -i "$out/handsup.perf.data" --children --sort comm,symbol --stdio -g none 2>/dev/null \
  | grep -v -e '^#' -e '^$' | cut -c1-160 | head -60 > "$out/handsup-report.txt" || true
echo "== where Handsup's samples are (with children): $out/handsup-report.txt"
head -30 "$out/handsup-report.txt"
