#!/usr/bin/env bash
# bench/run.sh BUILD_DIR — what `make bench` runs (see bench/README.md).
#
# Builds the hand-written C++ baselines and the data generator into
# BUILD_DIR/bench, generates the inputs once into bench/data/, then times
# every benchmark three ways in the same run — `flowc run` (JIT, compile
# included), the executable from `flowc build`, and the baseline — checks
# that flowc's rows equal the baseline's, and prints a table. A benchmark
# whose pipeline flowc cannot compile yet is reported as "not supported yet"
# and the rest go on.
#
# Knobs (environment): BENCH_N records in the data files (10,000,000),
# BENCH_GEN_N records for gen_agg (1,000,000,000), BENCH_REPEAT timed runs
# per program, best wall time kept (3), BENCH_ONLY a regex of benchmark
# names to run.
set -uo pipefail

build="${1:-build}"
root="$(cd "$(dirname "$0")/.." && pwd)"
case "$build" in /*) ;; *) build="$root/$build" ;; esac
flowc="$build/compiler/flowc"
if [[ ! -x "$flowc" ]]; then
  echo "bench: no flowc at $flowc (build first: make build)" >&2
  exit 2
fi
if [[ ! -x /usr/bin/time ]]; then
  echo "bench: needs /usr/bin/time (GNU time) for wall time and peak RSS" >&2
  exit 2
fi

N="${BENCH_N:-10000000}"
GEN_N="${BENCH_GEN_N:-1000000000}"
REPEAT="${BENCH_REPEAT:-3}"
ONLY="${BENCH_ONLY:-.}"
bench="$root/bench"
out="$build/bench"
data="$bench/data"
[[ "$N" == 10000000 ]] || data="$bench/data/n$N"
mkdir -p "$out/bin" "$out/run" "$data"
export LC_ALL=C

note() { printf 'bench: %s\n' "$*" >&2; }

# ---------------------------------------------------------------- baselines
CXX="${CXX:-c++}"
# Every baseline is built twice: like flowc's executables, for any x86-64
# (-O2: baseline x86-64, SIMD only where a library picks it at run time),
# in $out/bin; and for this machine (-O2 -march=native), in
# $out/bin/native. base_ysb parses JSON with simdjson (Debian
# libsimdjson-dev, installed by scripts/install-deps.sh): its stage 1 in the
# library picks AVX-512/AVX2 at run time either way, but its On-Demand front
# end is compiled into the program and uses them only when built native.
libs_for() { case "$1" in base_ysb) echo "-lsimdjson" ;; esac; }
mkdir -p "$out/bin/native"
for src in "$bench"/gen_data.cpp "$bench"/first_output.cpp "$bench"/base_*.cpp; do
  stem="$(basename "$src" .cpp)"
  for variant in portable native; do
    exe="$out/bin/$stem"
    flags=(-O2)
    if [[ $variant == native ]]; then
      [[ $stem == base_* ]] || continue
      exe="$out/bin/native/$stem"
      flags+=(-march=native)
    fi
    if [[ ! -x "$exe" || "$src" -nt "$exe" || "$bench/baseline.h" -nt "$exe" ]]; then
      note "c++ ${flags[*]} $(basename "$src")"
      # shellcheck disable=SC2046  # the library list is a word list
      "$CXX" "${flags[@]}" -std=c++20 -o "$exe" "$src" $(libs_for "$stem") ||
        { echo "bench: cannot build $src" >&2; exit 1; }
    fi
  done
done

# Every timed program runs pinned to one core (taskset -c 0), flowc and the
# baselines alike: the comparison is one core against one core.
PIN=()
if command -v taskset > /dev/null && taskset -c 0 true 2> /dev/null; then
  PIN=(taskset -c "${BENCH_CPU:-0}")
else
  note "taskset unavailable: timings are not pinned to one core"
fi

# ---------------------------------------------------------------- data
stamp="$data/.stamp"
want="$(cksum < "$bench/gen_data.cpp") n=$N"
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  note "generating $N-record inputs into ${data#"$root"/} (once; about 30 s for 10M)"
  rm -f "$stamp"
  t0=$SECONDS
  "$out/bin/gen_data" "$data" "$N" || { echo "bench: data generation failed" >&2; exit 1; }
  echo "$want" > "$stamp"
  note "data generated in $((SECONDS - t0)) s"
fi
# Warm the page cache so that the first program timed does not pay for disk.
cat "$data"/*.csv "$data"/*.jsonl "$data"/*.txt > /dev/null

# ---------------------------------------------------------------- helpers
# timed NAME CMD... — runs CMD once from bench/ (the .flow paths are
# relative to it) and keeps, in $out/run/NAME.time ("SECONDS KB CPU"), the
# best wall time, the largest peak RSS and the best CPU time (user + sys) of
# the runs so far (start_timing NAME forgets them); stdout in NAME.out,
# stderr in NAME.err. Returns CMD's exit status.
start_timing() { rm -f "$out/run/$1.time"; }
timed() {
  local name="$1"; shift
  local best="" cpu="" rss=0 rc s u k kb c
  if [[ -f "$out/run/$name.time" ]]; then read -r best rss cpu < "$out/run/$name.time"; fi
  (cd "$bench" && /usr/bin/time -f '%e %U %S %M' -o "$out/run/$name.t" "${PIN[@]}" "$@" \
     > "$out/run/$name.out" 2> "$out/run/$name.err")
  rc=$?
  if [[ $rc -eq 0 ]]; then
    read -r s u k kb < <(tail -n 1 "$out/run/$name.t")
    c="$(awk -v u="$u" -v k="$k" 'BEGIN { printf "%.2f", u + k }')"
    if [[ -z "$best" ]] || awk -v a="$s" -v b="$best" 'BEGIN { exit !(a < b) }'; then best="$s"; fi
    if [[ -z "$cpu" ]] || awk -v a="$c" -v b="$cpu" 'BEGIN { exit !(a < b) }'; then cpu="$c"; fi
    (( kb > rss )) && rss=$kb
  fi
  echo "${best:-0} $rss ${cpu:-0}" > "$out/run/$name.time"
  return $rc
}
# timed_n NAME CMD... — REPEAT runs of timed (the memory benchmark).
timed_n() {
  local i
  start_timing "$1"
  for ((i = 0; i < REPEAT; i++)); do timed "$@" || return $?; done
}
secs() { cut -d' ' -f1 "$out/run/$1.time"; }
cpu_secs() { cut -d' ' -f3 "$out/run/$1.time"; }
rss_mb() { awk '{ printf "%.0f", $2 / 1024 }' "$out/run/$1.time"; }

# build_exe NAME FLOW [--param K=V]... — `flowc build`; on failure prints
# the first error line to $out/run/NAME.build.err and returns 1.
build_exe() {
  local name="$1" flow="$2"; shift 2
  (cd "$bench" && "$flowc" build "$flow" -o "$out/bin/$name" "$@") > /dev/null 2> "$out/run/$name.build.err"
}
why_not() {
  local msg
  msg="$(grep -m1 -i 'error' "$out/run/$1.build.err" | sed 's/^flowc: error: //')"
  echo "${msg:-flowc build failed}"
}

# Output normalisation for the check: a running aggregate prints a row per
# changed group per batch, so keep each group's last row (key = the first
# $2 columns); windowed rows are compared whole. Both then sorted.
last_rows() {
  awk -F, -v k="$2" 'NR == 1 { print; next }
    { key = $1; for (i = 2; i <= k; i++) key = key FS $i; last[key] = $0 }
    END { for (x in last) print last[x] }' "$1" | sort
}
same_rows() {  # same_rows MODE FLOW_OUT BASE_OUT   (MODE: last:K | all)
  case "$1" in
    last:*) cmp -s <(last_rows "$2" "${1#last:}") <(last_rows "$3" "${1#last:}") ;;
    all) cmp -s <(sort "$2") <(sort "$3") ;;
  esac
}

ROWS=()      # the main table
EXTRA=()     # start-up, memory, per-record notes
PENDING=()   # benchmarks waiting for a compiler feature
row() { ROWS+=("$(printf '%s\t' "$@")"); }

# warm FILE... — reads the files, so that the timed runs do not pay for
# the disk (the page cache may not hold every input at once).
warm() {
  local f
  for f in "$@"; do [[ -f "$f" ]] && cat "$f" > /dev/null; done
}

# bench_one NAME FLOW RECORDS CHECK BASE_CMD|- [--param K=V]...
# Times flowc run, the built executable and both builds of the baseline
# (BASE_CMD names the portable one; the native one is the same command
# from $out/bin/native), checks rows.
bench_one() {
  local name="$1" flow="$2" records="$3" check="$4" base="$5"; shift 5
  [[ "$name" =~ $ONLY ]] || return 0
  note "$name: flowc build"
  if ! build_exe "$name" "$flow" "$@"; then
    PENDING+=("$name ($flow): not supported yet — $(why_not "$name")")
    row "$name" "$records" "not supported yet: $(why_not "$name")"
    return 0
  fi
  # shellcheck disable=SC2086  # BASE_CMD is a word list by design
  warm $base
  local status="ok" native="-" i
  [[ "$base" != "-" ]] && native="$out/bin/native/${base#"$out/bin/"}"
  # The programs take turns, REPEAT rounds, so that a burst of other work
  # on the machine slows them all alike rather than one of them.
  for n in run exe base native; do start_timing "$name.$n"; done
  for ((i = 0; i < REPEAT; i++)); do
    note "$name: flowc run, executable, baselines (round $((i + 1)) of $REPEAT)"
    timed "$name.run" "$flowc" run "$flow" --quiet "$@" || status="run failed ($?)"
    timed "$name.exe" "$out/bin/$name" --quiet || status="exe failed ($?)"
    if [[ "$base" != "-" ]]; then
      # shellcheck disable=SC2086  # BASE_CMD is a word list by design
      timed "$name.base" $base || status="baseline failed ($?)"
      # shellcheck disable=SC2086
      timed "$name.native" $native || status="native baseline failed ($?)"
    fi
    [[ "$status" == ok ]] || break
  done
  local base_s="-" ratio_exe="-" ratio_cpu="-" native_s="-" ratio_native="-" base_rss="-"
  if [[ "$base" != "-" ]]; then
    base_s="$(secs "$name.base")"
    native_s="$(secs "$name.native")"
    base_rss="$(rss_mb "$name.base")"
    ratio_exe="$(awk -v a="$(secs "$name.exe")" -v b="$base_s" 'BEGIN { printf (b > 0 ? "%.2f" : "-"), a / b }')"
    ratio_cpu="$(awk -v a="$(cpu_secs "$name.exe")" -v b="$(cpu_secs "$name.base")" 'BEGIN { printf (b > 0 ? "%.2f" : "-"), a / b }')"
    ratio_native="$(awk -v a="$(cpu_secs "$name.exe")" -v b="$(cpu_secs "$name.native")" 'BEGIN { printf (b > 0 ? "%.2f" : "-"), a / b }')"
    if [[ "$status" == ok ]]; then
      same_rows "$check" "$out/run/$name.exe.out" "$out/run/$name.base.out" || status="DIFF exe/baseline"
      same_rows "$check" "$out/run/$name.run.out" "$out/run/$name.base.out" || status="DIFF run/baseline"
      same_rows "$check" "$out/run/$name.native.out" "$out/run/$name.base.out" || status="DIFF native/baseline"
    fi
  elif [[ "$status" == ok ]]; then
    same_rows all "$out/run/$name.exe.out" "$out/run/$name.run.out" || status="DIFF exe/run"
    status="$status (no baseline)"
  fi
  local exe_s rate
  exe_s="$(secs "$name.exe")"
  # Per CPU second (user + sys): one core, whatever else shares it.
  rate="$(awk -v n="$records" -v s="$(cpu_secs "$name.exe")" 'BEGIN { printf (s > 0 ? "%.1f" : "-"), n / s / 1e6 }')"
  row "$name" "$records" "$(secs "$name.run")" "$exe_s" "$base_s" "$native_s" "$rate" "$ratio_exe" "$ratio_cpu" \
      "$ratio_native" "$(rss_mb "$name.run")" "$(rss_mb "$name.exe")" "$base_rss" "$status"
}

B="$out/bin"
t_start=$SECONDS

# ---------------------------------------------------------------- issue 4
bench_one csv_agg csv_agg.flow "$N" last:1 "$B/base_agg csv $data/events.csv" \
  --param "input=$data/events.csv"
bench_one json_agg json_agg.flow "$N" last:1 "$B/base_agg json $data/events.jsonl" \
  --param "input=$data/events.jsonl"
bench_one gen_agg gen_agg.flow "$GEN_N" last:1 "$B/base_gen_agg $GEN_N" --param "n=$GEN_N"

# Start-up: time to the first output row, min of 10 runs, over a 3-row file.
if [[ startup =~ $ONLY ]]; then
  note "startup"
  if build_exe startup csv_agg.flow --param "input=$data/tiny.csv"; then
    read -r run_first run_total < <(cd "$bench" && "$B/first_output" 10 "$flowc" run csv_agg.flow --quiet \
                                       --param "input=$data/tiny.csv")
    read -r exe_first exe_total < <(cd "$bench" && "$B/first_output" 10 "$B/startup" --quiet)
    read -r base_first base_total < <(cd "$bench" && "$B/first_output" 10 "$B/base_agg" csv "$data/tiny.csv")
    EXTRA+=("start-up (csv_agg.flow over a 3-row file; min of 10 runs; first output / exit):")
    EXTRA+=("  flowc run    ${run_first:-?} ms / ${run_total:-?} ms   (target < 150 ms)")
    EXTRA+=("  executable   ${exe_first:-?} ms / ${exe_total:-?} ms   (target < 10 ms)")
    EXTRA+=("  baseline     ${base_first:-?} ms / ${base_total:-?} ms")
  else
    EXTRA+=("start-up: not supported yet — $(why_not startup)")
  fi
fi

# Memory: the CSV pipeline's peak RSS at 1M and N records should be flat.
if [[ memory =~ $ONLY ]] && [[ -f "$out/run/csv_agg.exe.time" ]]; then
  note "memory: csv_agg at 1M records"
  if build_exe csv_agg_1m csv_agg.flow --param "input=$data/events_1m.csv"; then
    timed_n csv_agg_1m.exe "$B/csv_agg_1m" --quiet
    timed_n csv_agg_1m.run "$flowc" run csv_agg.flow --quiet --param "input=$data/events_1m.csv"
    timed_n csv_agg_1m.base "$B/base_agg" csv "$data/events_1m.csv"
    EXTRA+=("memory (csv_agg.flow, peak RSS MB at 1M -> $N records; should stay flat):")
    EXTRA+=("  flowc run    $(rss_mb csv_agg_1m.run) -> $(rss_mb csv_agg.run)")
    EXTRA+=("  executable   $(rss_mb csv_agg_1m.exe) -> $(rss_mb csv_agg.exe)")
    EXTRA+=("  baseline     $(rss_mb csv_agg_1m.base) -> $(rss_mb csv_agg.base)")
  fi
fi

# ---------------------------------------------------------------- issue 5
bench_one ysb_window ysb_window.flow "$N" all "$B/base_ysb json $data/ysb.jsonl" \
  --param "input=$data/ysb.jsonl"
bench_one gen_tumbling gen_tumbling.flow "$N" all - --param "n=$N"
bench_one gen_sliding gen_sliding.flow "$N" all - --param "n=$N"

# ---------------------------------------------------------------- issue 6
bench_one ysb_campaign ysb_campaign.flow "$N" all "$B/base_ysb json $data/ysb.jsonl $data/campaigns.csv" \
  --param "input=$data/ysb.jsonl" --param "campaigns_file=$data/campaigns.csv"
bench_one balance balance.flow "$N" all - --param "n=$N"

# ---------------------------------------------------------------- issue 14
bench_one ysb_campaign_csv ysb_campaign_csv.flow "$N" all "$B/base_ysb csv $data/ysb.csv $data/campaigns.csv" \
  --param "input=$data/ysb.csv" --param "campaigns_file=$data/campaigns.csv"
bench_one wordcount wordcount.flow "$((N / 5))" last:1 "$B/base_wordcount $data/words.txt" \
  --param "input=$data/words.txt"

# ---------------------------------------------------------------- report
{
  echo
  echo "flowc benchmarks — $(date -u +%Y-%m-%dT%H:%M:%SZ), $(git -C "$root" rev-parse --short HEAD 2>/dev/null), best of $REPEAT"
  echo
} | tee "$out/results.txt"
{
  printf 'benchmark\trecords\trun s\texe s\tbase s\tnative s\texe Mrec/cpu s\texe/base\tcpu exe/base\tcpu exe/native\tRSS run MB\tRSS exe MB\tRSS base MB\tcheck\n'
  for r in "${ROWS[@]}"; do echo "$r"; done
} | awk -F'\t' '
  { for (i = 1; i <= NF; i++) { cell[NR, i] = $i; if (length($i) > w[i] && !($0 ~ /not supported yet/ && i == 3)) w[i] = length($i) }
    nf[NR] = NF }
  END {
    for (r = 1; r <= NR; r++) {
      line = ""
      for (i = 1; i <= nf[r]; i++) {
        if (cell[r, i] ~ /not supported yet/) { line = line cell[r, i]; break }
        line = line sprintf(i <= 2 ? "%-*s  " : "%*s  ", w[i], cell[r, i])
      }
      sub(/ +$/, "", line)
      print line
    }
  }' | tee -a "$out/results.txt"
{
  echo
  for e in "${EXTRA[@]}"; do echo "$e"; done
  if (( ${#PENDING[@]} > 0 )); then
    echo
    echo "waiting for the compiler:"
    for p in "${PENDING[@]}"; do echo "  $p"; done
  fi
  echo
  echo "run s = flowc run (JIT, compile included); exe s = the flowc build executable (any x86-64);"
  echo "base s = the hand-written C++ baseline built like it (-O2); native s = the baseline built for this"
  echo "machine (-O2 -march=native); every program pinned to one core. Ratios > 1 mean flowc is slower"
  echo "(cpu: user+sys time, steadier than wall time when other work shares the machine)."
  echo "Outputs in ${out#"$root"/}/run/."
  echo "total bench time: $((SECONDS - t_start)) s"
} | tee -a "$out/results.txt"
if [[ startup =~ $ONLY ]]; then echo; bash "$bench/startup.sh" "$build" | tee -a "$out/results.txt"; fi  # issue 21: flowc run start-up, cold and warm cache
if [[ udf =~ $ONLY ]]; then bash "$bench/udf.sh" "$build" || echo "bench: udf.sh failed"; fi  # issue 20: C++ function vs built-in where
if [[ inputs =~ $ONLY ]]; then echo; bash "$bench/inputs.sh" "$build" | tee -a "$out/results.txt"; fi  # issue 18: .gz vs zcat, folders of 100,000 files
if [[ threads =~ $ONLY ]]; then bash "$bench/threads.sh" "$build" || echo "bench: threads.sh failed"; fi  # issue 16: 1 thread vs 2..4, same rows
if [[ latency =~ $ONLY ]]; then /usr/bin/python3 "$bench/latency.py" "$build/compiler/flowc" | tee -a "$out/results.txt"; fi  # issue 16: 10 ms batches, p99
