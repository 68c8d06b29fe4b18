#!/usr/bin/env bash
# Renders RUN_DIR/report.html in headless Chromium and saves a PNG screenshot, to check by eye
# (or in a test) that the report looks right.
#   usage: scripts/screenshot-report.sh RUN_DIR [OUT.png]      (default OUT: RUN_DIR/report.png)
#   env:   CHROMIUM=/path/to/chromium   WINDOW=1280,3000
# Needs Debian's chromium: apt-get install chromium
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 RUN_DIR [OUT.png]" >&2
  exit 2
fi
run_dir=$1
[ -d "$run_dir" ] || { echo "screenshot-report: $run_dir is not a directory" >&2; exit 2; }
html="$(cd "$run_dir" && pwd)/report.html"
[ -f "$html" ] || { echo "screenshot-report: $html does not exist (write it with: machina report $run_dir)" >&2; exit 2; }
out=${2:-$run_dir/report.png}
mkdir -p "$(dirname "$out")"
out="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"

chrome=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
[ -n "$chrome" ] || { echo "screenshot-report: install chromium (apt-get install chromium)" >&2; exit 3; }

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
rm -f "$out"
url="file://$(printf '%s' "$html" | sed -e 's/%/%25/g' -e 's/ /%20/g' -e 's/#/%23/g' -e 's/?/%3F/g')"
if ! timeout 60 "$chrome" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --hide-scrollbars --window-size="${WINDOW:-1280,3000}" \
    --screenshot="$out" "$url" >"$profile/chromium.log" 2>&1; then
  echo "screenshot-report: chromium failed:" >&2
  tail -20 "$profile/chromium.log" >&2
  exit 1
fi
if [ ! -s "$out" ]; then
  echo "screenshot-report: chromium wrote no screenshot:" >&2
  tail -20 "$profile/chromium.log" >&2
  exit 1
fi
echo "$out"
