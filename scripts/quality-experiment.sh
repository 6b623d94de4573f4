#!/usr/bin/env bash
# Compares plain DCGAN with the small-data recipe at equal training time:
# both train at once, each on one thread, sharing the two cores, for MINUTES of
# training time on DATA (default: the built-in emoji style), measuring the
# sliced Wasserstein distance every 25 steps. Then it plots both curves,
# prints a table, and draws a sample grid from each at the end.
#
#   scripts/quality-experiment.sh [MINUTES] [DATA] [OUT] [RES] [SEED]
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-20}
data=${2:-}
out=${3:-/tmp/ganvas-quality}
res=${4:-64}
seed=${5:-1}
mkdir -p "$out"
go build -o "$out/ganvas" .
dataflag=()
[ -n "$data" ] && dataflag=(-data "$data")

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
common=(-minutes "$minutes" -steps 0 -res "$res" -seed "$seed" -quality-every 25 "${dataflag[@]}")
GOMAXPROCS=1 OPENBLAS_NUM_THREADS=1 "$out/ganvas" train -run "$out/plain" -plain "${common[@]}" > "$out/plain.log" 2>&1 &
GOMAXPROCS=1 OPENBLAS_NUM_THREADS=1 "$out/ganvas" train -run "$out/recipe" -recipe "${common[@]}" > "$out/recipe.log" 2>&1 &
wait

go run ./scripts/plotquality -out "$out/swd.png" -title "${data:-built-in emoji style}, ${res} px" \
  -minutes "$(seq -s, 5 5 "$minutes")" "plain DCGAN=$out/plain" "recipe=$out/recipe"
for r in plain recipe; do
  "$out/ganvas" sample -run "$out/$r" -n 64 -out "$out/$r-grid.png"
  "$out/ganvas" eval -run "$out/$r" -n 1024 > "$out/$r-eval.txt"
done
tail -n 3 "$out"/*.log
cat "$out"/*-eval.txt
