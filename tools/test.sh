#!/usr/bin/env bash
# From a fresh checkout: set up, build, run every test. GPU tests skip, loudly, without a GPU, and run on the
# emulated device under three schedules; then the emulated CUDA path once more built with ASan and UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
# The real readers our exports must satisfy: NumPy for .npy, gensim for .vec (their tests skip without them).
tools/deps.sh python3-numpy python3-gensim
tools/build.sh
ctest --test-dir build --output-on-failure -j "$(nproc)"
# The sanitizer build needs no nvcc: the kernels run on the emulated device, where every device allocation
# is exactly its size, so an overrun in a kernel, a cuBLAS or a CUB call is an ASan report.
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Release -DEMBGEO_REAL_GPU=OFF -DEMBGEO_SANITIZE=ON >/dev/null
cmake --build build-asan -j "$(nproc)" --target embgeo_tests_emu
ctest --test-dir build-asan --output-on-failure -j "$(nproc)" -R '^emu-random\.'
