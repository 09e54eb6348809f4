/* common.h: the attributes and small macros every ferry file shares. */
#ifndef FERRY_COMMON_H
#define FERRY_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FERRY_WARN_UNUSED       __attribute__((warn_unused_result))
#define FERRY_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define FERRY_NORETURN          __attribute__((noreturn))
#define FERRY_ARRAY_LEN(a)      (sizeof(a) / sizeof((a)[0]))
#define FERRY_UNUSED(x)         ((void)(x))

#endif
