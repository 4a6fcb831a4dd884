/* HLS: master and media playlists, on-demand variant loading. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helpers.h"

#define HLS "http://example.com/hls/"

static mf_presentation *load_media(const char *asset, const char *url, fake_server *srv)
{
    mf_loader ld;
    loader_init(&ld, srv);
    mf_presentation *p = NULL;
    char err[HASP_ERRBUF] = "";
    if (mf_load(&ld, url, &p, err) != HASP_OK)
        fail_msg("%s: %s", asset, err);
    return p;
}

static mf_presentation *media_asset(const char *asset, const char *url)
{
    fake_entry files[] = {{url, asset, NULL, 0}};
    fake_server srv = {.entries = files, .n = 1};
    return load_media(asset, url, &srv);
}

static void test_master(void **state)
{
    mf_presentation *p = parse_asset("hls/master.m3u8", HLS "master.m3u8");
    assert_int_equal(p->format, MF_HLS);
    assert_int_equal(p->hls_version, 7);
    assert_true(p->independent_segments);
    assert_float_equal(p->start_offset, -12.5, 1e-9);
    assert_int_equal(p->n_periods, 1);
    mf_period *per = p->periods[0];
    assert_int_equal(per->n_groups, 4);
    mf_group *v = per->groups[0];
    assert_int_equal(v->type, MF_VIDEO);
    assert_int_equal(v->n_qualities, 3);
    const char *urls[] = {HLS "360p.m3u8", "https://cdn.example.com/v1/720p.m3u8",
                          "https://other.example.com/1080p.m3u8?token=https://cdn.example.com/v1"};
    const int64_t bws[] = {800000, 2500000, 5000000};
    const char *ids[] = {"1", "0", "2"};
    for (size_t i = 0; i < 3; i++) {
        assert_string_equal(v->qualities[i]->playlist_url, urls[i]);
        assert_int_equal(v->qualities[i]->bandwidth, bws[i]);
        assert_string_equal(v->qualities[i]->id, ids[i]);
        assert_false(v->qualities[i]->playlist_loaded);
        assert_int_equal(mf_quality_segment_count(v->qualities[i]), 0);
    }
    mf_quality *q720 = v->qualities[1];
    assert_int_equal(q720->average_bandwidth, 2000000);
    assert_string_equal(q720->codecs, "avc1.64001f,mp4a.40.2");
    assert_int_equal(q720->width, 1280);
    assert_int_equal(q720->height, 720);
    assert_float_equal(q720->fps, 29.97, 1e-9);
    assert_string_equal(q720->audio_group, "aac");
    assert_string_equal(q720->subtitle_group, "subs");
    assert_null(v->qualities[2]->audio_group);
    assert_null(v->codecs); /* the variants differ */

    mf_group *en = per->groups[1], *fr = per->groups[2], *de = per->groups[3];
    assert_int_equal(en->type, MF_AUDIO);
    assert_string_equal(en->id, "aac");
    assert_string_equal(en->lang, "en");
    assert_string_equal(en->label, "English");
    assert_true(en->is_default);
    assert_true(en->autoselect);
    assert_int_equal(en->channels, 2);
    assert_string_equal(en->qualities[0]->playlist_url, HLS "audio/en.m3u8");
    assert_string_equal(en->codecs, "mp4a.40.2"); /* from the variants using "aac" */
    assert_string_equal(en->qualities[0]->codecs, "mp4a.40.2");
    assert_null(per->groups[3]->codecs); /* no variant lists a subtitle codec */
    assert_false(fr->is_default);
    assert_int_equal(fr->channels, 6);
    assert_string_equal(fr->label, "Français");
    assert_int_equal(de->type, MF_TEXT);
    assert_string_equal(de->lang, "de");
    assert_int_equal(de->idx, 3);

    assert_int_equal(p->n_iframe_streams, 1);
    assert_string_equal(p->iframe_streams[0]->playlist_url, HLS "iframe/720p.m3u8");
    assert_int_equal(p->iframe_streams[0]->bandwidth, 200000);
    assert_null(p->iframe_streams[0]->group);
    assert_int_equal(p->n_session_keys, 1);
    assert_int_equal(p->session_keys[0].method, MF_KEY_AES128);
    assert_string_equal(p->session_keys[0].uri, HLS "keys/session.key");
    assert_true(p->session_keys[0].has_iv);
    for (int i = 0; i < 16; i++)
        assert_int_equal(p->session_keys[0].iv[i], i);
    mf_presentation_free(p);
}

