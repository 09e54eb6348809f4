/* util.h: what every ferry source file includes first: the helpers of
 * src/util and the banned-function list. */
#ifndef FERRY_UTIL_H
#define FERRY_UTIL_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ferry/alloc.h"
#include "ferry/buf.h"
#include "ferry/clock.h"
#include "ferry/common.h"
#include "ferry/errors.h"
#include "ferry/strparse.h"

#include "banned.h"

#endif
