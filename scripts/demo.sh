#!/usr/bin/env bash
# Builds trajplot and renders the demo trajectory shipped in data/demo, its
# entropy, forward KL, cross-entropy and max probability stacked:
# build/demo.html (open it in a browser; it draws offline) and
# build/demo-figure.json.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DTRAJPLOT_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)"
scripts/render-demo.sh build/trajplot build
echo "wrote build/demo.html and build/demo-figure.json"
