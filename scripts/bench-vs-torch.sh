#!/usr/bin/env bash
# Measures ganvas against the PyTorch peer on the same CPU: runs
# 'ganvas bench' and ../shared/bench/torch_dcgan.py alternately, ROUNDS
# times each, and prints every line, then the medians and their ratios.
#
#   scripts/bench-vs-torch.sh [MODELS] [ROUNDS]     e.g. dcgan64,dcgan32 3
#
# Needs Debian's python3-torch (apt-get install -y python3-torch).
# GANVAS=path runs an already built binary instead of building this tree
# (useful while someone else's half-finished package keeps it from building).
# STEPS=n sets the timed steps per round on both sides (default 20, as the
# peer's own default): on a crowded machine PyTorch's spinning threads can
# take most of an hour for 20.
# RECIPE=0 leaves out the rounds of ganvas with the small-data recipe on
# (bench -recipe), which are otherwise run beside the plain ones and compared
# with the same PyTorch figures: the peer has no recipe. SPECTRAL=1 adds
# rounds of the recipe with spectral norm in the discriminator as well.
set -euo pipefail
cd "$(dirname "$0")/.."
models=${1:-dcgan64}
rounds=${2:-3}
steps=${STEPS:-20}
peer=${PEER:-../shared/bench/torch_dcgan.py}
out=$(mktemp)
bin=${GANVAS:-}
if [ -z "$bin" ]; then
  bin=/tmp/ganvas-bench
  go build -o "$bin" .
fi

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq "$rounds"); do
  echo "round $i: load $(cut -d' ' -f1-3 /proc/loadavg)"
  for m in ${models//,/ }; do
    "$bin" bench -model "$m" -steps "$steps" | tee -a "$out"
    if [ "${RECIPE:-1}" != 0 ]; then
      "$bin" bench -model "$m" -steps "$steps" -recipe | tee -a "$out"
    fi
    if [ "${SPECTRAL:-0}" = 1 ]; then
      "$bin" bench -model "$m" -steps "$steps" -recipe -spectral-norm | tee -a "$out"
    fi
    /usr/bin/python3 "$peer" --models "$m" --steps "$steps" | tee -a "$out"
  done
done

echo "end: load $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$out" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    f = dict(kv.split("=", 1) for kv in line.split())
    rows.setdefault((f["model"], f["peer"]), []).append(f)
print()
print(f"{'model':14} {'metric':12} {'ganvas':>9} {'torch':>9} {'ratio':>7}")
for model in sorted({m for m, _ in rows}):
    # A recipe row is compared with the peer's plain model of that name.
    g, t = rows.get((model, "ganvas"), []), rows.get((model.split("+")[0], "torch"), [])
    if not g or not t:
        continue
    for key, better in (("img_per_s", "higher"), ("g1_ms", "lower"), ("peak_rss_mb", "lower")):
        a = statistics.median(float(r[key]) for r in g)
        b = statistics.median(float(r[key]) for r in t)
        print(f"{model:14} {key:12} {a:9.2f} {b:9.2f} {a / b:7.2f}  ({better} is better)")
    if "peak_fraction" in g[0]:
        med = lambda key: statistics.median(float(r[key]) for r in g)
        print(f"{model:14} ganvas: {med('step_gflop'):.2f} GFLOP per step, "
              f"SGEMM peak {med('sgemm_peak_gflops'):.1f} GFLOP/s, "
              f"{100 * med('peak_fraction'):.0f}% of it reached"
              + (f", {100 * med('core_fraction'):.0f}% per processor-second; "
                 if "core_fraction" in g[0] else "; ") +
              f"RSS by round (MB): {' | '.join(r['rss_mb_by_round'] for r in g)}")
PY
rm -f "$out"
