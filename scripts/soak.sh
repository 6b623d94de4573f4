#!/usr/bin/env bash
# Soak test: trains a new run on the embedded default style with the default
# settings for MINUTES (default 60), and checks that a long run stays healthy.
# Not part of CI: it takes as long as it is asked to.
#
#   scripts/soak.sh [MINUTES] [OUT_DIR]
#
# SOAK_FLAGS adds flags to `ganvas train`, for example
# SOAK_FLAGS="-res 32 -quality-every 100" for a faster run that measures
# quality, the costliest periodic work, every 100 steps.
#
# Every minute it records, in OUT_DIR/soak.tsv: the process's resident memory,
# the steps trained, the images per second over that minute (from steps
# logged every 10, so coarse when a minute holds few), the trainer's own
# smoothed figure, the sample grids and the checkpoints written so far. Checkpoints are watched every two
# seconds (OUT_DIR/checkpoints.tsv), since a run keeps only the last two.
# At the end it stops training with Ctrl-C, as a person would, and checks:
#   - memory is flat: resident memory at the end is within 10% (or 32 MB) of
#     what it was halfway through, when every buffer training needs (the
#     quality probe's, made at step 500, last) should exist;
#   - throughput is flat: the images per second over the last third of the
#     run are within 20% of those over the first third (after a warm-up
#     minute); on a machine shared with other work this is the check most
#     likely to fail for reasons outside ganvas, so the figures are printed;
#   - checkpoints are on schedule: none more than the interval plus 30 s
#     after the one before;
#   - sample grids are on schedule: one per 100 steps, and step 0;
#   - the stop saves a checkpoint of the last step, which `ganvas sample`
#     loads.
# It exits 1 when a check fails. OUT_DIR defaults to a new folder under /tmp.
set -euo pipefail
cd "$(dirname "$0")/.."

minutes=${1:-60}
out=${2:-$(mktemp -d /tmp/ganvas-soak.XXXXXX)}
mkdir -p "$out"
interval=120  # seconds: engine.DefaultConfig's CheckpointSeconds
sample_every=100
batch=64 # the default; SOAK_FLAGS with -batch makes the images per second wrong

echo "Building ganvas into $out"
go build -o "$out/ganvas" .
run="$out/run"
rm -rf "$run"

# shellcheck disable=SC2086 # SOAK_FLAGS is a list of flags
"$out/ganvas" train -run "$run" -steps 0 ${SOAK_FLAGS:-} >"$out/train.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT
started=$(date +%s)
echo "Training (pid $pid) for $minutes minutes; figures in $out/soak.tsv"

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0; }
# last_row prints the step and the img_per_s column of metrics.csv's last row.
last_row() {
  if [ -f "$run/metrics.csv" ]; then
    awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) if ($i == "img_per_s") c = i}
      NR > 1 && $1 ~ /^[0-9]+$/ {step = $1; rate = $c} END {printf "%d %.1f\n", step, rate}' \
      "$run/metrics.csv"
  else
    echo "0 0"
  fi
}
count_samples() { find "$run/samples" -name 'step-*.png' 2>/dev/null | wc -l; }

printf 'minute\tseconds\trss_mb\tstep\timg_per_s\ttrainer_img_per_s\tsamples\tcheckpoints\tnewest_checkpoint\n' \
  >"$out/soak.tsv"
printf 'seconds\tstep\n' >"$out/checkpoints.tsv"
declare -A seen=()
prev_step=0
prev_time=$started
next_row=$((started + 60))
end=$((started + minutes * 60))

