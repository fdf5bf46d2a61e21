#!/usr/bin/env bash
# bench/checkpoint.sh [BUILD_DIR] — checkpoint write time and size for 1M
# keys (issue 7). Standalone: needs only BUILD_DIR/compiler/flowc.
#
# Two pipelines over generate(count: 2M) in batches of 1M records, so that
# every batch touches all 1,000,000 keys:
#   agg:    group by k = value % 1000000 | aggregate n, total, hi (running aggregate)
#   update: group by k = value % 1000000 | update total, visits, last_at, label (a string)
# Each runs with a checkpoint directory and FLOWC_CHECKPOINT_TRACE=1, which
# makes the runtime print one line per checkpoint (size; time to fsync the
# sinks, snapshot the state, encode + CRC32C, write + fsync + rename). The
# table shows the checkpoint after the last batch (1M keys); the run is
# also timed without a checkpoint to show the total overhead.
#
# Knobs (environment): CKPT_KEYS (1000000), CKPT_REPEAT (3, best kept).
set -uo pipefail

build="${1:-build}"
root="$(cd "$(dirname "$0")/.." && pwd)"
case "$build" in /*) ;; *) build="$root/$build" ;; esac
flowc="$build/compiler/flowc"
if [[ ! -x "$flowc" ]]; then
  echo "bench: no flowc at $flowc (build first)" >&2
  exit 2
fi
KEYS="${CKPT_KEYS:-1000000}"
REPEAT="${CKPT_REPEAT:-3}"
work="$(mktemp -d "${TMPDIR:-/tmp}/flowc_ckpt_bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT
export LC_ALL=C

cat > "$work/agg.flow" <<EOF
pipeline ckpt_agg
source numbers = generate(count: $((KEYS * 2)), start: "2026-01-01T00:00:00Z", step: 1ms)
stream per_k = numbers
  | group by k = value % $KEYS
  | aggregate n = count(), total = sum(value), hi = max(ts)
sink per_k to file("out/agg.csv")
EOF

cat > "$work/update.flow" <<EOF
pipeline ckpt_update
source numbers = generate(count: $((KEYS * 2)), start: "2026-01-01T00:00:00Z", step: 1ms)
stream per_k = numbers
  | group by k = value % $KEYS
  | update total: int = 0, visits: int = 0, last_at: timestamp = 0, label: string = "" {
      total += value
      visits += 1
      last_at = ts
      label = "key-" + string(value % 997)
    }
    emit updated
sink per_k to file("out/update.csv")
EOF

# wall seconds of one run: run_once NAME [extra args...]
run_once() {
  local name="$1"
  shift
  rm -rf "$work/out" "$work/ck"
  local t0 t1
  t0=$(date +%s.%N)
  (cd "$work" && FLOWC_CHECKPOINT_TRACE=1 "$flowc" run "$name.flow" --max-batch-records "$KEYS" \
     --quiet "$@" 2> "$work/$name.err" > /dev/null) || {
    echo "bench: $name failed:" >&2
    cat "$work/$name.err" >&2
    exit 1
  }
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc
}

printf '%-8s %10s %14s %12s %12s %12s %12s %10s %10s\n' \
  pipeline keys "ckpt bytes" "state" "total ms" "snapshot ms" "write ms" "run s" "no-ckpt s"
for name in agg update; do
  best_total="" best_line="" best_run="" best_plain=""
  for ((i = 0; i < REPEAT; ++i)); do
    run_s=$(run_once "$name" --checkpoint ck)
    line=$(grep 'flowc: checkpoint:' "$work/$name.err" | tail -1)
    total=$(sed -E 's/.*total ([0-9.]+) ms.*/\1/' <<< "$line")
    if [[ -z "$best_total" ]] || (( $(echo "$total < $best_total" | bc) )); then
      best_total="$total"
      best_line="$line"
    fi
    if [[ -z "$best_run" ]] || (( $(echo "$run_s < $best_run" | bc) )); then best_run="$run_s"; fi
    plain_s=$(run_once "$name")
    if [[ -z "$best_plain" ]] || (( $(echo "$plain_s < $best_plain" | bc) )); then best_plain="$plain_s"; fi
  done
  # flowc: checkpoint: next batch N, B bytes (state S), total T ms (sinks a, snapshot b, encode+crc c, write+fsync d)
  bytes=$(sed -E 's/.*, ([0-9]+) bytes .*/\1/' <<< "$best_line")
  state=$(sed -E 's/.*\(state ([0-9]+)\).*/\1/' <<< "$best_line")
  snap=$(sed -E 's/.*snapshot ([0-9.]+),.*/\1/' <<< "$best_line")
  enc=$(sed -E 's/.*encode\+crc ([0-9.]+),.*/\1/' <<< "$best_line")
  wr=$(sed -E 's/.*write\+fsync ([0-9.]+)\).*/\1/' <<< "$best_line")
  printf '%-8s %10s %14s %12s %12s %12s %12s %10.2f %10.2f\n' "$name" "$KEYS" "$bytes" "$state" \
    "$best_total" "$snap" "$(echo "$enc + $wr" | bc)" "$best_run" "$best_plain"
  echo "  $best_line"
done
echo "(bytes per key: the whole file over $KEYS keys; write ms = encode + CRC32C + write + fsync + rename)"
