/* `hasp probe` output: the --json document of DESIGN.md and a text outline. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "manifest/internal.h"

static const char *media_name(mf_media m)
{
    switch (m) {
    case MF_VIDEO: return "video";
    case MF_AUDIO: return "audio";
    case MF_TEXT: return "text";
    case MF_OTHER: break;
    }
    return "other";
}

/* A quality's segments are known once its index is loaded. */
static int index_known(const mf_quality *q)
{
    return q->src && q->src->kind != MF_SRC_SIDX && (!q->playlist_url || q->playlist_loaded);
}

/* sb_json_num converts to long long before it checks the magnitude, which
 * is undefined for values past 2^63 that hostile manifests produce (found
 * by fuzz_mpd); those go through %g here until strbuf checks first. */
static void json_num(strbuf *sb, double v)
{
    if (fabs(v) < 1e15)
        sb_json_num(sb, v);
    else if (isfinite(v))
        sb_printf(sb, "%.10g", v);
    else
        sb_puts(sb, "null");
}

/* Positive values, else null: 0 means unknown for these fields. */
static void json_pos(strbuf *sb, double v)
{
    if (v > 0)
        json_num(sb, v);
    else
        sb_puts(sb, "null");
}

static void json_time(strbuf *sb, double v)
{
    if (v >= 0)
        json_num(sb, v);
    else
        sb_puts(sb, "null");
}

static void json_range(strbuf *sb, mf_range r)
{
    if (r.first < 0)
        sb_puts(sb, "null");
    else
        sb_printf(sb, "\"%lld-%lld\"", (long long)r.first, (long long)r.last);
}

static void json_segments(strbuf *sb, const mf_quality *q)
{
    if (q->has_init) {
        sb_puts(sb, ",\"init\":{\"url\":");
        sb_json_str(sb, q->init_url);
        sb_puts(sb, ",\"range\":");
        json_range(sb, q->init_range);
        sb_puts(sb, "}");
    } else
        sb_puts(sb, ",\"init\":null");
    sb_puts(sb, ",\"segments\":[");
    uint64_t first = index_known(q) ? mf_quality_first_available(q) : 0;
    uint64_t end = index_known(q) ? mf_quality_segment_count(q) : 0;
    for (uint64_t i = first; i < end; i++) {
        mf_segment seg;
        if (mf_quality_segment(q, i, &seg, NULL) != HASP_OK) {
            sb->failed = 1;
            break;
        }
        sb_puts(sb, i == first ? "{\"url\":" : ",{\"url\":");
        sb_json_str(sb, seg.url);
        sb_puts(sb, ",\"range\":");
        json_range(sb, seg.range);
        sb_puts(sb, ",\"start\":");
        json_num(sb, seg.start);
        sb_puts(sb, ",\"duration\":");
        json_num(sb, seg.duration);
        sb_printf(sb, ",\"number\":%llu}", (unsigned long long)seg.number);
        mf_segment_clear(&seg);
    }
    sb_puts(sb, "]");
}

static void json_quality(strbuf *sb, const mf_quality *q, int with_segments)
{
    sb_puts(sb, "{\"id\":");
    sb_json_str(sb, q->id);
    sb_puts(sb, ",\"bandwidth\":");
    json_num(sb, (double)q->bandwidth);
    sb_puts(sb, ",\"codec\":");
    sb_json_str(sb, q->codecs);
    sb_puts(sb, ",\"mime\":");
    sb_json_str(sb, q->mime);
    sb_puts(sb, ",\"width\":");
    json_pos(sb, q->width);
    sb_puts(sb, ",\"height\":");
    json_pos(sb, q->height);
    sb_puts(sb, ",\"fps\":");
    json_pos(sb, q->fps);
    sb_puts(sb, ",\"sample_rate\":");
    json_pos(sb, q->sample_rate);
    sb_puts(sb, ",\"channels\":");
    json_pos(sb, q->channels);
    sb_puts(sb, ",\"segment_count\":");
    if (index_known(q))
        json_num(sb, (double)mf_quality_segment_count(q));
    else
        sb_puts(sb, "null");
    if (with_segments)
        json_segments(sb, q);
    sb_puts(sb, "}");
}

static void json_group(strbuf *sb, const mf_group *g, int with_segments)
{
    sb_printf(sb, "{\"idx\":%d,\"type\":\"%s\",\"lang\":", g->idx, media_name(g->type));
    sb_json_str(sb, g->lang);
    sb_puts(sb, ",\"label\":");
    sb_json_str(sb, g->label);
    sb_printf(sb, ",\"protected\":%s,\"qualities\":[", g->is_protected ? "true" : "false");
    for (size_t i = 0; i < g->n_qualities; i++) {
        if (i)
            sb_puts(sb, ",");
        json_quality(sb, g->qualities[i], with_segments);
    }
    sb_puts(sb, "]}");
}