static void test_master_load_variants(void **state)
{
    fake_entry files[] = {
        {HLS "master.m3u8", "hls/master.m3u8", NULL, 0},
        {HLS "360p.m3u8", "hls/media_vod.m3u8", NULL, 0},
        {"https://cdn.example.com/v1/720p.m3u8", "hls/media_vod.m3u8", NULL, 0},
        {"https://other.example.com/1080p.m3u8?token=https://cdn.example.com/v1", "hls/keys.m3u8", NULL, 0},
        {HLS "audio/en.m3u8", "hls/byterange.m3u8", NULL, 0},
    };
    fake_server srv = {.entries = files, .n = 5};
    mf_loader ld;
    loader_init(&ld, &srv);
    mf_presentation *p = load_media("master", HLS "master.m3u8", &srv);
    assert_int_equal(srv.fetches, 1);
    assert_false(p->dynamic);
    assert_true(p->duration < 0);
    char err[HASP_ERRBUF];
    mf_quality *q360 = quality_at(p, 0, 0, 0);
    assert_int_equal(mf_quality_load(&ld, q360, err), HASP_OK);
    assert_int_equal(srv.fetches, 2);
    assert_true(q360->playlist_loaded);
    assert_int_equal(mf_quality_segment_count(q360), 3);
    check_segment(q360, 1, HLS "seg101.ts", -1, -1, 6, 5.5);
    assert_float_equal(p->duration, 15.75, 1e-9);
    assert_float_equal(p->periods[0]->duration, 15.75, 1e-9);
    assert_int_equal(mf_quality_load(&ld, q360, err), HASP_OK);
    assert_int_equal(srv.fetches, 2); /* a VOD playlist is loaded once */
    mf_quality *q720 = quality_at(p, 0, 0, 1);
    assert_int_equal(mf_quality_load(&ld, q720, err), HASP_OK);
    check_segment(q720, 0, "https://cdn.example.com/v1/seg100.ts", -1, -1, 0, 6);
    mf_quality *en = quality_at(p, 0, 1, 0);
    assert_int_equal(mf_quality_load(&ld, en, err), HASP_OK);
    check_segment(en, 0, HLS "audio/main.mp4", 720, 10719, 0, 4);
    mf_quality *fr = quality_at(p, 0, 2, 0);
    assert_int_equal(mf_quality_load(&ld, fr, err), HASP_ERR_HTTP);
    assert_non_null(strstr(err, "404"));
    assert_false(fr->playlist_loaded);
    mf_presentation_free(p);
}

static void test_media_vod(void **state)
{
    mf_presentation *p = media_asset("hls/media_vod.m3u8", HLS "360p.m3u8");
    assert_int_equal(p->periods[0]->n_groups, 1);
    mf_quality *q = quality_at(p, 0, 0, 0);
    assert_true(q->playlist_loaded);
    assert_string_equal(q->playlist_url, HLS "360p.m3u8");
    assert_non_null(q->hls);
    assert_float_equal(q->hls->target_duration, 6, 0);
    assert_int_equal(q->hls->media_sequence, 100);
    assert_true(q->hls->endlist);
    assert_string_equal(q->hls->playlist_type, "VOD");
    assert_false(p->dynamic);
    assert_float_equal(p->duration, 15.75, 1e-9);
    assert_int_equal(mf_quality_segment_count(q), 3);
    check_segment(q, 0, HLS "seg100.ts", -1, -1, 0, 6);
    check_segment(q, 2, "http://abs.example.com/seg102.ts", -1, -1, 11.5, 4.25);
    mf_segment seg;
    assert_int_equal(mf_quality_segment(q, 2, &seg, NULL), HASP_OK);
    assert_int_equal(seg.number, 102);
    assert_null(seg.key);
    assert_false(seg.discontinuity);
    assert_true(isnan(seg.program_date_time));
    mf_segment_clear(&seg);
    assert_float_equal(p->periods[0]->groups[0]->segment_duration, 6, 0);
    uint64_t idx = 0;
    assert_int_equal(mf_quality_index_of(q, 101, &idx), 0);
    assert_int_equal(idx, 1);
    assert_int_equal(mf_quality_index_of(q, 99, &idx), -1);
    assert_int_equal(mf_quality_index_of(q, 103, &idx), -1);
    mf_presentation_free(p);
}

