#!/usr/bin/env bash
# Bootstrap for `npm start` and `npm test` on a fresh Debian machine. Idempotent and quick when nothing is missing:
#   1. Debian packages (libtorch, OpenBLAS, ffmpeg, a C++ toolchain) via apt-get when missing;
#   2. `npm ci --ignore-scripts` when package-lock.json changed since the last install;
#   3. the native libtorch addon (native/) when its sources, LIBTORCH or Node changed.
# Prints what failed and exits non-zero when it cannot go on.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '[bootstrap] %s\n' "$*" >&2; }
fail() { printf '[bootstrap] FAILED: %s\n' "$*" >&2; exit 1; }

# --- 1. Debian packages ---------------------------------------------------------------------------------
# libtorch-dev: tensors; libopenblas0-pthread: fast BLAS behind libtorch; ffmpeg: video; g++/make/python3: node-gyp;
# python3-numpy/-msgpack/-websockets: the Python openpi-style client of src/serve/protocol/interop.python.test.ts.
packages=(libtorch-dev libopenblas0-pthread ffmpeg g++ make python3 python3-numpy python3-msgpack python3-websockets)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ -n "${LIBTORCH:-}" ]; then
  # A libtorch of one's own (e.g. CUDA) replaces Debian's; keep everything else.
  missing=("${missing[@]/libtorch-dev}")
fi
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    fail "missing Debian packages: ${missing[*]}. Install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}"
  fi
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2 || fail "apt-get update failed"
  apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 || fail "apt-get install ${missing[*]} failed"
fi

# --- 2. npm dependencies ---------------------------------------------------------------------------------
# --ignore-scripts: no install script may download binaries; our only native code is built in step 3.
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
stamp=node_modules/.karakuri-lock-sha256
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_hash" ]; then
  say "installing npm dependencies (npm ci --ignore-scripts)"
  npm ci --ignore-scripts --no-audit --no-fund >&2 || fail "npm ci failed"
  echo "$lock_hash" > "$stamp"
fi

# --- 3. native addon -------------------------------------------------------------------------------------
bash scripts/build-native.sh
