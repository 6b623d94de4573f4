#!/usr/bin/env bash
# Makes the README's pictures from the real program: trains a run headless
# on the built-in emoji style, opens the studio window on it on a virtual X
# display with -autostart, so it is mid-training, and saves a screenshot of
# the window and a sample grid from the run's latest checkpoint:
#
#   ./scripts/screenshots.sh            # writes docs/images/window.png and samples.png
#
# The run is kept in RUN (default /tmp/ganvas-shots): running the script
# again continues it instead of starting over. MINUTES (default 15) is the
# run's training time in all, RES (default 32) its image size; at 32 pixels
# two cores train several steps a second, enough for shapes to show within
# the quarter hour. DISPLAY_NUMBER picks the virtual display (default :93).
set -euo pipefail
cd "$(dirname "$0")/.."

run=${RUN:-/tmp/ganvas-shots}
minutes=${MINUTES:-15}
res=${RES:-32}
display=${DISPLAY_NUMBER:-:93}
out=docs/images
for tool in Xvfb xwd xwininfo convert go; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: run scripts/setup.sh" >&2; exit 1; }
done
lock=/tmp/.X${display#:}-lock
if [ -e "$lock" ] && kill -0 "$(tr -d ' ' <"$lock")" 2>/dev/null; then
  echo "display $display is taken; pick another with DISPLAY_NUMBER=:NN" >&2
  exit 1
fi

work=$(mktemp -d /tmp/ganvas-screenshots.XXXXXX)
CGO_LDFLAGS=${CGO_LDFLAGS:--lopenblas} go build -o "$work/ganvas" .

# Training without a step budget (-steps 0), so the window can go on
# training the run; -minutes ends this part.
echo "training $run for $minutes minutes in all at $res pixels"
"$work/ganvas" train -run "$run" -steps 0 -minutes "$minutes" -res "$res"
trained=$(tail -1 "$run/metrics.csv" | cut -d, -f1)

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

# A fresh settings and data folder, so the window shows only this run.
mkdir -p "$work/config" "$work/data"
DISPLAY=$display XDG_CONFIG_HOME=$work/config XDG_DATA_HOME=$work/data \
  "$work/ganvas" -run "$run" -autostart >"$work/ganvas.log" 2>&1 &
app=$!

# Mid-training: steps beyond the headless part have reached metrics.csv,
# and a few seconds more bring a live grid and move the curves.
for _ in $(seq 300); do
  kill -0 "$app" 2>/dev/null || { echo "ganvas exited; see $work/ganvas.log" >&2; exit 1; }
  now=$(tail -1 "$run/metrics.csv" | cut -d, -f1)
  [ "$now" != "$trained" ] && break
  sleep 1
done
sleep "${SETTLE:-8}"

window=$(xwininfo -display "$display" -root -tree | awk '/"ganvas"/ {print $1; exit}')
[ -n "$window" ] || { echo "no ganvas window on $display" >&2; exit 1; }
geometry=$(xwininfo -display "$display" -id "$window" |
  awk '/Absolute upper-left X/ {x=$NF} /Absolute upper-left Y/ {y=$NF}
       /Width:/ {w=$NF} /Height:/ {h=$NF} END {print w "x" h "+" x "+" y}')
mkdir -p "$out"
xwd -display "$display" -root -silent |
  convert xwd:- -crop "$geometry" +repage -strip -dither None -colors 256 PNG8:"$out/window.png"
kill "$app"
wait "$app" 2>/dev/null || true
app=""

"$work/ganvas" sample -run "$run" -n 64 -out "$work/samples.png"
convert "$work/samples.png" -strip "$out/samples.png"
step=$(tail -1 "$run/metrics.csv" | cut -d, -f1)
echo "wrote $out/window.png ($geometry, the window at step $step) and $out/samples.png" \
  "($(du -k "$out/window.png" | cut -f1) KB and $(du -k "$out/samples.png" | cut -f1) KB)"