/* --segments lists at most this many segments in all: a hostile manifest
 * names 10^7 per quality (limits.max_segments) in a few bytes, which would
 * make gigabytes of JSON. */
#define PROBE_MAX_SEGMENTS 1000000u

static uint64_t listed_segments(const mf_presentation *p)
{
    uint64_t n = 0;
    for (size_t i = 0; i < p->n_periods; i++)
        for (size_t g = 0; g < p->periods[i]->n_groups; g++) {
            const mf_group *grp = p->periods[i]->groups[g];
            for (size_t k = 0; k < grp->n_qualities; k++) {
                const mf_quality *q = grp->qualities[k];
                if (index_known(q))
                    n += mf_quality_segment_count(q) - mf_quality_first_available(q);
            }
        }
    return n;
}

hasp_err mf_probe_json(const mf_presentation *p, int with_segments, char **json)
{
    if (with_segments && listed_segments(p) > PROBE_MAX_SEGMENTS)
        return HASP_ERR_LIMIT;
    strbuf sb;
    sb_init(&sb);
    sb_printf(&sb, "{\"format\":\"%s\",\"dynamic\":%s,\"duration\":",
              p->format == MF_DASH ? "dash" : "hls", p->dynamic ? "true" : "false");
    json_time(&sb, p->duration);
    sb_puts(&sb, ",\"periods\":[");
    for (size_t i = 0; i < p->n_periods; i++) {
        const mf_period *per = p->periods[i];
        sb_puts(&sb, i ? ",{\"id\":" : "{\"id\":");
        sb_json_str(&sb, per->id);
        sb_puts(&sb, ",\"start\":");
        json_time(&sb, per->start);
        sb_puts(&sb, ",\"duration\":");
        json_time(&sb, per->duration);
        sb_puts(&sb, ",\"groups\":[");
        for (size_t g = 0; g < per->n_groups; g++) {
            if (g)
                sb_puts(&sb, ",");
            json_group(&sb, per->groups[g], with_segments);
        }
        sb_puts(&sb, "]}");
    }
    sb_puts(&sb, "]}");
    return sb_finish(&sb, json);
}

static void text_quality(strbuf *sb, size_t i, const mf_quality *q)
{
    sb_printf(sb, "    [%zu] %s  %lld bit/s  %s", i, q->id ? q->id : "-",
              (long long)q->bandwidth, q->codecs ? q->codecs : "?");
    if (q->width)
        sb_printf(sb, "  %dx%d", q->width, q->height);
    if (q->fps > 0)
        sb_printf(sb, "  %.3f fps", q->fps);
    if (q->sample_rate)
        sb_printf(sb, "  %d Hz", q->sample_rate);
    if (q->channels)
        sb_printf(sb, "  %d ch", q->channels);
    if (index_known(q))
        sb_printf(sb, "  %llu segments", (unsigned long long)mf_quality_segment_count(q));
    else
        sb_puts(sb, "  (index not loaded)");
    sb_puts(sb, "\n");
}

hasp_err mf_probe_text(const mf_presentation *p, char **text)
{
    strbuf sb;
    sb_init(&sb);
    sb_printf(&sb, "%s %s", p->format == MF_DASH ? "DASH" : "HLS", p->dynamic ? "live" : "on demand");
    if (p->duration >= 0)
        sb_printf(&sb, ", %.3f s", p->duration);
    sb_printf(&sb, ", %zu period(s)\n", p->n_periods);
    for (size_t i = 0; i < p->n_periods; i++) {
        const mf_period *per = p->periods[i];
        sb_printf(&sb, "Period %zu%s%s: start %.3f s", i, per->id ? " id=" : "",
                  per->id ? per->id : "", per->start);
        if (per->duration >= 0)
            sb_printf(&sb, ", duration %.3f s", per->duration);
        sb_puts(&sb, "\n");
        for (size_t g = 0; g < per->n_groups; g++) {
            const mf_group *gr = per->groups[g];
            sb_printf(&sb, "  Group %d: %s%s%s%s%s%s\n", gr->idx, media_name(gr->type),
                      gr->lang ? " lang=" : "", gr->lang ? gr->lang : "",
                      gr->label ? " label=" : "", gr->label ? gr->label : "",
                      gr->is_protected ? " (protected)" : "");
            for (size_t k = 0; k < gr->n_qualities; k++)
                text_quality(&sb, k, gr->qualities[k]);
        }
    }
    return sb_finish(&sb, text);
}
