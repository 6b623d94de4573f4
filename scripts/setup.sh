#!/usr/bin/env bash
# Installs what ganvas needs on Debian or Ubuntu: OpenBLAS for training, the
# GL and X11 headers Fyne's window needs, Xvfb for the window tests, and the
# Go modules. Safe to run again; it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(gcc pkg-config libopenblas-dev libgl1-mesa-dev xorg-dev xvfb x11-apps imagemagick)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v go >/dev/null 2>&1; then
  echo "ganvas needs Go 1.26 or newer: install it from https://go.dev/dl/ and run this again." >&2
  exit 1
fi
go mod download
echo "Ready: 'go run .' opens the studio."
