#!/usr/bin/env bash
# bench/kafka.sh — Kafka to file, JSON values, against librdkafka's mock
# cluster (`flowc kafka-mock`, loopback, in memory): records/s consumed by a
# built flowc program next to `kcat -C ... > /dev/null` on the same topic in
# the same run. Standalone (bench/run.sh is another benchmark).
#
#   bench/kafka.sh [FLOWC] [RECORDS] [PARTITIONS]
#   defaults: build/compiler/flowc, 1000000, 64
#
# The mock keeps only the last 5 MB of each partition (older message sets are
# deleted), so the records are spread over enough partitions to stay whole;
# flowc's row count is checked against the data.
#
# flowc's time includes the consumer-group join: the mock holds the first
# JoinGroup of a group for 3 s (group.initial.rebalance.delay). It is
# measured on an empty topic and reported separately; kcat reads without a
# group (direct assignment), so it has no such delay.
set -euo pipefail

FLOWC=${1:-${FLOWC:-build/compiler/flowc}}
N=${2:-1000000}
PARTS=${3:-64}
FLOWC=$(cd "$(dirname "$FLOWC")" && pwd)/$(basename "$FLOWC")
command -v kcat >/dev/null || { echo "kcat is not installed" >&2; exit 2; }

WORK=$(mktemp -d /tmp/flowc-kafka-bench.XXXXXX)
MOCK_PID=
cleanup() {
  if [ -n "$MOCK_PID" ]; then kill "$MOCK_PID" 2>/dev/null || true; wait "$MOCK_PID" 2>/dev/null || true; fi
  [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK"

# The mock serves until SIGTERM; its stdin stays open (no control commands).
mkfifo ctl
"$FLOWC" kafka-mock --topic "bench:$PARTS" --topic empty:1 < ctl > boot.txt &
MOCK_PID=$!
exec 3> ctl
for _ in $(seq 50); do [ -s boot.txt ] && break; sleep 0.1; done
B=$(head -1 boot.txt)

now() { date +%s.%N; }
rate() { awk -v n="$1" -v t="$2" 'BEGIN { if (t > 0) printf "%.0f", n / t; else print "inf" }'; }

echo "generating $N JSON records..." >&2
awk -v n="$N" 'BEGIN {
  for (i = 0; i < n; i++)
    printf "%d\t{\"ts\":\"2024-01-01T00:%02d:%02d.%03dZ\",\"user\":\"u%d\",\"page\":\"/p/%d\",\"latency_ms\":%d.%d}\n",
           i, (i / 60000) % 60, (i / 1000) % 60, i % 1000, i % 1000, i % 97, i % 900, i % 10
}' > data.jsonl
BYTES=$(stat -c %s data.jsonl)
echo "producing to the mock cluster ($B, topic bench, $PARTS partitions)..." >&2
# Keyed (by record number): spread evenly, not stuck to one partition.
kcat -P -b "$B" -t bench -K "$(printf '\t')" -X linger.ms=20 -X batch.num.messages=10000 -l data.jsonl

cat > bench.flow <<EOF
pipeline kafka_bench
param topic: string = "bench"
param out: string = "out.jsonl"
source clicks = kafka(brokers: "$B", topic: topic, group: "bench", start: "earliest",
                      stop_at_end: true)
  format json
  schema { ts: timestamp, user: string, page: string, latency_ms: float }
stream slow = clicks | where latency_ms > 450 | select ts, user, page, latency_ms
sink slow to file(out)
EOF
"$FLOWC" build bench.flow -o bench_prog

# Group join + end detection on an empty topic (same program, other group).
sed 's/group: "bench"/group: "bench-empty"/' bench.flow > empty.flow
# (connector params are fixed when a program is built)
# (the shorter of two runs, each in a fresh group)
JOIN=
for g in 1 2; do
  sed "s/group: \"bench-empty\"/group: \"bench-empty-$g\"/" empty.flow > empty$g.flow
  "$FLOWC" build empty$g.flow -o empty_prog$g --param topic=empty --param out=empty.jsonl
  t0=$(now); ./empty_prog$g --quiet; t1=$(now)
  J=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
  if [ -z "$JOIN" ] || awk -v j="$J" -v m="$JOIN" 'BEGIN { exit !(j < m) }'; then JOIN=$J; fi
done

t0=$(now); kcat -C -b "$B" -t bench -o beginning -e -q > /dev/null; t1=$(now)
KCAT=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')

t0=$(now); ./bench_prog --quiet; t1=$(now)
FLOW=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
ROWS=$(wc -l < out.jsonl)
EXPECT=$(awk -F'"latency_ms":' '{ split($2, v, "}"); if (v[1] + 0 > 450) c++ } END { print c + 0 }' data.jsonl)
if [ "$ROWS" != "$EXPECT" ]; then
  echo "error: flowc wrote $ROWS rows, expected $EXPECT" >&2
  exit 1
fi
STEADY=$(awk -v a="$FLOW" -v j="$JOIN" 'BEGIN { printf "%.2f", a - j }')

printf '\nKafka -> file, %d JSON records (%.1f MB), %d partitions, mock cluster on loopback\n' \
  "$N" "$(awk -v b="$BYTES" 'BEGIN { print b / 1e6 }')" "$PARTS"
printf '  %-44s %8s s  %12s records/s\n' "kcat -C -e > /dev/null (no group)" "$KCAT" "$(rate "$N" "$KCAT")"
printf '  %-44s %8s s  %12s records/s\n' "flowc (built), end to end" "$FLOW" "$(rate "$N" "$FLOW")"
printf '  %-44s %8s s\n' "  of which group join + end (empty topic)" "$JOIN"
if awk -v s="$STEADY" -v f="$FLOW" 'BEGIN { exit !(s > 0.2 * f) }'; then
  printf '  %-44s %8s s  %12s records/s\n' "flowc (built), without the group join" "$STEADY" "$(rate "$N" "$STEADY")"
else
  printf '  %-44s (too few records to tell; use more)\n' "flowc (built), without the group join"
fi
printf '  rows written: %d (where latency_ms > 450), checked\n' "$ROWS"
