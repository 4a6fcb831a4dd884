/* Internal error reporting: a code plus a message in a caller-owned buffer. */
#ifndef HASP_CORE_ERROR_H
#define HASP_CORE_ERROR_H

#include "hasp/hasp.h"

#define HASP_ERRBUF 512

/* Format a message into errbuf (may be NULL) and return code, so that a
 * failure path reads `return hs_fail(err, HASP_ERR_PARSE, "...", ...);`. */
hasp_err hs_fail(char *errbuf, hasp_err code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
