#!/usr/bin/env bash
# The sharer and fuser stages on one CUDA GPU inside a fixed time (the device lease here is 15 minutes, all tries
# together). Two sharer recipes train side by side, each followed by its fuser: (a) the default recipe, (b) the same
# with the owner objective in phase b. Step counts come from --sx-budget / --fuser-budget (timed on the GPU, logged);
# build.py with those counts and no budget reruns the same schedule anywhere. Export, the test evaluation and the
# manifest run afterwards on the CPU (build.py --stages export,fuser,eval,manifest finds the cached fuser).
# needs: training/.cache/rx.pt and rx-ft.pt (training/restore_cache.py makes them from the committed ONNX).
# usage: training/gpu_build.sh OUTDIR [SX_BUDGET_S] [FUSER_BUDGET_S] [OWNER_WEIGHT_B] [SX_SHAPE]
# (SX_SHAPE default 8x192x12: LAYERSxHIDDENxHEADS, build.py --sx-shape; 14.6 MB of fp32 weights, which is also what
# one file brought back from the device may hold, 16 MiB)
# OUTDIR gets: per variant v, v-sx.pt and v.tgz (fuser-first.pt, fuser_meta.json, timing.json); logs.tgz.
set -uo pipefail
OUTDIR=$1
SXB=${2:-300}
FB=${3:-100}
OWB=${4:-0.25}
SHAPE="--sx-shape ${5:-8x192x12}"
PY=${PYTHON:-python3}
export PYTHONUNBUFFERED=1 OMP_NUM_THREADS=${OMP_NUM_THREADS:-4}
cd "$(dirname "$0")/.."
mkdir -p "$OUTDIR"
T0=$(date +%s)
(nvidia-smi -L || true; $PY -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available())") \
    > "$OUTDIR/env.txt" 2>&1
for v in a b smoke; do
  rm -rf "/tmp/ll-$v"; mkdir -p "/tmp/ll-$v/cache"
  cp training/.cache/rx.pt training/.cache/rx-ft.pt training/.cache/model_info.json "/tmp/ll-$v/cache/"
  cp -r models "/tmp/ll-$v/models"
done
build() { local v=$1; shift; LL_CACHE=/tmp/ll-$v/cache LL_MODELS=/tmp/ll-$v/models $PY training/build.py "$@"; }
export -f build
export PY
finish() {
  echo "$1 at $(( $(date +%s) - T0 ))s" >> "$OUTDIR/status.txt"
  for v in a b; do
    cp "/tmp/ll-$v/cache/sx.pt" "$OUTDIR/$v-sx.pt" 2>/dev/null  # ~15 MB: alone, under the 16 MiB a file may have
    (cd "/tmp/ll-$v/cache" && tar czf "$OUTDIR/$v.tgz" fuser-first.pt ./*.json 2>/dev/null)
  done
  cd "$OUTDIR" && tar czf logs.tgz ./*.log status.txt env.txt 2>/dev/null; rm -f ./*.log env.txt
  cat status.txt; rm -f status.txt
  exit 0
}
# a few steps of every stage first, so that an incompatibility shows in seconds, not after the budget
if ! (build smoke --stages sx $SHAPE --sx-steps 2 --sx2-steps 2 --sx2-owner-weight 0.25 --sx-bs 2 \
      && build smoke --stages fuser $SHAPE --fuser-steps 2 --fuser-val 4 --no-fuser-export) > "$OUTDIR/smoke.log" 2>&1; then
  tail -30 "$OUTDIR/smoke.log"
  finish "smoke failed"
fi
echo "smoke ok at $(( $(date +%s) - T0 ))s" >> "$OUTDIR/status.txt"
variant() {  # variant name, extra sx flags...
  local v=$1; shift
  timeout $((SXB + ${PAD:-70})) bash -c "build $v --stages sx $SHAPE --sx-budget $SXB --sx-bs ${SX_BS:-32} $*" \
      > "$OUTDIR/sx-$v.log" 2>&1 || echo "sx-$v failed: $?" >> "$OUTDIR/status.txt"
  timeout $((FB + ${PAD:-60})) bash -c "build $v --stages fuser $SHAPE --fuser-budget $FB --no-fuser-export" \
      > "$OUTDIR/fuser-$v.log" 2>&1 || echo "fuser-$v failed: $?" >> "$OUTDIR/status.txt"
}
variant a &
variant b --sx2-owner-weight "$OWB" &
wait
grep -h "budget\|val acc\|fuser final" "$OUTDIR"/sx-*.log "$OUTDIR"/fuser-*.log >> "$OUTDIR/status.txt"
finish "done"
