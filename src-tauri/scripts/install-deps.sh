#!/usr/bin/env bash
# Installs what building (and, with `test`, testing) Handsup needs on Debian or
# Ubuntu, skipping whatever is already there. Usage: install-deps.sh [app|test]
set -euo pipefail

purpose=${1:-app}
root=$(cd "$(dirname "$0")/../.." && pwd)

packages=(pkg-config build-essential curl libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libsoup-3.0-dev libssl-dev)
if [ "$purpose" = test ]; then
  packages+=(chromium xvfb xauth x11-utils webkit2gtk-driver imagemagick python3 dbus procps)
  command -v node >/dev/null 2>&1 || packages+=(nodejs)
  command -v npm >/dev/null 2>&1 || packages+=(npm)
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing system packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

export PATH="$HOME/.cargo/bin:$PATH"
if ! command -v cargo >/dev/null 2>&1; then
  # Distribution packages of Rust are too old for Tauri 2; rustup installs a current one.
  echo "Installing Rust with rustup"
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --component clippy,rustfmt
fi
# The PDF renderer needs Rust 1.92 or newer: an older rustup toolchain is updated.
rust_minor=$(rustc --version | sed -E 's/^rustc 1\.([0-9]+).*/\1/')
if [ "${rust_minor:-0}" -lt 92 ] && command -v rustup >/dev/null 2>&1; then
  echo "Updating Rust (1.92 or newer is needed)"
  rustup update stable --no-self-update
fi

if [ "$purpose" = test ]; then
  if ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
    echo "Installing tauri-driver (WebDriver for the desktop window)"
    cargo install tauri-driver --locked --quiet
  fi
  if [ ! -d "$root/tests/e2e/node_modules" ]; then
    echo "Installing the browser-test packages"
    (cd "$root/tests/e2e" && npm ci --no-audit --no-fund --silent)
  fi
fi
