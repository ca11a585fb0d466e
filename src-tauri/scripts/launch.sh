#!/usr/bin/env bash
# Builds Handsup and opens it on the built-in demo deck (or the deck given).
# Usage: launch.sh [DECK.md] [options]   (options as for `handsup --help`)
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
bash "$root/src-tauri/scripts/install-deps.sh" app
export PATH="$HOME/.cargo/bin:$PATH"
cd "$root"
# A debug build shares its compiled dependencies with the test suite.
cargo build --bin handsup
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo "No display here: running headless instead (open the presenter URL in a browser on this machine)." >&2
  exec "$root/target/debug/handsup" serve "$@"
fi
exec "$root/target/debug/handsup" "$@"
