/* errors.h: ferry's error contract. A fallible function returns 0 on
 * success or one of the negative codes below, and leaves a one-line message
 * (what failed, where, and what to do) in a per-thread slot. Per-record
 * outcomes (a rejected record, a duplicate) are data in the ledger, never
 * errors. */
#ifndef FERRY_ERRORS_H
#define FERRY_ERRORS_H

#include "ferry/common.h"

enum ferry_error_code {
	FERRY_OK = 0,
	FERRY_ERROR = -1,      /* anything not listed below */
	FERRY_ENOTFOUND = -2,  /* a file, object, record or key is missing */
	FERRY_EEXISTS = -3,    /* it is already there */
	FERRY_EINVALID = -4,   /* bad input: malformed file, bad value */
	FERRY_ETOOBIG = -5,    /* input over a declared limit */
	FERRY_ECONFIG = -6,    /* ferry.yaml or credentials are wrong */
	FERRY_EAUTH = -7,      /* the remote end refused our credentials */
	FERRY_ECONN = -8,      /* could not reach the remote end */
	FERRY_ERATELIMIT = -9, /* rate limited and out of retries */
	FERRY_ETIMEOUT = -10,  /* the remote end did not answer in time */
	FERRY_EHTTP = -11,     /* the remote end answered with an error */
	FERRY_EDB = -12,       /* the workspace database failed */
	FERRY_EIO = -13,       /* reading or writing a local file failed */
	FERRY_ECONFLICT = -14, /* a uniqueness or state conflict */
	FERRY_EUSAGE = -15,    /* the command line is wrong */
	FERRY_EHALTED = -16,   /* the run stopped itself (error rate, signal) */
};

/* Sets the calling thread's error message and returns `code`, so that
 * `return ferry_error_set(FERRY_EINVALID, "...")` is one line. */
int ferry_error_set(int code, const char *fmt, ...) FERRY_PRINTF(2, 3);

/* Prefixes the current message with more context ("staging 'Contact.csv'"),
 * keeping the code; returns the code. */
int ferry_error_wrap(int code, const char *fmt, ...) FERRY_PRINTF(2, 3);

/* The last message set on this thread, or "" if none. Never NULL. */
const char *ferry_error_last(void);

/* The code stored with the last message (0 if none). */
int ferry_error_code(void);

void ferry_error_clear(void);

/* A short name for a code: "invalid input", "connection failed", ... */
const char *ferry_error_name(int code);

#endif
