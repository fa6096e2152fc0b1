#!/usr/bin/env bash
# Short-training comparison of dense, upai, the SPaI baselines and Reconvene on one model:
# prune each from the same seed, train it briefly on the same data, print one row per method.
#
#   bench/compare-methods.sh MODEL DATA SPARSITY EPOCHS MAX_BATCHES OUT [extra prune options...]
#   bench/compare-methods.sh resnet20 data/syn-hard 0.9 4 0 runs/compare-r20
#
# Every row's figures come from that method's summary.json (prune) and train/summary.json.
set -euo pipefail
model=$1 data=$2 sparsity=$3 epochs=$4 maxb=$5 out=$6
shift 6
root="$(cd "$(dirname "$0")/.." && pwd)"
cli="$root/bin/reconvene"
mkdir -p "$out"
for method in dense upai spai-random spai-l1 spai-layerwise reconvene; do
  dir="$out/$method"
  "$cli" prune --model "$model" --data "$data" --method "$method" --scorer synflow --sparsity "$sparsity" \
      --seed 0 --latency-runs 10 --out "$dir" "$@" >"$dir.prune.log" 2>&1
  "$cli" train --init-model "$dir/model" --data "$data" --epochs "$epochs" --max-batches "$maxb" \
      --lr 0.05 --schedule cosine --seed 0 --latency-runs 3 --out "$dir/train" >"$dir.train.log" 2>&1
done
python3 - "$out" <<'PY'
import json, sys, os
out = sys.argv[1]
print("| method | top1 | top1 best | params | params nonzero | size MB | MACs nonzero | latency b1 ms | prune ms | size ratio vs upai | speedup b1 vs upai |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for m in ["dense", "upai", "spai-random", "spai-l1", "spai-layerwise", "reconvene"]:
    p = json.load(open(os.path.join(out, m, "summary.json")))
    t = json.load(open(os.path.join(out, m, "train", "summary.json")))
    f = lambda k, fmt="%.2f": (fmt % p[k]) if k in p else ""
    print(f"| {m} | {t['top1']:.4f} | {t['top1_best']:.4f} | {p['params']:,} | {p['params_nonzero']:,} | "
          f"{p['serialized_bytes']/1e6:.2f} | {p['macs_nonzero']:,} | {p['latency_ms_b1']:.2f} | {p['prune_ms']} | "
          f"{f('size_ratio')} | {f('speedup_b1')} |")
PY
