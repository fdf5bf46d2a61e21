#!/usr/bin/env bash
# scripts/test-asan.sh — `make test-asan`: the whole test suite under
# AddressSanitizer + UndefinedBehaviorSanitizer (issue 9).
#
# Configures a second build in BUILD_ASAN (default build-asan) with
# FLOWC_SANITIZE=address,undefined: the runtime, the stdlib (native), the
# compiler, the GoogleTest suites and the fuzz-regression replays are all
# instrumented (-fno-omit-frame-pointer, every finding fatal). LLVM itself is
# a prebuilt library and is not; JIT-compiled pipelines run inside the
# instrumented flowc and call the instrumented runtime, and `flowc build`
# links executables against the instrumented archives with
# -fsanitize=address,undefined, so the data-driven suites (diagnostics,
# parse, run: JIT and built executables) run sanitized end to end.
#
# Then runs ctest there. Takes long on 2 cores (see README.md: about 30
# minutes to build from scratch with one job, about 10 to test), so it is
# not part of .ci/run. ASAN_JOBS sets the build and test parallelism
# (default 1: the machine is shared); everything runs under nice.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_ASAN=${BUILD_ASAN:-build-asan}
ASAN_JOBS=${ASAN_JOBS:-1}

bash scripts/install-deps.sh
if [ ! -f "$BUILD_ASAN/build.ninja" ]; then
  nice -n 19 cmake -S . -B "$BUILD_ASAN" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CXX_FLAGS=-g1 -DFLOWC_SANITIZE=address,undefined
fi
start=$(date +%s)
nice -n 19 cmake --build "$BUILD_ASAN" -j "$ASAN_JOBS"
built=$(date +%s)

# Leaks are findings too; the suppressions name only what is not ours.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=0:check_initialization_order=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$(pwd)/scripts/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
(cd "$BUILD_ASAN" && nice -n 19 ctest --output-on-failure -j "$ASAN_JOBS" --timeout 1800) || status=$?
echo "test-asan: build $((built - start))s, tests $(( $(date +%s) - built ))s, status $status"
exit $status
