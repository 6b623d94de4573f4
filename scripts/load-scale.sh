#!/usr/bin/env bash
# Measures how ganvas loads a large folder: peak memory for a small and a
# large folder of 96x96 PNG images, the progress it shows while loading, and
# how fast Ctrl-C stops it while loading. Not part of CI.
#
#   scripts/load-scale.sh [LARGE] [SMALL]     (defaults: 20000 and 2000 images)
#
# Training images are kept as 8-bit RGB at the training resolution, so each
# image should cost about 64*64*3 = 12,288 bytes at -res 64, whatever the
# size of its file; the script prints the measured cost per image, from the
# difference between the two folders' peak resident memory.
set -euo pipefail
cd "$(dirname "$0")/.."

large=${1:-20000}
small=${2:-2000}
out=$(mktemp -d /tmp/ganvas-load.XXXXXX)
trap 'rm -rf "$out"' EXIT
if ! [ -x /usr/bin/time ]; then
  echo "This script needs GNU time (Debian package 'time') to measure peak memory." >&2
  exit 1
fi

go build -o "$out/ganvas" .
# One step at 64 px with the smallest model: the images dominate memory.
settings=(-steps 1 -res 64 -width 8 -batch 8 -quality-every 0)

declare -A peak_kb seconds
for n in "$small" "$large"; do
  echo "Writing $n images"
  go run scripts/genimages.go "$out/images-$n" "$n"
  /usr/bin/time -f '%M %e' -o "$out/time-$n" "$out/ganvas" train -run "$out/run-$n" \
    -data "$out/images-$n" "${settings[@]}" >"$out/log-$n" 2>&1 || { cat "$out/log-$n"; exit 1; }
  read -r peak_kb[$n] seconds[$n] <"$out/time-$n"
  echo "  $n images: peak resident memory $((peak_kb[$n] / 1024)) MB, ${seconds[$n]} s in all"
done
echo "  what the command printed for $large images:"
grep -v '^step \|^Done' "$out/log-$large" | grep -v 'Fyne\|Cause:\|At:' | sed 's/^/    /'

per_image=$(((peak_kb[$large] - peak_kb[$small]) * 1024 / (large - small)))
echo "Memory per image: $per_image bytes (the images themselves take 12288 at 64 px)"

# Ctrl-C while loading: the process must end at once, saying nothing was trained.
echo "Ctrl-C two seconds into loading $large images"
"$out/ganvas" train -run "$out/run-stop" -data "$out/images-$large" "${settings[@]}" \
  >"$out/log-stop" 2>&1 &
pid=$!
sleep 2
kill -INT "$pid"
signalled=$EPOCHREALTIME
status=0
wait "$pid" || status=$?
took=$(awk -v a="$signalled" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.2f", b - a}')
echo "  exit $status, $took s after Ctrl-C: $(grep -v 'Fyne\|Cause:\|At:' "$out/log-stop" | tail -n 1)"
