#!/usr/bin/env bash
# Builds the libtorch addon in native/ with node-gyp when its sources, LIBTORCH or the Node version changed.
# LIBTORCH=/path/to/libtorch (with include/ and lib/) links that libtorch (e.g. a CUDA build) instead of Debian's.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '[native] %s\n' "$*" >&2; }
src_hash=$( (cat native/*.cc native/*.h native/binding.gyp 2>/dev/null; echo "LIBTORCH=${LIBTORCH:-}"; node --version) | sha256sum | cut -d' ' -f1)
stamp=native/build/.karakuri-src-sha256
if [ -f native/build/Release/karakuri_torch.node ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$src_hash" ] && [ "${FORCE_NATIVE_BUILD:-}" = "" ]; then
  exit 0
fi
say "building native/ against ${LIBTORCH:-Debian libtorch (/usr)} (about a minute)"
nodedir_flag=()
# Build against this Node's own headers when the machine has them, so node-gyp never downloads any.
if [ -f /usr/include/node/node_api.h ]; then nodedir_flag=(--nodedir=/usr); fi
jobs=$(nproc 2>/dev/null || echo 2)
( cd native && JOBS=$jobs ../node_modules/.bin/node-gyp rebuild "${nodedir_flag[@]}" >&2 ) || {
  printf '[native] FAILED: node-gyp could not build native/ (see the compiler output above)\n' >&2; exit 1; }
echo "$src_hash" > "$stamp"
say "built native/build/Release/karakuri_torch.node"
