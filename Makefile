# The two commands a newcomer runs: `make demo` and `make test`.
# Both install dependencies (idempotent), configure and build.
BUILD ?= build
JOBS  ?= 2
PREFIX ?= /usr/local

.PHONY: all deps configure build demo test bench clean install

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD)/build.ninja: | deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release

configure: deps $(BUILD)/build.ninja

build: configure
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	@bash scripts/demo.sh $(BUILD)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# flowc in $(PREFIX)/bin, the runtime archives it links programs with in
# $(PREFIX)/lib/flowc.
install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

bench: build
	@bash bench/run.sh $(BUILD)

clean:
	rm -rf $(BUILD)

# flowc and the header C++ functions include (PREFIX/include/flowc/udf.h).
install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

# Hardening (issue 9). `make fuzz`: every libFuzzer target for FUZZ_SECONDS
# (default 60) each, in build-fuzz/ (clang-19); fails on a finding.
# `make test-asan`: the whole test suite under ASan + UBSan, in build-asan/.
.PHONY: fuzz test-asan test-tsan

fuzz: deps
	@bash fuzz/run.sh

test-asan: deps
	@bash scripts/test-asan.sh

# `make test-tsan`: the multi-threaded tests (--threads) under
# ThreadSanitizer, in build-tsan/.
test-tsan: deps
	@bash scripts/test-tsan.sh
