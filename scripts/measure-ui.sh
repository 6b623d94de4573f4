#!/usr/bin/env bash
# Measures how the ganvas window answers while it trains, and prints the
# figures that docs/responsiveness.md reports. It builds ganvas and the
# measuring tool (scripts/measureui), opens the window on a virtual X
# display with the probe on (GANVAS_UI_PROBE), trains a new run on the
# built-in style with -autostart, watches the untouched window, then pauses
# and resumes training with the Space key and with clicks, taps the timeline
# slider back and forth, and closes the window. About five minutes. Flags are
# passed on to measureui, such as -trials 40, -taps 10 or -steady 60s.
#
#   ./scripts/measure-ui.sh
#
# DISPLAY_NUMBER picks the virtual display (default :93).
set -euo pipefail
cd "$(dirname "$0")/.."

display=${DISPLAY_NUMBER:-:93}
for tool in Xvfb go; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: run scripts/setup.sh" >&2; exit 1; }
done
# A lock file whose process is gone is stale, and Xvfb replaces it.
lock=/tmp/.X${display#:}-lock
if [ -e "$lock" ] && kill -0 "$(tr -d ' ' <"$lock")" 2>/dev/null; then
  echo "display $display is taken; pick another with DISPLAY_NUMBER=:NN" >&2
  exit 1
fi

work=$(mktemp -d /tmp/ganvas-measure-ui.XXXXXX)
echo "building ganvas and measureui in $work"
CGO_LDFLAGS=${CGO_LDFLAGS:--lopenblas} go build -o "$work/ganvas" .
go build -o "$work/measureui" ./scripts/measureui

xvfb="" app=""
cleanup() {
  [ -n "$app" ] && kill "$app" 2>/dev/null || true
  [ -n "$xvfb" ] && kill "$xvfb" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT

Xvfb "$display" -screen 0 1400x900x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
xvfb=$!
for _ in $(seq 50); do
  [ -e "$lock" ] && [ "$(tr -d ' ' <"$lock")" = "$xvfb" ] && break
  sleep 0.1
done
kill -0 "$xvfb" 2>/dev/null || { echo "Xvfb did not start on $display:"; cat "$work/xvfb.log"; exit 1; } >&2

# Fyne's settings for this run only: no animations, so the Pause button's
# pixels change when its state does, not when a tap ripple plays.
mkdir -p "$work/config/fyne" "$work/data"
echo '{"no_animations": true}' >"$work/config/fyne/settings.json"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')," \
  "$(free -g | awk '/Mem:/ {print $2}') GiB; load average $(cut -d' ' -f1-3 /proc/loadavg)"
DISPLAY=$display XDG_CONFIG_HOME=$work/config XDG_DATA_HOME=$work/data \
  GANVAS_UI_PROBE=$work/probe.log \
  "$work/ganvas" -run "$work/run" -autostart >"$work/ganvas.log" 2>&1 &
app=$!

"$work/measureui" -display "$display" -probe "$work/probe.log" "$@"

# The window saves a checkpoint as it closes; give it the time to.
for _ in $(seq 120); do
  kill -0 "$app" 2>/dev/null || break
  sleep 1
done
if kill -0 "$app" 2>/dev/null; then
  echo "ganvas did not exit within two minutes of closing its window" >&2
  exit 1
fi
wait "$app" || { echo "ganvas exited with an error; see $work/ganvas.log" >&2; exit 1; }
app=""
echo
echo "Training reached step $(tail -1 "$work/run/metrics.csv" | cut -d, -f1); the probe's raw lines are in $work/probe.log."
