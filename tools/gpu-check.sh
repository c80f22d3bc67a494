#!/usr/bin/env bash
# The GPU check, for a machine with a CUDA GPU: build for the local GPU, run every test (GPU tests included),
# verify --against-cpu, compute-sanitizer (memcheck and racecheck) on the GPU tests, the benchmarks with the
# PyTorch peer side by side, and the default training run on each device. Logs go to $OUT (or
# bench/results/<date>-<gpu>/), at most 7 files (a device run brings back 8), and a short table is
# printed last. Each step's failure is recorded and the script goes on, so one run shows everything.
#
#   tools/gpu-check.sh [STEP...]   STEP: tests verify train kernels lookup gbench sanitizer (default: all, in
#                                  this order: the most important figures first)
#   tools/gpu-check.sh plan        the plan with each step's predicted minutes and the total (no GPU needed)
#
# Name a few steps per call where one call may run for a limited time (the device tool allows 10 minutes);
# the logs of each step are appended, so several calls into one folder add up to the whole check.
# A machine without the Debian build dependencies uses a bundle built elsewhere by tools/gpu-bundle.sh
# (gpu-bundle/ next to this checkout) instead of building.
set -uo pipefail
cd "$(dirname "$0")/.."

all_steps=(tests verify train kernels lookup gbench sanitizer)
steps=("$@")
((${#steps[@]})) || steps=("${all_steps[@]}")
for s in "${steps[@]}"; do
  case $s in plan | tests | verify | train | kernels | lookup | gbench | sanitizer) ;;
    *) echo "error: unknown step '$s'" >&2; exit 2 ;; esac
done

# Predicted minutes on an H100/H200. lookup is computed from the cost model (2·N·V·D FLOPs per one-hot call
# over the reference rates of DESIGN.md §4: ~50 TFLOP/s fp32 SGEMM, ~600 TFLOP/s bf16 achieved) and the
# bench's 20 s route budget; the other steps are estimates from their work (the test and verify shapes, 50
# steps of the gpt2 and llama3 shapes beside PyTorch, a 1 GB table, memcheck's ~50x slowdown), to be replaced
# by the times the first GPU run records in summary.txt.
predicted_minutes() {
  case $1 in
    tests) echo 1.5 ;;
    verify) echo 0.8 ;;
    train) echo 2.0 ;;
    kernels) echo 0.8 ;;
    lookup)
      awk 'BEGIN {
        N = 8192; D = 256; budget = 20; reps = 20; split("1e3 1e4 1e5 1e6", V, " ");
        rate["fp32"] = 50e12; rate["bf16"] = 600e12; total = 0;
        for (i = 1; i <= 4; i++) for (r in rate) {
          call = 2 * N * V[i] * D / rate[r];
          if (2 * call > budget) continue;                  # skipped: predicted over budget
          n = int(budget / call) - 1; if (n < 1) n = 1; if (n > reps) n = reps;
          total += (n + 1) * call;                           # the check (also the warm-up) and the repeats
        }
        printf "%.1f\n", total / 60 + 0.3                     # + the lookups, ceilings and encodes
      }' ;;
    gbench) echo 2.0 ;;
    sanitizer) echo 3.0 ;;
  esac
}
if [[ " ${steps[*]} " == *" plan "* ]]; then
  total=0
  printf '%-10s %8s  %s\n' step minutes what
  for s in "${all_steps[@]}"; do
    m=$(predicted_minutes "$s")
    total=$(awk -v a="$total" -v b="$m" 'BEGIN { printf "%.1f", a + b }')
    case $s in
      tests) what="every test with EMBGEO_REQUIRE_GPU=1 (GPU tests cannot skip)" ;;
      verify) what="verify --against-cpu: all shapes; lazy-adam deterministic; large with TF32" ;;
      train) what="bench train with the PyTorch peer; the default toy run on GPU, cpu, cpu-reference" ;;
      kernels) what="bench kernels (each op against copy and GEMM ceilings) and bench inspect" ;;
      lookup) what="bench lookup-vs-onehot, V = 1e3..1e6, routes within the 20 s budget" ;;
      gbench) what="build/embgeo_bench, Google Benchmark, min time 0.2 s" ;;
      sanitizer) what="compute-sanitizer memcheck and racecheck on the GPU tests" ;;
    esac
    printf '%-10s %8s  %s\n' "$s" "$m" "$what"
  done
  echo "total: $total min"
  exit 0
