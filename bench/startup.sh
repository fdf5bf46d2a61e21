#!/usr/bin/env bash
# bench/startup.sh BUILD_DIR — how fast `flowc run` starts (issue 21):
# the time from starting the command to the last row on its stdout.
#
#   ysb cold     flowc run ysb_campaign.flow, a 10,000-row campaigns table and
#                1,000 events, with an empty compile cache (a fresh
#                XDG_CACHE_HOME for every run): parse, optimize, compile, run
#   ysb warm     the same with the cache filled: no LLVM optimizer or backend
#   ysb exe      the program `flowc build` makes of it
#   trivial ...  a generate -> select -> stdout pipeline, cold and warm
#
# Prints the best and the median of BENCH_REPEAT (default 10) runs, in ms,
# and FLOWC_COMPILE_TRACE's steps of one cold and one warm run. Targets:
# ysb cold <= 250 ms, ysb warm <= 60 ms.
set -euo pipefail

build="${1:-build}"
root="$(cd "$(dirname "$0")/.." && pwd)"
case "$build" in /*) ;; *) build="$root/$build" ;; esac
flowc="$build/compiler/flowc"
REPEAT="${BENCH_REPEAT:-10}"
out="$build/bench/startup"
data="$out/data"
mkdir -p "$out/bin" "$data"
export LC_ALL=C

CXX="${CXX:-c++}"
gen="$out/bin/gen_data"
if [[ ! -x "$gen" || "$root/bench/gen_data.cpp" -nt "$gen" ]]; then
  "$CXX" -O2 -std=c++20 -o "$gen" "$root/bench/gen_data.cpp"
fi
[[ -f "$data/ysb.jsonl" ]] || "$gen" "$data" 1000 >/dev/null

cat >"$out/trivial.flow" <<'EOF'
source numbers = generate(count: 3)
stream doubled = numbers | select value, twice = value * 2
sink doubled to stdout
EOF
ysb=("$root/bench/ysb_campaign.flow" --param "input=$data/ysb.jsonl"
     --param "campaigns_file=$data/campaigns.csv")
"$flowc" build "${ysb[@]}" -o "$out/ysb_exe" >/dev/null

# timeit LABEL MODE CMD... — MODE cold: a fresh cache folder per run.
timeit() {
  local label="$1" mode="$2"; shift 2
  python3 - "$label" "$mode" "$REPEAT" "$out" "$@" <<'EOF'
import os, shutil, statistics, subprocess, sys, tempfile, time
label, mode, repeat, out, cmd = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5:]
last_rows = []
for _ in range(repeat):
    env = dict(os.environ)
    tmp = tempfile.mkdtemp(dir=out) if mode == "cold" else None
    env["XDG_CACHE_HOME"] = tmp or os.path.join(out, "warm-cache")
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd + ["--quiet"], stdout=subprocess.PIPE, env=env)
    last, rows = None, b""
    while True:
        chunk = p.stdout.read1(1 << 16)
        if not chunk:
            break
        rows += chunk
        last = time.perf_counter()
    if p.wait() != 0 or not rows:
        sys.exit("startup.sh: %s failed" % label)
    last_rows.append((last - t0) * 1000)
    if tmp:
        shutil.rmtree(tmp)
print("%-16s %8.1f %8.1f" % (label, min(last_rows), statistics.median(last_rows)))
EOF
}

printf '%-16s %8s %8s   (ms to the last row)\n' "" best median
XDG_CACHE_HOME="$out/warm-cache" "$flowc" run "${ysb[@]}" --quiet >/dev/null
XDG_CACHE_HOME="$out/warm-cache" "$flowc" run "$out/trivial.flow" --quiet >/dev/null
timeit "ysb cold" cold "$flowc" run "${ysb[@]}"
timeit "ysb warm" warm "$flowc" run "${ysb[@]}"
timeit "ysb exe" warm "$out/ysb_exe" --param "input=$data/ysb.jsonl" --param "campaigns_file=$data/campaigns.csv"
timeit "trivial cold" cold "$flowc" run "$out/trivial.flow"
timeit "trivial warm" warm "$flowc" run "$out/trivial.flow"

echo
echo "one cold and one warm ysb run, step by step (FLOWC_COMPILE_TRACE=1):"
cold_cache="$(mktemp -d "$out/cold-XXXXXX")"
XDG_CACHE_HOME="$cold_cache" FLOWC_COMPILE_TRACE=1 "$flowc" run "${ysb[@]}" --quiet 2>&1 >/dev/null | sed 's/^/  cold /'
XDG_CACHE_HOME="$cold_cache" FLOWC_COMPILE_TRACE=1 "$flowc" run "${ysb[@]}" --quiet 2>&1 >/dev/null | sed 's/^/  warm /'
rm -rf "$cold_cache"
