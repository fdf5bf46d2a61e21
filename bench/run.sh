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
for src in "$bench"/gen_data.cpp "$bench"/first_output.cpp "$bench"/base_*.cpp; do
  exe="$out/bin/$(basename "$src" .cpp)"
  if [[ ! -x "$exe" || "$src" -nt "$exe" || "$bench/baseline.h" -nt "$exe" ]]; then
    note "c++ -O2 $(basename "$src")"
    "$CXX" -O2 -std=c++20 -o "$exe" "$src" || { echo "bench: cannot build $src" >&2; exit 1; }
  fi
done

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
cat "$data"/*.csv "$data"/*.jsonl > /dev/null

# ---------------------------------------------------------------- helpers
# timed NAME CMD... — runs CMD REPEAT times from bench/ (the .flow paths are
# relative to it); keeps the best wall time, the largest peak RSS and the
# best CPU time (user + sys) in $out/run/NAME.time ("SECONDS KB CPU"),
# stdout in NAME.out, stderr in NAME.err. Returns CMD's exit status.
timed() {
  local name="$1"; shift
  local best="" cpu="" rss=0 rc=0 i s u k kb c
  for ((i = 0; i < REPEAT; i++)); do
    (cd "$bench" && /usr/bin/time -f '%e %U %S %M' -o "$out/run/$name.t" "$@" \
       > "$out/run/$name.out" 2> "$out/run/$name.err")
    rc=$?
    [[ $rc -eq 0 ]] || break
    read -r s u k kb < <(tail -n 1 "$out/run/$name.t")
    c="$(awk -v u="$u" -v k="$k" 'BEGIN { printf "%.2f", u + k }')"
    if [[ -z "$best" ]] || awk -v a="$s" -v b="$best" 'BEGIN { exit !(a < b) }'; then best="$s"; fi
    if [[ -z "$cpu" ]] || awk -v a="$c" -v b="$cpu" 'BEGIN { exit !(a < b) }'; then cpu="$c"; fi
    (( kb > rss )) && rss=$kb
  done
  echo "${best:-0} $rss ${cpu:-0}" > "$out/run/$name.time"
  return $rc
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

# bench_one NAME FLOW RECORDS CHECK BASE_CMD|- [--param K=V]...
# Times flowc run, the built executable and the baseline, checks rows.
bench_one() {
  local name="$1" flow="$2" records="$3" check="$4" base="$5"; shift 5
  [[ "$name" =~ $ONLY ]] || return 0
  note "$name: flowc build"
  if ! build_exe "$name" "$flow" "$@"; then
    PENDING+=("$name ($flow): not supported yet — $(why_not "$name")")
    row "$name" "$records" "not supported yet: $(why_not "$name")"
    return 0
  fi
  local status="ok"
  note "$name: flowc run"
  timed "$name.run" "$flowc" run "$flow" --quiet "$@" || status="run failed ($?)"
  note "$name: executable"
  timed "$name.exe" "$out/bin/$name" --quiet || status="exe failed ($?)"
  local base_s="-" ratio_exe="-" ratio_run="-" ratio_cpu="-" base_rss="-"
  if [[ "$base" != "-" ]]; then
    note "$name: baseline"
    # shellcheck disable=SC2086  # BASE_CMD is a word list by design
    timed "$name.base" $base || status="baseline failed ($?)"
    base_s="$(secs "$name.base")"
    base_rss="$(rss_mb "$name.base")"
    ratio_exe="$(awk -v a="$(secs "$name.exe")" -v b="$base_s" 'BEGIN { printf (b > 0 ? "%.2f" : "-"), a / b }')"
    ratio_cpu="$(awk -v a="$(cpu_secs "$name.exe")" -v b="$(cpu_secs "$name.base")" 'BEGIN { printf (b > 0 ? "%.2f" : "-"), a / b }')"
    ratio_run="$(awk -v a="$(secs "$name.run")" -v b="$base_s" 'BEGIN { printf (b > 0 ? "%.2f" : "-"), a / b }')"
    if [[ "$status" == ok ]]; then
      same_rows "$check" "$out/run/$name.exe.out" "$out/run/$name.base.out" || status="DIFF exe/baseline"
      same_rows "$check" "$out/run/$name.run.out" "$out/run/$name.base.out" || status="DIFF run/baseline"
    fi
  elif [[ "$status" == ok ]]; then
    same_rows all "$out/run/$name.exe.out" "$out/run/$name.run.out" || status="DIFF exe/run"
    status="$status (no baseline)"
  fi
  local exe_s rate ns
  exe_s="$(secs "$name.exe")"
  rate="$(awk -v n="$records" -v s="$exe_s" 'BEGIN { printf (s > 0 ? "%.1f" : "-"), n / s / 1e6 }')"
  ns="$(awk -v n="$records" -v s="$exe_s" 'BEGIN { printf (s > 0 ? "%.1f" : "-"), s * 1e9 / n }')"
  row "$name" "$records" "$(secs "$name.run")" "$exe_s" "$base_s" "$rate" "$ns" "$ratio_exe" "$ratio_cpu" "$ratio_run" \
      "$(rss_mb "$name.run")" "$(rss_mb "$name.exe")" "$base_rss" "$status"
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
    timed csv_agg_1m.exe "$B/csv_agg_1m" --quiet
    timed csv_agg_1m.run "$flowc" run csv_agg.flow --quiet --param "input=$data/events_1m.csv"
    timed csv_agg_1m.base "$B/base_agg" csv "$data/events_1m.csv"
    EXTRA+=("memory (csv_agg.flow, peak RSS MB at 1M -> $N records; should stay flat):")
    EXTRA+=("  flowc run    $(rss_mb csv_agg_1m.run) -> $(rss_mb csv_agg.run)")
    EXTRA+=("  executable   $(rss_mb csv_agg_1m.exe) -> $(rss_mb csv_agg.exe)")
    EXTRA+=("  baseline     $(rss_mb csv_agg_1m.base) -> $(rss_mb csv_agg.base)")
  fi
fi

# ---------------------------------------------------------------- issue 5
bench_one ysb_window ysb_window.flow "$N" all "$B/base_ysb $data/ysb.jsonl" \
  --param "input=$data/ysb.jsonl"
bench_one gen_tumbling gen_tumbling.flow "$N" all - --param "n=$N"
bench_one gen_sliding gen_sliding.flow "$N" all - --param "n=$N"

# ---------------------------------------------------------------- issue 6
bench_one ysb_campaign ysb_campaign.flow "$N" all "$B/base_ysb $data/ysb.jsonl $data/campaigns.csv" \
  --param "input=$data/ysb.jsonl" --param "campaigns_file=$data/campaigns.csv"
bench_one balance balance.flow "$N" all - --param "n=$N"

# ---------------------------------------------------------------- report
{
  echo
  echo "flowc benchmarks — $(date -u +%Y-%m-%dT%H:%M:%SZ), $(git -C "$root" rev-parse --short HEAD 2>/dev/null), best of $REPEAT"
  echo
} | tee "$out/results.txt"
{
  printf 'benchmark\trecords\trun s\texe s\tbase s\texe Mrec/s\texe ns/rec\texe/base\tcpu exe/base\trun/base\tRSS run MB\tRSS exe MB\tRSS base MB\tcheck\n'
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
  echo "run s = flowc run (JIT, compile included); exe s = the flowc build executable;"
  echo "base s = the hand-written C++ baseline; ratios > 1 mean flowc is slower (cpu exe/base: user+sys"
  echo "time, steadier than wall time when other work shares the machine). Outputs in ${out#"$root"/}/run/."
  echo "total bench time: $((SECONDS - t_start)) s"
} | tee -a "$out/results.txt"
if [[ startup =~ $ONLY ]]; then echo; bash "$bench/startup.sh" "$build" | tee -a "$out/results.txt"; fi  # issue 21: flowc run start-up, cold and warm cache
if [[ udf =~ $ONLY ]]; then bash "$bench/udf.sh" "$build" || echo "bench: udf.sh failed"; fi  # issue 20: C++ function vs built-in where
if [[ inputs =~ $ONLY ]]; then echo; bash "$bench/inputs.sh" "$build" | tee -a "$out/results.txt"; fi  # issue 18: .gz vs zcat, folders of 100,000 files
