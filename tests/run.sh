#!/usr/bin/env bash
# Runs every Handsup test: formatting and lints, unit and integration tests
# (real SQLite, real sockets), the pages in headless Chromium, and the desktop
# window under Xvfb. Installs whatever is missing first.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash src-tauri/scripts/install-deps.sh test
export PATH="$HOME/.cargo/bin:$PATH"

step() { printf '\n== %s\n' "$*"; }

step "format and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "unit and integration tests"
cargo build --bin handsup
cargo test --workspace

step "pages in headless Chromium"
(cd tests/e2e && node --test --test-concurrency=1 kinds.test.mjs browser.test.mjs xss.test.mjs words.test.mjs editor.test.mjs resilience.test.mjs quiz.test.mjs images.test.mjs pdf.test.mjs report.test.mjs sessions.test.mjs network.test.mjs remote.test.mjs a11y.test.mjs languages.test.mjs phone-a11y.test.mjs desktop-languages.test.mjs)

step "desktop app under Xvfb"
# A session bus for single-instance; a screen wide enough for both windows side by side.
(cd tests/e2e && dbus-run-session -- xvfb-run -a -s "-screen 0 3840x1080x24" \
  node --test --test-concurrency=1 desktop.test.mjs)

printf '\nAll tests passed. Screenshots: %s\n' "target/test-screenshots/"
