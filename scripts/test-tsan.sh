#!/usr/bin/env bash
# scripts/test-tsan.sh — `make test-tsan`: the tests that run pipelines on
# several threads (--threads, runtime/worker.h), under ThreadSanitizer.
#
# Configures a third build in BUILD_TSAN (default build-tsan) with
# FLOWC_SANITIZE=thread: the runtime (the worker pool, the morsel queue and
# the in-order commit), the stdlib and the compiler are instrumented. Code
# the JIT generates is not (LLVM emits it without TSan's instrumentation),
# but every runtime call it makes from a worker thread is, and generated
# code keeps each worker's state in that worker's own slots. Runs the
# runtime's GoogleTest suites, the run suite with --threads 4 (JIT and
# built: executables link the instrumented archives with -fsanitize=thread),
# threads_test.py, the parallel crash test and the metrics test (its HTTP
# thread). Kafka is left out (the Kafka unit tests and the metrics test's
# Kafka lag part): librdkafka's own threads are not instrumented. So is
# RuntimeHygiene: its resident-set bound counts the pages of the mapped
# input file it reads, which TSan shadows several times over.
# TSAN_JOBS sets the build and test parallelism (default 1); nice.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_TSAN=${BUILD_TSAN:-build-tsan}
TSAN_JOBS=${TSAN_JOBS:-1}

bash scripts/install-deps.sh
if [ ! -f "$BUILD_TSAN/build.ninja" ]; then
  nice -n 19 cmake -S . -B "$BUILD_TSAN" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CXX_FLAGS=-g1 -DFLOWC_SANITIZE=thread
fi
start=$(date +%s)
nice -n 19 cmake --build "$BUILD_TSAN" -j "$TSAN_JOBS"
built=$(date +%s)

export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}
status=0
(cd "$BUILD_TSAN" && nice -n 19 ctest --output-on-failure -j "$TSAN_JOBS" --timeout 1800 \
  -R '^(Runtime|data_run_threads4|threads|checkpoint_crash_threads4)' -E 'Kafka|RuntimeHygiene') \
  || status=$?
nice -n 19 /usr/bin/python3 tests/metrics/test_metrics.py --flowc "$BUILD_TSAN/compiler/flowc" \
  --no-kafka || status=$?
echo "test-tsan: build $((built - start))s, tests $(( $(date +%s) - built ))s, status $status"
exit $status
