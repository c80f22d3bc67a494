#!/usr/bin/env bash
# Fuzzes the file-format readers: builds each libFuzzer target (tests/fuzz_*.cpp) with ASan and UBSan
# together with the format sources, seeds a corpus with one valid file, and runs it for a fixed time.
#
#   tools/fuzz.sh [seconds] [target...]     seconds per target (default 20); targets: safetensors npy vec
#
# Exits non-zero when any target crashes; the crashing input is left as build/fuzz/<target>/crash-*.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-20}"
shift || true
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(safetensors npy vec)
# clang, then libFuzzer and the sanitizer runtimes of that clang (only recommended by it, so named here).
tools/deps.sh --no-cuda clang
tools/deps.sh --no-cuda "libclang-rt-$(clang++ -dumpversion | cut -d. -f1)-dev"

out="${FUZZ_BUILD_DIR:-build/fuzz}"
flags=(-std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -Iinclude -Ihost)

# The format sources are compiled once and linked into every target.
mkdir -p "$out/obj"
objects=()
for source in host/formats/*.cpp host/util/atomic_file.cpp host/core/tensor_checks.cpp host/core/backend.cpp; do
  object="$out/obj/$(basename "$source" .cpp).o"
  if [[ ! -f "$object" || "$source" -nt "$object" || host/formats/formats.hpp -nt "$object" ]]; then
    clang++ "${flags[@]}" -c "$source" -o "$object"
  fi
  objects+=("$object")
done

le() {  # value width → `width` little-endian bytes
  local value=$1 width=$2 i
  for ((i = 0; i < width; i++)); do printf "\\x$(printf %02x $(((value >> (8 * i)) & 255)))"; done
}

seed() {  # target corpus_dir: one valid file to start from
  case "$1" in
    safetensors)
      local header='{"__metadata__":{"k":"v"},"e":{"dtype":"F16","shape":[2,2],"data_offsets":[0,8]},'
      header+='"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}'
      { le ${#header} 8; printf '%s' "$header"
        printf '\x00\x3c\x00\xc0\x55\x35\xff\x7b\x00\x00\x80\x3f'; } >"$2/seed"  # F16 1 -2 0.333 65504, F32 1
      ;;
    npy)
      local dict="{'descr': '<f4', 'fortran_order': False, 'shape': (2, 1), }"
      { printf '\x93NUMPY\x01\x00'; le $((${#dict} + 1)) 2; printf '%s\n' "$dict"
        printf '\x00\x00\x80\x3f\x00\x00\x00\xc0'; } >"$2/seed"  # [[1], [-2]]
      ;;
    vec)
      printf '4 2\nthe 0.1 -2\n\\s 1e-45 inf\n\\e 3 nan\n\\x00\\\\ -0 1\n' >"$2/seed"
      ;;
  esac
}

# Header words libFuzzer would take long to guess byte by byte.
printf '"%s"\n' dtype shape data_offsets __metadata__ F32 F16 BF16 F64 I32 F4 >"$out/safetensors.dict"

failed=()
for target in "${targets[@]}"; do
  source="tests/fuzz_${target}.cpp"
  [[ -f "$source" ]] || { echo "fuzz.sh: no such target '$target' ($source)" >&2; exit 2; }
  dir="$out/$target"
  mkdir -p "$dir/corpus"
  echo "== fuzz_$target: building"
  clang++ "${flags[@]}" "$source" "${objects[@]}" -o "$dir/fuzz_$target"
  [[ -n "$(ls -A "$dir/corpus")" ]] || seed "$target" "$dir/corpus"
  options=(-max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$dir/")
  [[ -f "$out/$target.dict" ]] && options+=(-dict="$out/$target.dict")
  echo "== fuzz_$target: running for ${seconds}s"
  if ! "$dir/fuzz_$target" "${options[@]}" "$dir/corpus" >"$dir/log.txt" 2>&1; then
    tail -n 40 "$dir/log.txt"
    failed+=("$target")
  else
    grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::peak_rss_mb)' "$dir/log.txt" ||
      tail -n 3 "$dir/log.txt"
  fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzz.sh: crashes in: ${failed[*]} (inputs and logs under $out/<target>/)" >&2
  exit 1
fi
echo "fuzz.sh: no crashes in ${targets[*]} (${seconds}s each)"
