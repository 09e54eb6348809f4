/* banned.h: functions ferry must not call, turned into compile errors (after
 * git's banned.h). Included at the end of every util header user through
 * util.h; use ferry_buf, ferry_parse_* and the reentrant time calls. */
#ifndef FERRY_BANNED_H
#define FERRY_BANNED_H

#define FERRY_BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) FERRY_BANNED(strcpy)
#undef strcat
#define strcat(x, y) FERRY_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) FERRY_BANNED(strncpy)
#undef sprintf
#define sprintf(...) FERRY_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) FERRY_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) FERRY_BANNED(strtok)
#undef atoi
#define atoi(x) FERRY_BANNED(atoi)
#undef atol
#define atol(x) FERRY_BANNED(atol)
#undef gmtime
#define gmtime(x) FERRY_BANNED(gmtime)
#undef localtime
#define localtime(x) FERRY_BANNED(localtime)

#endif
