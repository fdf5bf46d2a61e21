#!/usr/bin/env bash
# bench/udf.sh BUILD_DIR — issue 20: a C++ function in the YSB `where`
# against the built-in expression it replaces, side by side:
#
#   builtin  ysb_window.flow   | where event_type == "view"
#   udf      ysb_udf.flow      | where is_view(event_type)     (is_view.cpp)
#
# Both are built with `flowc build` and run on the same data (ysb.jsonl from
# gen_data, shared with run.sh), pinned to one CPU with taskset, alternating
# builtin/udf BENCH_REPEAT times; the best wall and CPU (user + sys) times
# are kept. The rows must be identical. Prints a small table and the ratio
# udf / builtin (the target: <= 1, within noise).
#
# Knobs: BENCH_N (records, 10,000,000; other values use bench/data/nN/),
# BENCH_REPEAT (5), BENCH_CPU (the CPU to pin to; default the last one).
set -euo pipefail

build="${1:-build}"
root="$(cd "$(dirname "$0")/.." && pwd)"
case "$build" in /*) ;; *) build="$root/$build" ;; esac
flowc="$build/compiler/flowc"
[[ -x "$flowc" ]] || { echo "udf.sh: no flowc at $flowc (build first: make build)" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "udf.sh: needs /usr/bin/time (GNU time)" >&2; exit 2; }
command -v taskset > /dev/null || { echo "udf.sh: needs taskset (util-linux)" >&2; exit 2; }

N="${BENCH_N:-10000000}"
REPEAT="${BENCH_REPEAT:-5}"
CPU="${BENCH_CPU:-$(( $(nproc) - 1 ))}"
bench="$root/bench"
out="$build/bench/udf"
data="$bench/data"
[[ "$N" == 10000000 ]] || data="$bench/data/n$N"
mkdir -p "$out" "$data" "$build/bench/bin"
export LC_ALL=C
note() { printf 'udf.sh: %s\n' "$*" >&2; }

# The data: the same files and stamp as run.sh, made only when missing.
source "$bench/bench_data.sh"
bench_data_ready
cat "$data/ysb.jsonl" > /dev/null  # into the page cache

declare -A flows=([builtin]=ysb_window.flow [udf]=ysb_udf.flow)
for name in builtin udf; do
  note "flowc build ${flows[$name]}"
  (cd "$bench" && "$flowc" build "${flows[$name]}" -o "$out/$name" --param "input=$data/ysb.jsonl")
done

declare -A wall cpu
for ((i = 0; i < REPEAT; i++)); do
  for name in builtin udf; do
    /usr/bin/time -f '%e %U %S' -o "$out/$name.t" \
      taskset -c "$CPU" "$out/$name" --quiet > "$out/$name.out"
    read -r s u k < "$out/$name.t"
    c="$(awk -v u="$u" -v k="$k" 'BEGIN { printf "%.2f", u + k }')"
    if [[ -z "${wall[$name]:-}" ]] || awk -v a="$s" -v b="${wall[$name]}" 'BEGIN { exit !(a < b) }'; then
      wall[$name]="$s"
    fi
    if [[ -z "${cpu[$name]:-}" ]] || awk -v a="$c" -v b="${cpu[$name]}" 'BEGIN { exit !(a < b) }'; then
      cpu[$name]="$c"
    fi
  done
done

check="same rows"
cmp -s "$out/builtin.out" "$out/udf.out" || check="DIFFERENT ROWS"
{
  echo
  echo "C++ function in the YSB where (issue 20) — $N records, CPU $CPU, best of $REPEAT, $(git -C "$root" rev-parse --short HEAD 2>/dev/null)"
  printf '%-8s  %-40s  %7s  %7s  %9s\n' program where "wall s" "cpu s" "Mrec/s"
  for name in builtin udf; do
    where='event_type == "view"'
    [[ $name == udf ]] && where='is_view(event_type)  (is_view.cpp)'
    printf '%-8s  %-40s  %7s  %7s  %9s\n' "$name" "$where" "${wall[$name]}" "${cpu[$name]}" \
      "$(awk -v n="$N" -v s="${wall[$name]}" 'BEGIN { printf (s > 0 ? "%.1f" : "-"), n / s / 1e6 }')"
  done
  printf 'udf / builtin: wall %s, cpu %s; %s\n' \
    "$(awk -v a="${wall[udf]}" -v b="${wall[builtin]}" 'BEGIN { printf (b > 0 ? "%.3f" : "-"), a / b }')" \
    "$(awk -v a="${cpu[udf]}" -v b="${cpu[builtin]}" 'BEGIN { printf (b > 0 ? "%.3f" : "-"), a / b }')" \
    "$check"
} | tee "$out/results.txt"
[[ "$check" == "same rows" ]]
