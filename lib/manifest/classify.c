/* What kind of media a codecs string or MIME type stands for; DASH and HLS
 * both classify groups with it. */
#include "manifest/internal.h"

#include <string.h>

static int has_prefix(const char *s, const char *prefix)
{
    return !strncmp(s, prefix, strlen(prefix));
}

/* RFC 6381 codecs: the first recognised entry of a comma-separated list
 * decides, except that video wins over audio (a muxed variant is video). */
mf_media mf_codec_media(const char *codecs)
{
    static const char *const video[] = {"avc1", "avc3", "hvc1", "hev1", "vp09", "vp8",
                                        "vp9", "av01", "dvh1", "dvhe", "mp4v"};
    static const char *const audio[] = {"mp4a", "ac-3", "ec-3", "ac-4", "opus", "Opus",
                                        "flac", "fLaC", "mp3", ".mp3", "vorbis"};
    static const char *const text[] = {"stpp", "wvtt", "tx3g", "c608"};
    mf_media found = MF_OTHER;
    for (const char *s = codecs; s && *s;) {
        s += strspn(s, " ,");
        for (size_t i = 0; i < sizeof(video) / sizeof(video[0]); i++)
            if (has_prefix(s, video[i]))
                return MF_VIDEO;
        for (size_t i = 0; found == MF_OTHER && i < sizeof(audio) / sizeof(audio[0]); i++)
            if (has_prefix(s, audio[i]))
                found = MF_AUDIO;
        for (size_t i = 0; found == MF_OTHER && i < sizeof(text) / sizeof(text[0]); i++)
            if (has_prefix(s, text[i]))
                found = MF_TEXT;
        s += strcspn(s, ",");
    }
    return found;
}

mf_media mf_mime_media(const char *mime, const char *codecs)
{
    if (!mime)
        return mf_codec_media(codecs);
    if (has_prefix(mime, "video/"))
        return MF_VIDEO;
    if (has_prefix(mime, "audio/"))
        return MF_AUDIO;
    if (has_prefix(mime, "text/") || has_prefix(mime, "application/ttml+xml"))
        return MF_TEXT;
    return mf_codec_media(codecs); /* application/mp4 carries any of them */
}

mf_media mf_content_type_media(const char *content_type)
{
    if (!content_type)
        return MF_OTHER;
    if (!strcmp(content_type, "video"))
        return MF_VIDEO;
    if (!strcmp(content_type, "audio"))
        return MF_AUDIO;
    if (!strcmp(content_type, "text"))
        return MF_TEXT;
    return MF_OTHER;
}
