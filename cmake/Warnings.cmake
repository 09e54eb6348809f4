# The picky warning list (after curl's PickyWarnings.cmake): every target of
# ferry is built with it; FERRY_WERROR turns the warnings into errors.
set(FERRY_WARNINGS
	-Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes
	-Wmissing-prototypes -Wmissing-declarations -Wwrite-strings -Wformat=2
	-Wundef -Wpointer-arith -Wvla -Wcast-qual -Wnull-dereference
	-Wdouble-promotion -Wold-style-definition -fno-common
)

# Messages and reasons are bounded on purpose: snprintf cutting a long one is
# the intended behaviour, not a bug to warn about (gcc only; clang has no
# such warning).
include(CheckCCompilerFlag)
check_c_compiler_flag(-Wformat-truncation FERRY_HAS_WFORMAT_TRUNCATION)
if(FERRY_HAS_WFORMAT_TRUNCATION)
	list(APPEND FERRY_WARNINGS -Wno-format-truncation)
endif()
if(FERRY_WERROR)
	list(APPEND FERRY_WARNINGS -Werror)
endif()

function(ferry_target_warnings target)
	target_compile_options(${target} PRIVATE ${FERRY_WARNINGS})
endfunction()
