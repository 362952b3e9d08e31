# rampart — the five entry points. `make run` and `make test` work on a fresh Debian 12
# machine as root; everything they need is installed by `make deps`.

BUILD_DIR      ?= build
TEST_BUILD_DIR ?= build-test
DATA_DIR       ?= ./rampart-data
LISTEN         ?= 127.0.0.1:8080
JOBS           ?= $(shell nproc)

.PHONY: deps build run test unit integration bench fuzz clean

deps:
	@sh scripts/deps.sh

# Optimised release build: used by `make run` and `make bench`.
build: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release \
	  -DRAMPART_TESTS=OFF -DRAMPART_BENCH=ON > $(BUILD_DIR).cmake.log 2>&1 || \
	  (cat $(BUILD_DIR).cmake.log; exit 1)
	@ninja -C $(BUILD_DIR) -j $(JOBS) rampart

run: build
	@./$(BUILD_DIR)/rampart serve --data $(DATA_DIR) --listen $(LISTEN)

# Every test suite — unit, conformance, fuzz-corpus replays and the integration suite with
# real AWS clients — against one AddressSanitizer + UBSan build tree.
test: deps
	@sh scripts/test.sh $(TEST_BUILD_DIR) $(JOBS)

bench: build
	@ninja -C $(BUILD_DIR) -j $(JOBS)
	@sh scripts/bench.sh $(BUILD_DIR)

# libFuzzer targets and a clang -Wthread-safety build (not part of `make test`).
fuzz: deps
	@CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Debug \
	  -DRAMPART_FUZZ=ON -DRAMPART_TESTS=OFF -DRAMPART_BENCH=OFF
	@ninja -C build-fuzz -j $(JOBS)

clean:
	rm -rf $(BUILD_DIR) $(TEST_BUILD_DIR) build-fuzz
