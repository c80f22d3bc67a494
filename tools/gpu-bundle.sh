#!/usr/bin/env bash
# Builds the three binaries here for a GPU machine (default sm_90: H100/H200) and gathers them, with the shared
# libraries that machine may lack (OpenBLAS and its Fortran runtime; CUDA's own come with its toolkit), into
# gpu-bundle/ (git-ignored, about 50 MB). A machine without the Debian build dependencies then runs
# `tools/gpu-check.sh`, which uses the bundle instead of building. With the device tool:
#   tools/gpu-bundle.sh && run(command="tools/gpu-check.sh", carry=["gpu-bundle"])
set -euo pipefail
cd "$(dirname "$0")/.."
arch=${1:-90}
tools/deps.sh
cmake -S . -B build-bundle -DCMAKE_BUILD_TYPE=Release -DCMAKE_CUDA_ARCHITECTURES="$arch" >/dev/null
cmake --build build-bundle -j "$(nproc)"
rm -rf gpu-bundle
mkdir -p gpu-bundle/lib
cp build-bundle/embgeo-cuda build-bundle/embgeo_tests build-bundle/embgeo_bench gpu-bundle/
# Every non-system library the binaries load, resolved through symlinks; glibc, libstdc++ and CUDA stay behind.
ldd gpu-bundle/embgeo-cuda gpu-bundle/embgeo_tests gpu-bundle/embgeo_bench |
  awk '/=> \// {print $3}' | sort -u |
  grep -v -E '/(libc|libm|libdl|libpthread|librt|libstdc\+\+|libgcc_s)\.so|/cuda|libcu' |
  while read -r lib; do cp -L "$lib" gpu-bundle/lib/; done
git rev-parse HEAD >gpu-bundle/COMMIT
echo "gpu-bundle: $(du -sh gpu-bundle | cut -f1) for sm_$arch at $(cut -c1-12 gpu-bundle/COMMIT); libraries: $(ls gpu-bundle/lib | tr '\n' ' ')"
