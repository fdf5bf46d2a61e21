#!/usr/bin/env bash
# scripts/demo.sh BUILD_DIR — what `make demo` shows: every example checked,
# the plan of one explained, and the examples that read bundled files run
# end to end (with `flowc run`, and one as a built executable). Runs inside
# examples/ so the data paths in the .flow files resolve.
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
header() { awk '!/^#/ { exit } { sub(/^# ?/, "  "); print }' "$1"; }
shown=12  # rows of each run's output shown

rule
echo "  flowc check: every example"
rule
for flow in *.flow; do
  "$flowc" check "$flow"
  echo "  ok  $flow"
done

rule
echo "  \$ flowc explain clicks.flow    (the typed plan)"
rule
"$flowc" explain clicks.flow

# Examples that read bundled files; the socket and kafka ones need a peer.
for example in wordcount_file access_log page_views_sliding balance clicks \
    ad_clicks raw_network_grep user_agents geohash; do
  flow="$example.flow"
  echo
  rule
  echo "  \$ flowc run $flow"
  rule
  header "$flow"
  echo
  out="$(mktemp)"
  "$flowc" run "$flow" >"$out"
  head -n "$shown" "$out"
  total=$(wc -l <"$out")
  if (( total > shown )); then echo "  ... ($total lines in all)"; fi
  rm -f "$out"
done

# LANGUAGE.md 13's Spark migrations; small batches where per-batch rows or
# expiry are the point.
for run in "page_views_top.flow" "batch_word_counts.flow --max-batch-records 5" \
           "sessions.flow --max-batch-records 20" "access_log_own_time.flow"; do
  read -r -a argv <<<"$run"
  echo
  rule
  echo "  \$ flowc run $run"
  rule
  header "${argv[0]}"
  echo
  out="$(mktemp)"
  "$flowc" run "${argv[@]}" >"$out"
  head -n "$shown" "$out"
  total=$(wc -l <"$out")
  if (( total > shown )); then echo "  ... ($total lines in all)"; fi
  rm -f "$out"
done

echo
rule
echo "  \$ flowc build wordcount_file.flow -o wordcount && ./wordcount"
rule
tmp="$(mktemp -d)"
"$flowc" build wordcount_file.flow -o "$tmp/wordcount"
"$tmp/wordcount" | sort -t, -k2,2nr | head -n 5
ls -l "$tmp/wordcount" | awk '{ print "  executable: " $5 " bytes" }'
rm -rf "$tmp" out
echo
echo "demo: done"
