#!/usr/bin/env bash
# bench/metrics.sh BUILD_DIR — what --metrics costs the batch loop.
#
# gen_agg.flow (generate + where + select + running aggregate, no I/O) as a
# built program, timed three ways: without --metrics, with it, and with it
# while a client scrapes /metrics as fast as it can (on a 2-core machine
# the client's own CPU use is part of that figure). Then the same with
# --max-batch-records 1000, where a snapshot is published every 1,000
# records. Best of BENCH_REPEAT (3) wall times.
#
#   BENCH_METRICS_N   records (default 1,000,000,000)
set -euo pipefail

build="${1:-build}"
root="$(cd "$(dirname "$0")/.." && pwd)"
case "$build" in /*) ;; *) build="$root/$build" ;; esac
flowc="$build/compiler/flowc"
N="${BENCH_METRICS_N:-1000000000}"
REPEAT="${BENCH_REPEAT:-3}"
out="$build/bench/metrics"
mkdir -p "$out"
export LC_ALL=C

"$flowc" build "$root/bench/gen_agg.flow" -o "$out/gen_agg" >/dev/null

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Scrapes http://127.0.0.1:$1/metrics in a loop until $2 (a pid) exits;
# prints how many scrapes it made.
hammer() {
  python3 - "$1" "$2" <<'EOF'
import os, sys, time, urllib.request
port, pid = sys.argv[1], int(sys.argv[2])
n = 0
while True:
    try:
        os.kill(pid, 0)
    except OSError:
        break
    try:
        urllib.request.urlopen("http://127.0.0.1:%s/metrics" % port, timeout=2).read()
        n += 1
    except OSError:
        time.sleep(0.001)
print(n)
EOF
}

# best wall seconds of REPEAT runs of: gen_agg ARGS (mode: plain|metrics|hammer)
run() {
  local mode="$1"; shift
  local best="" scrapes=0
  for ((r = 0; r < REPEAT; r++)); do
    local args=("$@") port t0 t1
    if [[ "$mode" != plain ]]; then port="$(free_port)"; args+=(--metrics "127.0.0.1:$port"); fi
    t0=$(date +%s.%N)
    "$out/gen_agg" --quiet --param "n=$N" "${args[@]}" >"$out/rows.csv" 2>"$out/stderr" &
    local pid=$!
    if [[ "$mode" == hammer ]]; then
      sleep 0.2
      scrapes=$(hammer "$port" "$pid")
    fi
    wait "$pid"
    t1=$(date +%s.%N)
    local s; s=$(echo "$t1 - $t0" | bc -l)
    if [[ -z "$best" ]] || (( $(echo "$s < $best" | bc -l) )); then best=$s; fi
  done
  printf '%s %s\n' "$best" "$scrapes"
}

printf '%-34s %10s %10s %10s\n' "gen_agg, $N records" "seconds" "vs plain" "scrapes"
for batch in "" "--max-batch-records 1000"; do
  read -r plain _ < <(run plain $batch)
  for mode in plain metrics hammer; do
    if [[ "$mode" == plain ]]; then s=$plain; scrapes=-; else read -r s scrapes < <(run "$mode" $batch); fi
    [[ "$mode" == hammer ]] || scrapes=-
    printf '%-34s %10.3f %9.1f%% %10s\n' "$mode${batch:+ ($batch)}" "$s" \
      "$(echo "($s / $plain - 1) * 100" | bc -l)" "$scrapes"
  done
done
