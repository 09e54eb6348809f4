# FERRY_SANITIZE="address,undefined" (or "thread") builds everything with
# those sanitizers and makes every report fatal, so a test run fails on it.
if(FERRY_SANITIZE)
	add_compile_options(-fsanitize=${FERRY_SANITIZE}
		-fno-sanitize-recover=all -fno-omit-frame-pointer -g)
	add_link_options(-fsanitize=${FERRY_SANITIZE})
endif()

# With FERRY_BUILD_FUZZERS, every library is instrumented for coverage so
# libFuzzer can steer; the fuzz_* binaries add the fuzzer's main.
if(FERRY_BUILD_FUZZERS)
	add_compile_options(-fsanitize=fuzzer-no-link)
endif()
