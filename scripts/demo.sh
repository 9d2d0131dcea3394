#!/usr/bin/env bash
# Builds trajplot and renders the demo trajectory shipped in data/demo.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DTRAJPLOT_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)"
build/trajplot demo --out build/demo-figure.json
echo "wrote build/demo-figure.json"
