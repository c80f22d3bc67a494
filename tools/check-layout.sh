#!/usr/bin/env bash
# The dependency rules of ../shared/DESIGN.md §2 that include paths cannot stop (a relative "../" include):
# kernels/ and host/cpu/ include core headers (embgeo/...) and files of their own folder; the core
# (include/embgeo/, host/core/) includes only core headers; nothing includes through "..".
set -euo pipefail
cd "$(dirname "$0")/.."
bad=$(grep -rnE '^\s*#\s*include\s+"' kernels host/cpu | grep -vE '#\s*include\s+"(embgeo/[a-z_]+\.hpp|[a-z_]+\.(cuh|hpp)|(reference|fast)/[a-z_]+\.hpp)"' || true)
bad_core=$(grep -rnE '^\s*#\s*include\s+"' include/embgeo host/core | grep -vE '#\s*include\s+"embgeo/[a-z_]+\.hpp"' || true)
dotdot=$(grep -rnE '^\s*#\s*include\s+["<][^">]*\.\./' host include kernels tests bench || true)
if [[ -n "$bad$bad_core$dotdot" ]]; then
  echo "layout: kernels/ and host/cpu/ may include only embgeo/ core headers and their own folder's, the core" \
    "only core headers, and no include goes through '..':" >&2
  printf '%s\n' "$bad" "$bad_core" "$dotdot" | grep -v '^$' >&2
  exit 1
fi
echo "layout: kernels/ and host/cpu/ include only core headers and their own; the core only core headers"
