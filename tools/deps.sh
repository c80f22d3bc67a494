#!/usr/bin/env bash
# Installs the Debian packages embgeo-cuda builds and tests with (the bench peers fastText and gensim among
# them), plus any named as arguments, when any are missing.
# The CUDA toolkit itself is expected at /usr/local/cuda (or nvcc on PATH), except with --no-cuda (for
# tools that build no CUDA code, such as tools/fuzz.sh).
#
#   tools/deps.sh [--no-cuda] [package...]
set -euo pipefail

need_cuda=1
if [[ "${1:-}" == --no-cuda ]]; then
  need_cuda=0
  shift
fi

packages=(cmake make g++ libgtest-dev libbenchmark-dev libcli11-dev nlohmann-json3-dev libopenblas-dev gnuplot-nox
          openmpi-bin libopenmpi-dev fasttext python3-gensim "$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if ((need_cuda)) && [ ! -x /usr/local/cuda/bin/nvcc ] && ! command -v nvcc >/dev/null; then
  echo "error: the CUDA toolkit was not found (expected /usr/local/cuda/bin/nvcc)" >&2
  exit 1
fi
