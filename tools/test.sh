#!/usr/bin/env bash
# From a fresh checkout: set up, build, run every test (GPU tests skip, loudly, without a GPU).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/build.sh
ctest --test-dir build --output-on-failure -j "$(nproc)"
