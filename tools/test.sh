#!/usr/bin/env bash
# From a fresh checkout: set up, build, run every test (GPU tests skip, loudly, without a GPU).
set -euo pipefail
cd "$(dirname "$0")/.."
# The real readers our exports must satisfy: NumPy for .npy, gensim for .vec (their tests skip without them).
tools/deps.sh python3-numpy python3-gensim
tools/build.sh
ctest --test-dir build --output-on-failure -j "$(nproc)"
