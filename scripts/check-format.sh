#!/usr/bin/env bash
# Checks that the C++ sources follow .clang-format (exit 1 listing the files
# that do not); with --fix, reformats them in place.
#   scripts/check-format.sh [--fix] [CLANG_FORMAT]
# CLANG_FORMAT defaults to clang-format; the layout is that of clang-format
# 14 (Debian 12), and another version may lay a line out differently.
set -euo pipefail
cd "$(dirname "$0")/.."

fix=false
if [[ "${1:-}" == "--fix" ]]; then
  fix=true
  shift
fi
clang_format="${1:-clang-format}"

mapfile -t files < <(find src include capi cli tests bench examples -type f \( -name '*.cpp' -o -name '*.hpp' \) \
                       -not -path '*/node_modules/*' -not -path '*/target/*' | sort)
if $fix; then
  "$clang_format" -i "${files[@]}"
  exit 0
fi
unformatted=()
for file in "${files[@]}"; do
  if ! "$clang_format" --dry-run --Werror "$file" >/dev/null 2>&1; then
    unformatted+=("$file")
  fi
done
if [[ ${#unformatted[@]} -gt 0 ]]; then
  printf '%s\n' "${unformatted[@]}" >&2
  echo "${#unformatted[@]} of ${#files[@]} files differ from .clang-format: run scripts/check-format.sh --fix" >&2
  exit 1
fi
echo "${#files[@]} files follow .clang-format"
