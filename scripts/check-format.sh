#!/usr/bin/env bash
# Checks that the C and C++ lines changed since BASE follow .clang-format.
#
#   scripts/check-format.sh [BASE]     # default BASE: main (or $FLOWC_FORMAT_BASE)
#   scripts/check-format.sh --since-style
#
# --since-style (ctest `format`, so `make test` and .ci/run): BASE is the
# commit that added .clang-format, i.e. every line written since the style
# was adopted must follow it. Without the history (a shallow clone) the
# check cannot run and exits 2 (ctest reports it skipped).
#
# Only lines that differ between BASE's merge-base with HEAD and the work
# tree are checked (git clang-format), so untouched code written before
# .clang-format existed does not fail it. Prints the changes clang-format
# would make and exits 1 when there are any; exits 0 when the changed
# lines are formatted; 2 when it cannot run. To apply the changes instead:
#   git clang-format-19 --binary clang-format-19 "$(git merge-base main HEAD)"
set -euo pipefail

cd "$(dirname "$0")/.."
base="${1:-${FLOWC_FORMAT_BASE:-main}}"
if [ "$base" = "--since-style" ]; then
  base="$(git log --diff-filter=A --format=%H -- .clang-format 2>/dev/null | tail -n 1)"
  if [ -z "$base" ]; then
    echo "check-format: the commit that added .clang-format is not in this clone's history" >&2
    exit 2
  fi
fi

CLANG_FORMAT="${CLANG_FORMAT:-clang-format-19}"
GIT_CLANG_FORMAT="${GIT_CLANG_FORMAT:-git-clang-format-19}"
for tool in "$CLANG_FORMAT" "$GIT_CLANG_FORMAT"; do
  if ! command -v "$tool" >/dev/null; then
    echo "check-format: '$tool' not found (apt-get install clang-format-19)" >&2
    exit 2
  fi
done
if ! merge_base="$(git merge-base "$base" HEAD 2>/dev/null)"; then
  echo "check-format: no merge-base between '$base' and HEAD" >&2
  exit 2
fi

# Generated files keep the generator's layout; the diagnostics suite's C++
# files are inputs whose every line and column is part of what they test.
excluded=(':!stdlib/case_table.h' ':!tests/diagnostics/*.cpp')
mapfile -t files < <(git diff --name-only --diff-filter=ACMR "$merge_base" -- \
  '*.c' '*.cc' '*.cpp' '*.h' '*.hpp' "${excluded[@]}")
if [ ${#files[@]} -eq 0 ]; then
  echo "check-format: no C/C++ file changed since $base"
  exit 0
fi

out="$("$GIT_CLANG_FORMAT" --binary "$(command -v "$CLANG_FORMAT")" --diff \
  "$merge_base" -- "${files[@]}" 2>&1)" || true
case "$out" in
  ""|"no modified files to format"|"clang-format did not modify any files")
    echo "check-format: ${#files[@]} changed file(s) formatted"
    exit 0
    ;;
esac
if [[ "$out" != diff* && "$out" != *"--- "* ]]; then
  echo "check-format: git clang-format failed:" >&2
  echo "$out" >&2
  exit 2
fi
echo "$out"
echo "check-format: the changed lines above do not follow .clang-format" >&2
exit 1
