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

# "WALL CPU SCRAPES": the best wall and CPU (user + sys of the pipeline's
# process, HTTP thread included) seconds of REPEAT runs of gen_agg ARGS
# (mode: plain | metrics | hammer), and the scrapes of the last run.
run() {
  local mode="$1"; shift
  local best="" best_cpu="" scrapes=0
  for ((r = 0; r < REPEAT; r++)); do
    local args=("$@") port
    if [[ "$mode" != plain ]]; then port="$(free_port)"; args+=(--metrics "127.0.0.1:$port"); fi
    /usr/bin/time -o "$out/time" -f '%e %U %S' \
      "$out/gen_agg" --quiet --param "n=$N" "${args[@]}" >"$out/rows.csv" 2>"$out/stderr" &
    local pid=$!
    if [[ "$mode" == hammer ]]; then
      sleep 0.2
      scrapes=$(hammer "$port" "$pid")
    fi
    wait "$pid"
    local wall user sys cpu
    read -r wall user sys <"$out/time"
    cpu=$(echo "$user + $sys" | bc -l)
    if [[ -z "$best" ]] || (( $(echo "$wall < $best" | bc -l) )); then best=$wall; fi
    if [[ -z "$best_cpu" ]] || (( $(echo "$cpu < $best_cpu" | bc -l) )); then best_cpu=$cpu; fi
  done
  printf '%s %s %s\n' "$best" "$best_cpu" "$scrapes"
}

printf '%-34s %8s %8s %8s %8s %8s\n' "gen_agg, $N records" "wall s" "vs plain" "cpu s" "vs plain" "scrapes"
for batch in "" "--max-batch-records 1000"; do
  read -r plain plain_cpu _ < <(run plain $batch)
  for mode in plain metrics hammer; do
    if [[ "$mode" == plain ]]; then s=$plain; c=$plain_cpu; scrapes=-
    else read -r s c scrapes < <(run "$mode" $batch); fi
    [[ "$mode" == hammer ]] || scrapes=-
    printf '%-34s %8.2f %7.1f%% %8.2f %7.1f%% %8s\n' "$mode${batch:+ ($batch)}" "$s" \
      "$(echo "($s / $plain - 1) * 100" | bc -l)" "$c" "$(echo "($c / $plain_cpu - 1) * 100" | bc -l)" \
      "$scrapes"
  done
done
