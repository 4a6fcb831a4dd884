#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>

hasp_err hs_fail(char *errbuf, hasp_err code, const char *fmt, ...)
{
    if (errbuf) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(errbuf, HASP_ERRBUF, fmt, ap);
        va_end(ap);
    }
    return code;
}

const char *hasp_err_str(hasp_err err)
{
    switch (err) {
    case HASP_OK: return "success";
    case HASP_ERR_NOMEM: return "out of memory";
    case HASP_ERR_INVALID: return "invalid argument";
    case HASP_ERR_IO: return "input/output error";
    case HASP_ERR_HTTP: return "HTTP error";
    case HASP_ERR_PARSE: return "malformed input";
    case HASP_ERR_UNSUPPORTED: return "unsupported";
    case HASP_ERR_DECODE: return "decoding error";
    case HASP_ERR_ABORTED: return "aborted";
    case HASP_ERR_TIMEOUT: return "timed out";
    case HASP_ERR_LIMIT: return "limit exceeded";
    case HASP_ERR_SCRIPT: return "adaptation script error";
    case HASP_ERR_STATE: return "invalid state";
    case HASP_ERR_EOF: return "end of stream";
    }
    return "unknown error";
}