# The last row falls on the end itself.
while [ "$(date +%s)" -lt "$end" ] || [ "$next_row" -le "$end" ]; do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "training ended early; its log:" >&2
    cat "$out/train.log" >&2
    exit 1
  fi
  for f in "$run"/checkpoints/step-*.safetensors; do
    [ -e "$f" ] || continue
    name=$(basename "$f")
    if [ -z "${seen[$name]:-}" ]; then
      seen[$name]=1
      step=${name#step-}
      step=$((10#${step%.safetensors}))
      printf '%s\t%s\n' "$(($(date +%s) - started))" "$step" >>"$out/checkpoints.tsv"
    fi
  done

  now=$(date +%s)
  if [ "$now" -ge "$next_row" ]; then
    read -r step trainer_rate < <(last_row)
    rate=$(awk -v s="$((step - prev_step))" -v t="$((now - prev_time))" -v b="$batch" \
      'BEGIN {printf "%.1f", (t > 0 ? s * b / t : 0)}')
    newest=$(tail -n 1 "$out/checkpoints.tsv" | cut -f2)
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(((now - started) / 60))" \
      "$((now - started))" "$(($(rss_kb) / 1024))" "$step" "$rate" "$trainer_rate" \
      "$(count_samples)" "$((${#seen[@]}))" "$newest" | tee -a "$out/soak.tsv"
    prev_step=$step
    prev_time=$now
    next_row=$((next_row + 60))
  fi
  sleep 2
done

echo "Stopping with Ctrl-C"
kill -INT "$pid"
status=0
wait "$pid" || status=$?
trap - EXIT
tail -n 2 "$out/train.log"

fail=0
check() { # check NAME OK DETAIL
  if [ "$2" = 1 ]; then echo "ok    $1: $3"; else echo "FAIL  $1: $3"; fail=1; fi
}

# Stopping saves the last step, and the checkpoint loads.
stopped=$(grep -o 'Stopped at step [0-9]*' "$out/train.log" | grep -o '[0-9]*$' || true)
newest=$(find "$run/checkpoints" -name 'step-*.safetensors' | sort | tail -n 1)
newest_step=$(basename "$newest" .safetensors)
newest_step=$((10#${newest_step#step-}))
sampled=0
"$out/ganvas" sample -run "$run" -n 16 -out "$out/last.png" >/dev/null 2>&1 && sampled=1
check "stop" "$([ "$status" = 0 ] && [ "${stopped:-x}" = "$newest_step" ] && [ $sampled = 1 ] \
  && echo 1 || echo 0)" "exit $status, stopped at step ${stopped:-?}, newest checkpoint step \
$newest_step, sample from it: $([ $sampled = 1 ] && echo yes || echo no)"

# Memory: the end against halfway.
awk -F'\t' 'NR > 1 {rss[n++] = $3; if ($3 > peak) peak = $3}
  END {base = rss[int(n / 2)]; last = rss[n - 1]
       ok = (last <= base * 1.10 || last <= base + 32) ? 1 : 0
       printf "%d %d %d %d %d\n", ok, base, last, peak, int(n / 2) + 1}' "$out/soak.tsv" >"$out/memory"
read -r ok base last peak half <"$out/memory"
check "memory" "$ok" "resident ${base} MB at minute ${half}, ${last} MB at the end, ${peak} MB at most"

# Throughput: images per second over the first and the last third of the
# rows, minute 1 left out, from the steps trained in each.
awk -F'\t' -v b="$batch" 'NR > 1 {t[n] = $2; s[n] = $4; n++}
  function rate(lo, hi) {return t[hi] > t[lo] ? (s[hi] - s[lo]) * b / (t[hi] - t[lo]) : 0}
  END {third = int((n - 1) / 3); if (third < 1) third = 1
       a = rate(1, 1 + third); z = rate(n - 1 - third, n - 1)
       ok = (a > 0 && z >= a * 0.8 && z <= a * 1.2) ? 1 : 0
       printf "%d %.1f %.1f\n", ok, a, z}' "$out/soak.tsv" >"$out/throughput"
read -r ok first_third last_third <"$out/throughput"
check "throughput" "$ok" "${first_third} img/s over the first third, ${last_third} over the last"

# Checkpoints: each within the interval plus 30 s of the one before.
awk -F'\t' -v limit=$((interval + 30)) 'NR > 1 {if (prev != "" && $1 - prev > max) max = $1 - prev
  prev = $1; n++}
  END {printf "%d %d %d\n", (n >= 2 && max <= limit) ? 1 : 0, n, max}' \
  "$out/checkpoints.tsv" >"$out/schedule"
read -r ok count gap <"$out/schedule"
check "checkpoints" "$ok" "$count written, at most ${gap} s apart (interval ${interval} s)"

# Sample grids: step 0 and every sample_every steps, plus the one at the stop.
samples=$(count_samples)
want=$((newest_step / sample_every + 1))
check "samples" "$([ "$samples" -ge "$want" ] && [ "$samples" -le $((want + 1)) ] && echo 1 || echo 0)" \
  "$samples grids for $newest_step steps (want $want, or one more for the stop)"

echo "Figures: $out/soak.tsv, $out/checkpoints.tsv; log: $out/train.log"
exit $fail