fi
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
    # NCCL (/usr/local/cuda/lib64, 200 MB) is not bundled: a toolkit without it cannot load the binaries.
    ldd gpu-bundle/embgeo-cuda | grep "not found" | sed 's/^/MISSING LIBRARY: /'
  fi
  command -v mpirun >/dev/null && mpirun --version | head -1 || echo "no mpirun: the rank tests (NCCL wiring) skip"
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
  # A device compute-sanitizer does not support is recorded and the check goes on.
  if "$cs" --tool memcheck "$build/embgeo_tests" --gtest_filter='CudaBackend.FrozenEmbedding*' 2>&1 |
    grep -qi 'not supported\|unsupported'; then
    echo "compute-sanitizer does not support this device: sanitizer step recorded as not run"
    return 0
  fi
  "$cs" --tool memcheck --error-exitcode 1 "$build/embgeo_tests" --gtest_filter='*Cuda*' &&
    "$cs" --tool racecheck --error-exitcode 1 "$build/embgeo_tests" --gtest_filter='*CudaOps*toy*:*CudaOps*repeats*'
}
bench_section() {  # bench SECTION [ARGS...]: its table into the log, its JSON appended to bench.json
  local section=$1 work status=0
  shift
  work=$(mktemp -d)  # the bench's scratch (a 1 GB table) and plot sources stay out of $out
  "$build/embgeo-cuda" bench "$section" "$@" --out "$work" || status=1
  [ ! -f "$work/bench.json" ] || { cat "$work/bench.json"; echo; } >>"$out/bench.json"
  # Without gnuplot the bench leaves the plot's data and script only: then there is no picture to keep.
  [ ! -f "$work/lookup_vs_onehot.png" ] || cp "$work/lookup_vs_onehot.png" "$out/"
  rm -rf "$work"
  return $status
}
kernels_and_inspect() { bench_section kernels && bench_section inspect; }
train_timing() {  # the training step beside PyTorch; the default toy run, 2000 steps, on GPU, fast CPU, reference
  local d
  bench_section train --peer pytorch || return 1
  for d in 0 cpu cpu-reference; do
    "$build/embgeo-cuda" train --device "$d" --no-files | grep '^done:' | sed "s/^done:/done [--device $d]:/" || return 1
  done
}
for s in "${steps[@]}"; do
  case $s in
    tests) step tests tests.log "$build/embgeo_tests" ;;
    verify) step verify verify.log verify_all ;;
    train) step train bench.log train_timing ;;
    kernels) step kernels bench.log kernels_and_inspect ;;
    lookup) step lookup bench.log bench_section lookup-vs-onehot ;;
    gbench) step gbench bench.log "$build/embgeo_bench" --benchmark_min_time=0.2 ;;
    sanitizer) step sanitizer sanitizer.log sanitize ;;
  esac
done

{
  printf '%-10s %-6s %-8s %s\n' step result time log
  for row in "${summary[@]}"; do IFS='|' read -r n r t l <<<"$row"; printf '%-10s %-6s %-8s %s\n' "$n" "$r" "$t" "$l"; done
  [[ " ${steps[*]} " == *" verify "* ]] && grep -E "^verify:" "$out/verify.log"
  [[ " ${steps[*]} " == *" train "* ]] && grep -E "^done" "$out/bench.log"
  true
} | tee -a "$out/summary.txt"
