#!/usr/bin/env bash
# The dependency rules of ../shared/DESIGN.md §2 that include paths cannot stop (a relative "../" include):
# kernels/ and host/cpu/ include core headers (embgeo/...) and files of their own folder, nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."
bad=$(grep -rnE '^\s*#\s*include\s+"' kernels host/cpu | grep -vE '#\s*include\s+"(embgeo/[a-z_]+\.hpp|[a-z_]+\.(cuh|hpp)|(reference|fast)/[a-z_]+\.hpp)"' || true)
if [[ -n "$bad" ]]; then
  echo "layout: kernels/ and host/cpu/ may include only embgeo/ core headers and their own folder's:" >&2
  echo "$bad" >&2
  exit 1
fi
echo "layout: kernels/ and host/cpu/ include only core headers and their own"
