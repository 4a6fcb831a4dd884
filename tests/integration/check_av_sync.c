/*
 * Audio against video as an application receives them in real time
 * (headless, paced by the wall clock, not fast): each time a video frame
 * is delivered, its pts minus the pts of the last audio frame delivered
 * before it is that frame's skew. Playback of presentation time P hands
 * over the audio frame starting at or before P together with the picture
 * of P, so in sync the skew stays within one audio frame (21 ms of AAC);
 * audio starved or decoded late leaves it behind by whatever it lags.
 * Before the first audio frame, the skew counts from where playback began.
 *
 *   check_av_sync URL SECONDS
 *
 * prints one line for test_av_sync.py to judge:
 *   sync rc=R video=N audio=M max_behind=S max_ahead=S
 * max_behind: the largest skew (audio behind the picture), max_ahead: the
 * largest negative one (audio ahead), both in seconds, 0 when none.
 */
#include <hasp/hasp.h>
#include <hasp/output.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct sync_tally {
    long video, audio;
    double first_video_pts;
    double last_audio_pts;      /* NAN before the first */
    double max_behind, max_ahead;
} sync_tally;

static int on_audio(void *opaque, const hasp_frame *f)
{
    sync_tally *t = opaque;
    t->last_audio_pts = f->pts;
    t->audio++;
    return 0;
}

static int on_video(void *opaque, const hasp_frame *f)
{
    sync_tally *t = opaque;
    if (t->video++ == 0)
        t->first_video_pts = f->pts;
    double audio = isnan(t->last_audio_pts) ? t->first_video_pts : t->last_audio_pts;
    double skew = f->pts - audio;
    if (skew > t->max_behind)
        t->max_behind = skew;
    if (-skew > t->max_ahead)
        t->max_ahead = -skew;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: check_av_sync URL SECONDS\n");
        return 2;
    }
    sync_tally t = { .last_audio_pts = NAN };
    hasp_session *s = NULL;
    hasp_err err = hasp_session_new(&s);
    if (err == HASP_OK)
        err = hasp_session_set(s, "headless", "1");
    if (err == HASP_OK)
        err = hasp_session_set(s, "duration", argv[2]);
    if (err == HASP_OK)
        err = hasp_session_set_video_callback(s, on_video, &t);
    if (err == HASP_OK)
        err = hasp_session_set_audio_callback(s, on_audio, &t);
    if (err == HASP_OK)
        err = hasp_session_open(s, argv[1]);
    if (err == HASP_OK)
        err = hasp_session_run(s);
    if (err != HASP_OK)
        fprintf(stderr, "check_av_sync: %s\n", s ? hasp_session_error(s) : "out of memory");
    printf("sync rc=%d video=%ld audio=%ld max_behind=%.4f max_ahead=%.4f\n", err, t.video,
           t.audio, t.max_behind, t.max_ahead);
    hasp_session_free(s);
    return err == HASP_OK ? 0 : 1;
}
