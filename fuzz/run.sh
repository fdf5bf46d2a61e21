#!/usr/bin/env bash
# fuzz/run.sh — builds the libFuzzer targets (clang++-19, ASan + UBSan) in
# BUILD_FUZZ (default build-fuzz), seeds their corpora from tests/ and
# examples/, and runs each target for FUZZ_SECONDS (default 60). Exits 1 when
# any target found a crash, a leak, a timeout or an out-of-memory; the
# reproducer is left in $BUILD_FUZZ/findings/TARGET/. Corpora persist in
# $BUILD_FUZZ/corpus/TARGET, so repeated runs go deeper.
#
#   make fuzz                                   # every target, 60 s each
#   FUZZ_SECONDS=600 FUZZ_TARGETS="frontend json" bash fuzz/run.sh
#
# Reproduce a finding:  build-fuzz/fuzz/fuzz_TARGET FILE
# Then fix it and copy FILE into fuzz/regressions/TARGET/ (replayed by ctest
# in the default build: fuzz_regressions_TARGET).
#
# Runs under `nice -n 19` with one build job (FUZZ_JOBS): the machine is
# shared. Needs clang-19 and libclang-rt-19-dev (installed when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD_FUZZ=${BUILD_FUZZ:-build-fuzz}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_JOBS=${FUZZ_JOBS:-1}
FUZZ_TARGETS=${FUZZ_TARGETS:-"frontend csv json splitter regex values checkpoint writers"}

bash scripts/install-deps.sh
if ! dpkg-query -W -f='${Status}' libclang-rt-19-dev 2>/dev/null | grep -q "install ok installed"; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends libclang-rt-19-dev
fi

if [ ! -f "$BUILD_FUZZ/build.ninja" ]; then
  CC=clang-19 CXX=clang++-19 nice -n 19 cmake -S . -B "$BUILD_FUZZ" -G Ninja \
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS=-gline-tables-only \
    -DCMAKE_CXX_FLAGS=-gline-tables-only -DFLOWC_FUZZ=ON -DFLOWC_SANITIZE=address,undefined
fi
targets=()
for t in $FUZZ_TARGETS; do targets+=("fuzz_$t"); done
nice -n 19 cmake --build "$BUILD_FUZZ" -j "$FUZZ_JOBS" --target "${targets[@]}"

python3 fuzz/seed_corpora.py "$BUILD_FUZZ/seeds"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=()
for t in $FUZZ_TARGETS; do
  corpus="$BUILD_FUZZ/corpus/$t"
  findings="$BUILD_FUZZ/findings/$t"
  mkdir -p "$corpus" "$findings"
  extra=()
  [ -d "fuzz/regressions/$t" ] && extra+=("fuzz/regressions/$t")
  [ -f "fuzz/$t.dict" ] && extra+=("-dict=fuzz/$t.dict")
  case $t in
    frontend) extra+=("-max_len=8192") ;;
    splitter) extra+=("-max_len=16384") ;;
    *) extra+=("-max_len=4096") ;;
  esac
  echo "fuzz: $t for ${FUZZ_SECONDS}s"
  start=$(date +%s)
  if ! nice -n 19 "$BUILD_FUZZ/fuzz/fuzz_$t" "$corpus" "$BUILD_FUZZ/seeds/$t" \
      -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2560 \
      -artifact_prefix="$findings/" -print_final_stats=1 "${extra[@]}" \
      > "$BUILD_FUZZ/findings/$t.log" 2>&1; then
    failed+=("$t")
    echo "fuzz: $t FOUND SOMETHING (log: $BUILD_FUZZ/findings/$t.log)"
    grep -E "^(==|SUMMARY|.*runtime error)" "$BUILD_FUZZ/findings/$t.log" | head -20 || true
    ls "$findings"
  fi
  echo "fuzz: $t ran $(( $(date +%s) - start ))s, $(grep -E '^stat::number_of_executed_units' "$BUILD_FUZZ/findings/$t.log" | awk '{print $2}') inputs"
  echo "$t $(( $(date +%s) - start ))" >> "$BUILD_FUZZ/fuzz-seconds.log"
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: findings in: ${failed[*]}"
  exit 1
fi
echo "fuzz: no findings"