static void test_byterange(void **state)
{
    mf_presentation *p = media_asset("hls/byterange.m3u8", HLS "br.m3u8");
    mf_quality *q = quality_at(p, 0, 0, 0);
    assert_true(q->has_init);
    assert_string_equal(q->init_url, HLS "main.mp4");
    assert_int_equal(q->init_range.first, 0);
    assert_int_equal(q->init_range.last, 719);
    check_segment(q, 0, HLS "main.mp4", 720, 10719, 0, 4);
    check_segment(q, 1, HLS "main.mp4", 10720, 30719, 4, 4);
    check_segment(q, 2, HLS "main.mp4", 30720, 35719, 8, 4);
    check_segment(q, 3, HLS "other.mp4", 0, 299, 12, 2);
    mf_presentation_free(p);
}

static void test_keys(void **state)
{
    mf_presentation *p = media_asset("hls/keys.m3u8", HLS "keys.m3u8");
    mf_quality *q = quality_at(p, 0, 0, 0);
    mf_segment s[5];
    for (int i = 0; i < 5; i++)
        assert_int_equal(mf_quality_segment(q, (uint64_t)i, &s[i], NULL), HASP_OK);
    assert_null(s[0].key);
    assert_non_null(s[1].key);
    assert_int_equal(s[1].key->method, MF_KEY_AES128);
    assert_string_equal(s[1].key->uri, "https://keys.example.com/k1");
    assert_true(s[1].key->has_iv);
    assert_int_equal(s[1].key->iv[14], 0xab);
    assert_int_equal(s[1].key->iv[15], 0xcd);
    assert_int_equal(s[1].key->iv[0], 0);
    assert_string_equal(s[2].key->uri, HLS "k2.bin");
    assert_false(s[2].key->has_iv); /* IV is the sequence number */
    assert_int_equal(s[2].number, 9);
    assert_null(s[3].key);
    assert_int_equal(s[4].key->method, MF_KEY_SAMPLE_AES);
    assert_string_equal(s[4].key->keyformat, "com.apple.streamingkeydelivery");
    for (int i = 0; i < 5; i++)
        mf_segment_clear(&s[i]);
    mf_presentation_free(p);
}

