/*
 * The manifest's codecs string against what a stream holds. hasp decodes
 * what the stream's own headers say, so a wrong string (a typo, a packager
 * bug, a hostile manifest) changes nothing but deserves a report: it is
 * what the adaptation and the application were told.
 */
#include "media/codecs.h"

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The codec of an RFC 6381 entry ("avc1.640015": sample entry "avc1"), by
 * FFmpeg's MP4 sample-entry tables; AV_CODEC_ID_NONE if unknown. */
static enum AVCodecID entry_codec(const char *entry, size_t len)
{
    if (len < 4)
        return AV_CODEC_ID_NONE;
    const struct AVCodecTag *const tags[] = { avformat_get_mov_video_tags(),
                                              avformat_get_mov_audio_tags(), NULL };
    return av_codec_get_id(tags, MKTAG(entry[0], entry[1], entry[2], entry[3]));
}

/* For H.264 entries, the profile_idc the string announces (avc1.PPCCLL),
 * -1 if it does not say. */
static int avc_profile(const char *entry, size_t len)
{
    if (len < 11 || entry[4] != '.')
        return -1;
    char hex[3] = { entry[5], entry[6], '\0' };
    char *end;
    long v = strtol(hex, &end, 16);
    return *end == '\0' ? (int)v : -1;
}

/* The H.264 profile_idc of the stream: from its parameters, else from its
 * avcC (an MP4 demuxer leaves the profile to the decoder); -1 unknown. */
static int stream_avc_profile(const AVCodecParameters *par)
{
    if (par->profile != FF_PROFILE_UNKNOWN)
        return par->profile & 0xFF;
    if (par->extradata && par->extradata_size >= 4 && par->extradata[0] == 1)
        return par->extradata[1];
    return -1;
}

/* 1 if the entry fits par, 0 if it names another codec of par's media type,
 * -1 if it is of another type (or unknown: *unknown set). */
static int entry_fits(const char *entry, size_t len, const AVCodecParameters *par, int *unknown,
                      int *profile_off, int *profile_held)
{
    enum AVCodecID id = entry_codec(entry, len);
    if (id == AV_CODEC_ID_NONE) {
        *unknown = 1;
        return -1;
    }
    if (avcodec_get_type(id) != par->codec_type)
        return -1;
    if (id != par->codec_id)
        return 0;
    int profile = id == AV_CODEC_ID_H264 ? avc_profile(entry, len) : -1;
    int held = id == AV_CODEC_ID_H264 ? stream_avc_profile(par) : -1;
    if (profile >= 0 && held >= 0 && profile != held) {
        *profile_off = profile;
        *profile_held = held;
        return 0;
    }
    return 1;
}

int media_codecs_check(const char *codecs, const AVCodecParameters *par, char *why, size_t n)
{
    if (!codecs || !*codecs || !par)
        return 1;
    int unknown = 0, other = 0, profile_off = -1, profile_held = -1;
    for (const char *s = codecs; *s;) {
        s += strspn(s, " ,");
        size_t len = strcspn(s, " ,");
        if (len == 0)
            break;
        int fit = entry_fits(s, len, par, &unknown, &profile_off, &profile_held);
        if (fit == 1)
            return 1;
        other |= fit == 0;
        s += len;
    }
    const char *held = avcodec_get_name(par->codec_id);
    if (profile_off >= 0)
        snprintf(why, n, "manifest codecs \"%.64s\" announce H.264 profile %d, the stream's is "
                 "%d; decoding what the stream holds", codecs, profile_off, profile_held);
    else if (other || !unknown)
        snprintf(why, n, "manifest codecs \"%.64s\" do not name the stream's codec (%s); "
                 "decoding what the stream holds", codecs, held);
    else
        snprintf(why, n, "manifest codecs \"%.64s\" name no codec hasp knows; the stream holds "
                 "%s, decoded as such", codecs, held);
    return 0;
}
