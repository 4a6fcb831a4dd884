/* SegmentTemplate identifiers (ISO/IEC 23009-1 5.3.9.4.4): $$, and
 * $RepresentationID$, $Number$, $Time$, $Bandwidth$ with an optional %0Nd
 * width on the numeric ones. Templates are checked and partly substituted
 * once at parse time, then expanded per segment with only numbers left. */
#include "manifest/internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "core/strbuf.h"

typedef enum tpl_id { TPL_DOLLAR, TPL_REPID, TPL_NUMBER, TPL_TIME, TPL_BANDWIDTH } tpl_id;

typedef struct tpl_tok {
    tpl_id id;
    int width;   /* 0: no format tag */
    size_t len;  /* bytes of the whole $...$ */
} tpl_tok;

/* Widths beyond this only serve to make huge strings. */
#define TPL_MAX_WIDTH 32
/* A template substituted is at most this long: $RepresentationID$ repeated
 * with a long id would otherwise grow as their product (a 16 MiB manifest
 * could ask for terabytes). URLs are far shorter, signed CDN URLs included. */
#define TPL_MAX_LEN (64u << 10)

/* Parse the identifier starting at s (which points at '$'); -1 if malformed. */
static int tpl_token(const char *s, tpl_tok *t)
{
    static const struct { const char *name; tpl_id id; } ids[] = {
        {"RepresentationID", TPL_REPID}, {"Number", TPL_NUMBER},
        {"Time", TPL_TIME},              {"Bandwidth", TPL_BANDWIDTH},
    };
    const char *close = strchr(s + 1, '$');
    if (!close)
        return -1;
    memset(t, 0, sizeof(*t));
    t->len = (size_t)(close - s) + 1;
    if (close == s + 1) {
        t->id = TPL_DOLLAR;
        return 0;
    }
    size_t name_len = strcspn(s + 1, "%$");
    size_t i;
    for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
        if (strlen(ids[i].name) == name_len && !memcmp(ids[i].name, s + 1, name_len))
            break;
    if (i == sizeof(ids) / sizeof(ids[0]))
        return -1;
    t->id = ids[i].id;
    const char *fmt = s + 1 + name_len;
    if (*fmt == '$')
        return 0;
    if (t->id == TPL_REPID || fmt[0] != '%' || fmt[1] != '0')
        return -1;
    const char *p = fmt + 2;
    int width = 0;
    while (*p >= '0' && *p <= '9' && width <= TPL_MAX_WIDTH)
        width = width * 10 + (*p++ - '0');
    if (p == fmt + 2 || *p != 'd' || p + 1 != close || width > TPL_MAX_WIDTH)
        return -1;
    t->width = width;
    return 0;
}

static void put_number(strbuf *sb, uint64_t v, int width)
{
    sb_printf(sb, "%0*" PRIu64, width, v);
}

hasp_err mf_tpl_prepare(const char *tpl, const char *rep_id, int64_t bandwidth,
                        int *uses, char **out, char *errbuf)
{
    strbuf sb;
    sb_init(&sb);
    *uses = 0;
    for (const char *s = tpl; *s;) {
        size_t plain = strcspn(s, "$");
        sb_append(&sb, s, plain);
        s += plain;
        if (!*s)
            break;
        tpl_tok t;
        if (tpl_token(s, &t) < 0) {
            sb_free(&sb);
            return hs_fail(errbuf, HASP_ERR_PARSE,
                           "SegmentTemplate \"%s\": bad identifier at \"%.40s\"", tpl, s);
        }
        if (t.id == TPL_REPID) {
            for (const char *c = rep_id ? rep_id : ""; *c && sb.len <= TPL_MAX_LEN; c++)
                sb_puts(&sb, *c == '$' ? "$$" : (char[]){*c, '\0'}); /* stays escaped */
        } else if (t.id == TPL_BANDWIDTH)
            put_number(&sb, bandwidth > 0 ? (uint64_t)bandwidth : 0, t.width);
        else {
            *uses |= t.id == TPL_NUMBER ? MF_TPL_NUMBER : t.id == TPL_TIME ? MF_TPL_TIME : 0;
            sb_append(&sb, s, t.len);
        }
        s += t.len;
        if (sb.len > TPL_MAX_LEN) {
            sb_free(&sb);
            return hs_fail(errbuf, HASP_ERR_LIMIT,
                           "SegmentTemplate \"%.40s...\": longer than %u bytes once "
                           "substituted", tpl, TPL_MAX_LEN);
        }
    }
    if ((*uses & MF_TPL_NUMBER) && (*uses & MF_TPL_TIME)) {
        sb_free(&sb);
        return hs_fail(errbuf, HASP_ERR_PARSE,
                       "SegmentTemplate \"%s\": $Number$ and $Time$ together", tpl);
    }
    if (sb_finish(&sb, out) != HASP_OK)
        return hs_fail(errbuf, HASP_ERR_NOMEM, "out of memory expanding a template");
    return HASP_OK;
}

char *mf_tpl_expand(const char *tpl, uint64_t number, uint64_t time)
{
    strbuf sb;
    sb_init(&sb);
    for (const char *s = tpl; *s;) {
        size_t plain = strcspn(s, "$");
        sb_append(&sb, s, plain);
        s += plain;
        if (!*s)
            break;
        tpl_tok t;
        if (tpl_token(s, &t) < 0) { /* cannot happen after mf_tpl_prepare */
            sb_free(&sb);
            return NULL;
        }
        if (t.id == TPL_NUMBER || t.id == TPL_TIME)
            put_number(&sb, t.id == TPL_NUMBER ? number : time, t.width);
        else
            sb_append(&sb, "$", 1);
        s += t.len;
    }
    char *out;
    return sb_finish(&sb, &out) == HASP_OK ? out : NULL;
}