static void test_discontinuity_live(void **state)
{
    mf_presentation *p = media_asset("hls/discontinuity.m3u8", HLS "d.m3u8");
    assert_true(p->dynamic);
    assert_true(p->duration < 0);
    assert_float_equal(p->start_offset, 6, 0);
    assert_true(p->independent_segments);
    mf_quality *q = quality_at(p, 0, 0, 0);
    assert_int_equal(q->hls->discontinuity_sequence, 3);
    assert_string_equal(q->hls->playlist_type, "EVENT");
    assert_true(q->hls->start_precise);
    assert_false(q->hls->endlist);
    mf_segment s[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(mf_quality_segment(q, (uint64_t)i, &s[i], NULL), HASP_OK);
    const double pdt[] = {1704067200, 1704067206, 1704070800, 1704070806};
    const int disc[] = {0, 0, 1, 0}, gap[] = {0, 0, 0, 1};
    for (int i = 0; i < 4; i++) {
        assert_float_equal(s[i].program_date_time, pdt[i], 1e-6);
        assert_int_equal(s[i].discontinuity, disc[i]);
        assert_int_equal(s[i].gap, gap[i]);
        assert_int_equal(s[i].number, 20 + i);
        mf_segment_clear(&s[i]);
    }
    mf_presentation_free(p);
}

static void test_low_latency(void **state)
{
    mf_presentation *p = media_asset("hls/ll/ll.m3u8", HLS "ll/ll.m3u8");
    assert_true(p->dynamic);
    mf_quality *q = quality_at(p, 0, 0, 0);
    const mf_hls_media *h = q->hls;
    assert_true(h->can_block_reload);
    assert_float_equal(h->can_skip_until, 24, 0);
    assert_float_equal(h->part_hold_back, 1, 0);
    assert_float_equal(h->hold_back, 12, 0);
    assert_float_equal(h->part_target, 0.33334, 1e-9);
    assert_int_equal(h->skipped_segments, 3);
    assert_int_equal(mf_quality_segment_count(q), 2);
    mf_segment seg;
    assert_int_equal(mf_quality_segment(q, 0, &seg, NULL), HASP_OK);
    assert_int_equal(seg.number, 269);
    assert_string_equal(seg.url, HLS "ll/fileSequence269.mp4");
    mf_segment_clear(&seg);
    assert_int_equal(h->n_parts, 4);
    assert_string_equal(h->parts[0].url, HLS "ll/filePart270.0.mp4");
    assert_int_equal(h->parts[0].segment, 270);
    assert_true(h->parts[0].independent);
    assert_false(h->parts[1].independent);
    assert_int_equal(h->parts[2].segment, 271);
    assert_int_equal(h->parts[2].range.first, 0);
    assert_int_equal(h->parts[2].range.last, 999);
    assert_int_equal(h->parts[3].range.first, 1000);
    assert_int_equal(h->parts[3].range.last, 1499);
    assert_true(h->parts[3].gap);
    assert_float_equal(h->parts[3].duration, 0.33334, 1e-9);
    assert_string_equal(h->preload_hint_type, "PART");
    assert_string_equal(h->preload_hint_uri, HLS "ll/filePart271.2.mp4");
    assert_int_equal(h->preload_hint_range.first, 1500);
    assert_int_equal(h->preload_hint_range.last, 2199);
    assert_int_equal(h->n_reports, 2);
    assert_string_equal(h->reports[0].uri, HLS "1M/waitForMSN.php");
    assert_int_equal(h->reports[0].last_msn, 273);
    assert_int_equal(h->reports[0].last_part, 2);
    assert_int_equal(h->reports[1].last_part, -1);
    mf_presentation_free(p);
}

static void test_variables(void **state)
{
    mf_presentation *p = media_asset("hls/variables.m3u8", HLS "v.m3u8");
    mf_quality *q = quality_at(p, 0, 0, 0);
    assert_string_equal(q->init_url, "https://media.example.com/init.mp4?token=abc");
    check_segment(q, 0, "https://media.example.com/s1.m4s?token=abc", -1, -1, 0, 2);
    check_segment(q, 1, "https://media.example.com/https://media.example.com.m4s", -1, -1, 2, 2);
    mf_presentation_free(p);
}

static void test_import_queryparam(void **state)
{
    fake_entry files[] = {
        {HLS "mv.m3u8?a=1&token=xyz#f", "hls/master_vars.m3u8", NULL, 0},
        {"https://cdn.example.com/v.m3u8?t=xyz", "hls/media_import.m3u8", NULL, 0},
    };
    fake_server srv = {.entries = files, .n = 2};
    mf_loader ld;
    loader_init(&ld, &srv);
    mf_presentation *p = load_media("master_vars", HLS "mv.m3u8?a=1&token=xyz#f", &srv);
    mf_quality *q = quality_at(p, 0, 0, 0);
    assert_string_equal(q->playlist_url, "https://cdn.example.com/v.m3u8?t=xyz");
    char err[HASP_ERRBUF] = "";
    if (mf_quality_load(&ld, q, err) != HASP_OK)
        fail_msg("%s", err);
    check_segment(q, 0, "https://cdn.example.com/s.ts?t=xyz", -1, -1, 0, 2);
    mf_presentation_free(p);
    /* on its own, nothing is there to import */
    expect_parse_error("hls/media_import.m3u8", HASP_ERR_PARSE,
                       "line 2: EXT-X-DEFINE: IMPORT of base, which no master playlist defines");
    expect_text_error("#EXTM3U\n#EXT-X-DEFINE:QUERYPARAM=\"k\"\n", HASP_ERR_PARSE,
                      "no query parameter k in the URL");
}

static void test_crlf_bom(void **state)
{
    const char *text = "\xEF\xBB\xBF#EXTM3U\r\n#EXT-X-TARGETDURATION:2\r\n\r\n#EXTINF:2,\r\n"
                       "a.ts\r\n#EXTINF:1.5,\r\nsub/b.ts \r\n#EXT-X-ENDLIST\r\n";
    fake_entry files[] = {{"http://example.com/x/p.m3u8", NULL, text, strlen(text)}};
    fake_server srv = {.entries = files, .n = 1};
    mf_presentation *p = load_media("crlf", "http://example.com/x/p.m3u8", &srv);
    mf_quality *q = quality_at(p, 0, 0, 0);
    check_segment(q, 0, "http://example.com/x/a.ts", -1, -1, 0, 2);
    check_segment(q, 1, "http://example.com/x/sub/b.ts", -1, -1, 2, 1.5);
    mf_presentation_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_master),        cmocka_unit_test(test_master_load_variants),
        cmocka_unit_test(test_media_vod),     cmocka_unit_test(test_byterange),
        cmocka_unit_test(test_keys),          cmocka_unit_test(test_discontinuity_live),
        cmocka_unit_test(test_low_latency),   cmocka_unit_test(test_variables),
        cmocka_unit_test(test_import_queryparam), cmocka_unit_test(test_crlf_bom),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
