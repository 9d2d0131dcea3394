#!/usr/bin/env bash
# Renders the demo trajectory shipped in data/demo (its entropy, forward
# KL, cross-entropy and max probability, stacked) with the given trajplot
# binary: DIR/demo.html, a page that draws offline (plotly.js inlined), and
# DIR/demo-figure.json. scripts/demo.sh runs it after building; the browser
# tests run it to check the page it writes.
#   scripts/render-demo.sh TRAJPLOT DIR
set -euo pipefail
if [[ $# -ne 2 ]]; then
  echo "usage: scripts/render-demo.sh TRAJPLOT DIR" >&2
  exit 2
fi
cli=$1
out=$2
demo_options=(--title "The lens's predictions, layer by layer (synthetic demo)")
"$cli" demo "${demo_options[@]}" --format html --out "$out/demo.html"
"$cli" demo "${demo_options[@]}" --out "$out/demo-figure.json"
