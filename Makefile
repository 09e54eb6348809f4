# The README's commands. `make demo` and `make test` each install what is
# missing, build, and run: nothing else needs doing on a fresh Debian.
BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= 2
CMAKE_FLAGS ?=

.PHONY: all deps build test test-asan check demo demo-clean bench soak format clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) -DFERRY_WERROR=ON $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j$(JOBS)

# Every test: unit (cmocka), scenarios (the real binaries against the
# sandbox), fuzz corpus replay.
test: build
	ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS)

# The same tests built with AddressSanitizer and UndefinedBehaviorSanitizer.
test-asan: deps
	cmake -S . -B $(ASAN_BUILD) -DFERRY_WERROR=ON \
		-DFERRY_SANITIZE=address,undefined -DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build $(ASAN_BUILD) -j$(JOBS)
	ctest --test-dir $(ASAN_BUILD) --output-on-failure -j$(JOBS)

check: test-asan test

# A whole migration of the bundled sample org into the local Attio sandbox.
demo: build
	@scripts/demo.sh $(BUILD)

demo-clean:
	rm -rf demo

bench: build
	@scripts/bench.sh $(BUILD)

soak: build
	@scripts/soak.sh $(BUILD)
	@scripts/soak_extract.sh $(BUILD)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
