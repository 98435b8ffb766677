#!/usr/bin/env bash
# Renders an HTML file (e.g. a stage-gate review's review.html) to a PNG with headless Chromium (Debian's
# `chromium`; install with `apt-get install -y chromium`).
#   scripts/screenshot.sh out/review/review.html out/review/review.png [1280x2400]
set -euo pipefail
html=${1:?usage: screenshot.sh INPUT.html OUTPUT.png [WIDTHxHEIGHT]}
png=${2:?usage: screenshot.sh INPUT.html OUTPUT.png [WIDTHxHEIGHT]}
size=${3:-1280x2400}
bin=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$bin" ]; then echo "screenshot.sh: chromium is not installed (apt-get install -y chromium)" >&2; exit 3; fi
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
"$bin" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --hide-scrollbars --no-first-run \
  --user-data-dir="$profile" --window-size="${size/x/,}" --screenshot="$(realpath -m "$png")" "file://$(realpath "$html")" >/dev/null 2>&1
test -s "$png" || { echo "screenshot.sh: chromium wrote no $png" >&2; exit 1; }
echo "$png"
