#!/usr/bin/env bash
# Installs the Debian packages trajplot needs, only those missing.
#   scripts/install-deps.sh          build dependencies (simdjson reads the
#                                    tool's spec files; npm fetches the
#                                    plotly.js that pages inline; Cairo,
#                                    Pango and fonts draw PNG and PDF)
#   scripts/install-deps.sh --tests  build and test dependencies (GoogleTest,
#                                    plotly.py, torch for the Python binding's
#                                    torch tests, python3-venv for its packaging
#                                    tests, Chromium and Node.js for the
#                                    browser tests, nbclient, nbconvert and
#                                    ipykernel for the notebook
#                                    browser tests, poppler-utils for the
#                                    image tests, clang and its sanitizer
#                                    and libFuzzer runtimes, clang-format,
#                                    valgrind)
set -euo pipefail

packages=(g++ cmake make pkg-config xtl-dev xtensor-dev nlohmann-json3-dev)
# The command-line tool reads spec files with simdjson.
packages+=(libsimdjson-dev)
# PNG and PDF images: Cairo and Pango (optional to the build, which leaves
# them out without these), and fonts for their text: DejaVu for Latin,
# Greek, Cyrillic, Hebrew and Arabic, WenQuanYi Zen Hei for Chinese,
# Japanese and Korean tokens (7 MB, where Noto CJK is 57 MB).
packages+=(libcairo2-dev libpango1.0-dev zlib1g-dev fonts-dejavu-core fonts-wqy-zenhei)
# The build obtains plotly.js with npm; Node.js and npm may come from
# elsewhere than Debian, so only missing ones are installed.
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)
if [[ "${1:-}" == "--tests" ]]; then
  packages+=(googletest libgtest-dev binutils python3 python3-venv python3-plotly python3-numpy python3-torch chromium fonts-dejavu-core
             python3-nbclient python3-nbconvert python3-ipykernel poppler-utils
             clang-14 libclang-rt-14-dev clang-format valgrind locales)
  # Rust binding tests: rustup's cargo if present, else Debian's (rustc 1.63).
  command -v cargo >/dev/null || [[ -x "$HOME/.cargo/bin/cargo" ]] || packages+=(cargo)
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "installing: ${missing[*]}"
sudo=""
[[ $(id -u) -ne 0 ]] && sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
