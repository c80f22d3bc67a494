#!/usr/bin/env bash
# The main job from a fresh checkout: set up, build, train (arguments are passed to `embgeo-cuda train`).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/build.sh >/dev/null
exec build/embgeo-cuda train "$@"
