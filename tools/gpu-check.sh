#!/usr/bin/env bash
# The GPU check, for a machine with a CUDA GPU: build for the local GPU, run every test (GPU tests included),
# verify --against-cpu, compute-sanitizer (memcheck and racecheck) on the GPU tests, the benchmarks with the
# PyTorch peer side by side, and the default training run on each device. Logs go to $OUT (or
# bench/results/<date>-<gpu>/), at most 7 files (a device run brings back 8), and a short table is
# printed last. Each step's failure is recorded and the script goes on, so one run shows everything.
#
#   tools/gpu-check.sh [STEP...]      STEP: tests verify sanitizer bench train (default: all five, in order)
#
# Name a few steps per call where one call may run for a limited time (the device tool allows 10 minutes);
# the logs of each step are appended, so several calls into one folder add up to the whole check.
# A machine without the Debian build dependencies uses a bundle built elsewhere by tools/gpu-bundle.sh
# (gpu-bundle/ next to this checkout) instead of building.
set -uo pipefail
cd "$(dirname "$0")/.."

steps=("$@")
((${#steps[@]})) || steps=(tests verify sanitizer bench train)
for s in "${steps[@]}"; do
  case $s in tests | verify | sanitizer | bench | train) ;; *) echo "error: unknown step '$s'" >&2; exit 2 ;; esac
done
gpu=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1 | tr ' ' '-')
[ -n "$gpu" ] || { echo "error: no GPU visible to nvidia-smi" >&2; exit 1; }
out=${OUT:-bench/results/$(date -u +%Y-%m-%d)-$gpu}
mkdir -p "$out"
# A GPU machine whose runtime cannot see the device must fail the GPU tests, not skip them; the bundle's
# RUNPATH names the build machine's layout, so the toolkit's libraries are named here too.
export EMBGEO_REQUIRE_GPU=1
export LD_LIBRARY_PATH="/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
if [ -x gpu-bundle/embgeo-cuda ]; then
  build=gpu-bundle
  export LD_LIBRARY_PATH="$PWD/gpu-bundle/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  export EMBGEO_CLI="$PWD/gpu-bundle/embgeo-cuda" EMBGEO_PEER_SCRIPT="$PWD/tools/peer_pytorch.py"
else
  build=build-gpu
fi
summary=()
step() {  # step NAME LOGFILE COMMAND...: run, log, remember the outcome and the seconds it took
  local name=$1 log=$2; shift 2
  local start=$SECONDS
  echo "== $name: $*" >>"$out/$log"
  if "$@" >>"$out/$log" 2>&1; then summary+=("$name|PASS|$((SECONDS - start))s|$log"); else summary+=("$name|FAIL|$((SECONDS - start))s|$log"); fi
}

{
  echo "date: $(date -u +%FT%TZ), steps: ${steps[*]}"
  echo "commit: $(git rev-parse HEAD 2>/dev/null || echo unknown)"
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv
  /usr/local/cuda/bin/nvcc --version | tail -2
  if [ "$build" = gpu-bundle ]; then
    echo "binaries: gpu-bundle built at $(cat gpu-bundle/COMMIT)"
    [ "$(cat gpu-bundle/COMMIT)" = "$(git rev-parse HEAD 2>/dev/null)" ] || echo "WARNING: the bundle is not built from this commit"
  fi
} >>"$out/summary.txt" 2>&1

if [ "$build" = build-gpu ]; then  # incremental: a partial run never tests binaries older than the sources
  step build tests.log bash -c "cmake -S . -B $build -DCMAKE_BUILD_TYPE=Release >/dev/null && cmake --build $build -j \$(nproc)"
fi
verify_all() {
  "$build/embgeo-cuda" verify --against-cpu --shapes all --steps 3 &&
    "$build/embgeo-cuda" verify --against-cpu --shapes toy,odd --optimizer lazy-adam --deterministic &&
    "$build/embgeo-cuda" verify --against-cpu --shapes large --steps 2 --tf32
}
sanitize() {
  local cs=/usr/local/cuda/bin/compute-sanitizer
  command -v compute-sanitizer >/dev/null && cs=compute-sanitizer
  "$cs" --tool memcheck --error-exitcode 1 "$build/embgeo_tests" --gtest_filter='*Cuda*' &&
    "$cs" --tool racecheck --error-exitcode 1 "$build/embgeo_tests" --gtest_filter='*CudaOps*toy*:*CudaOps*repeats*'
}
bench_all() {  # the product's benchmarks with the PyTorch peer in the same run, then the Google Benchmark binary
  local work
  work=$(mktemp -d)  # the bench's scratch (a 1 GB table) and plot sources stay out of $out
  local status=0
  "$build/embgeo-cuda" bench all --peer pytorch --out "$work" --json "$out/bench.json" || status=1
  # Without gnuplot the bench leaves the plot's data and script only: then there is no picture to keep.
  [ ! -f "$work/lookup_vs_onehot.png" ] || cp "$work/lookup_vs_onehot.png" "$out/"
  "$build/embgeo_bench" --benchmark_min_time=0.2 || status=1
  rm -rf "$work"
  return $status
}
train_timing() {  # the default toy run, 2000 steps, on the GPU, the fast CPU path and the CPU reference
  local d
  for d in 0 cpu cpu-reference; do
    "$build/embgeo-cuda" train --device "$d" --no-files | grep '^done:' | sed "s/^done:/done [--device $d]:/" || return 1
  done
}
for s in "${steps[@]}"; do
  case $s in
    tests) step tests tests.log "$build/embgeo_tests" ;;
    verify) step verify verify.log verify_all ;;
    sanitizer) step sanitizer sanitizer.log sanitize ;;
    bench) step bench bench.log bench_all ;;
    train) step train bench.log train_timing ;;
  esac
done

{
  printf '%-10s %-6s %-8s %s\n' step result time log
  for row in "${summary[@]}"; do IFS='|' read -r n r t l <<<"$row"; printf '%-10s %-6s %-8s %s\n' "$n" "$r" "$t" "$l"; done
  [[ " ${steps[*]} " == *" verify "* ]] && grep -E "^verify:" "$out/verify.log"
  [[ " ${steps[*]} " == *" train "* ]] && grep -E "^done" "$out/bench.log"
  true
} | tee -a "$out/summary.txt"
