#!/usr/bin/env bash
# scripts/demo.sh BUILD_DIR — what `make demo` shows: every example checked
# and explained. Runs inside examples/ so the data paths in the .flow files
# resolve. (Running the pipelines comes with `flowc run`.)
set -euo pipefail

build="${1:-build}"
root="$(cd "$(dirname "$0")/.." && pwd)"
case "$build" in /*) ;; *) build="$root/$build" ;; esac
flowc="$build/compiler/flowc"
if [[ ! -x "$flowc" ]]; then
  echo "demo.sh: no flowc at $flowc (build first: make build)" >&2
  exit 2
fi

cd "$root/examples"
rule() { printf '%s\n' "================================================================"; }
failed=0
for flow in *.flow; do
  rule
  echo "  $flow"
  rule
  awk '!/^#/ { exit } { sub(/^# ?/, "  "); print }' "$flow"
  echo
  if "$flowc" check "$flow"; then
    echo "flowc check $flow: ok"
    echo
    echo "\$ flowc explain $flow"
    "$flowc" explain "$flow" | sed 's/^/  /'
  else
    failed=1
  fi
  echo
done
exit "$failed"
