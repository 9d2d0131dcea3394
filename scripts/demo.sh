#!/usr/bin/env bash
# Builds trajplot and renders the demo trajectory shipped in data/demo, its
# entropy, forward KL, cross-entropy and max probability stacked:
# build/demo.html (open it in a browser) and build/demo-figure.json.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DTRAJPLOT_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)"
demo_options=(--title "The lens's predictions, layer by layer (synthetic demo)"
              --extra '{"textfont": {"size": 10}}')
build/trajplot demo "${demo_options[@]}" --format html --out build/demo.html
build/trajplot demo "${demo_options[@]}" --out build/demo-figure.json
echo "wrote build/demo.html (plotly.js from its CDN) and build/demo-figure.json"
