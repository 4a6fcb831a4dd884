/* A growable string, for JSON and text output. On allocation failure the
 * buffer keeps what it had and remembers the failure; sb_finish reports it,
 * so callers append without checking each step. */
#ifndef HASP_CORE_STRBUF_H
#define HASP_CORE_STRBUF_H

#include <stddef.h>
#include "hasp/hasp.h"

typedef struct strbuf {
    char *data;
    size_t len, cap;
    int failed;
} strbuf;

void sb_init(strbuf *sb);
void sb_free(strbuf *sb);
void sb_reset(strbuf *sb);
void sb_append(strbuf *sb, const char *s, size_t n);
void sb_puts(strbuf *sb, const char *s);
void sb_printf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A JSON string literal with quotes and escapes; NULL gives `null`. */
void sb_json_str(strbuf *sb, const char *s);
/* A JSON number; NaN and infinities give `null`. */
void sb_json_num(strbuf *sb, double v);
/* Hand over the string (never NULL on HASP_OK); the strbuf is emptied. */
hasp_err sb_finish(strbuf *sb, char **out);

#endif
