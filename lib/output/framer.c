#include "output/framer.h"

#include <libavutil/frame.h>

/* A slot takes the frame on screen a quarter slot after its time, so that
 * timestamps rounded by the container (1 ms in many) still land on their own
 * slot when the rates are equal. */
#define GRID_TOLERANCE 0.25
/* A longer hole between frames is a discontinuity: the grid restarts at the
 * next frame instead of repeating one picture for minutes. */
#define MAX_GAP_S 10.0

void framer_init(framer *fr, const out_format *fmt, framer_emit emit, void *opaque)
{
    *fr = (framer){ .fmt = *fmt, .emit = emit, .opaque = opaque };
}

static hasp_err emit_once(framer *fr, const AVFrame *in, double pts, double duration, int quality)
{
    AVFrame *o = NULL;
    hasp_err err = vconv_run(&fr->conv, &fr->fmt, in, &o);
    if (err == HASP_OK)
        err = fr->emit(fr->opaque, o, pts, duration, quality);
    av_frame_free(&o);
    return err;
}

static double slot_time(const framer *fr, int64_t k)
{
    return fr->origin + (double)k / fr->fmt.frame_rate;
}

/* The held frame fills every slot before end; converted once, however many
 * slots that is. */
static hasp_err fill_slots(framer *fr, double end)
{
    double step = 1.0 / fr->fmt.frame_rate, tol = GRID_TOLERANCE * step;
    if (end - slot_time(fr, fr->next_slot) > MAX_GAP_S) {
        hasp_err err = emit_once(fr, fr->held, slot_time(fr, fr->next_slot), step,
                                 fr->held_quality);
        fr->origin = end;
        fr->next_slot = 0;
        return err;
    }
    AVFrame *o = NULL;
    hasp_err err = HASP_OK;
    while (err == HASP_OK && slot_time(fr, fr->next_slot) + tol < end) {
        if (!o)
            err = vconv_run(&fr->conv, &fr->fmt, fr->held, &o);
        if (err == HASP_OK)
            err = fr->emit(fr->opaque, o, slot_time(fr, fr->next_slot), step, fr->held_quality);
        fr->next_slot++;
    }
    av_frame_free(&o);
    return err;
}

hasp_err framer_push(framer *fr, const media_frame *f)
{
    if (fr->fmt.frame_rate <= 0)
        return emit_once(fr, f->frame, f->pts, f->duration, f->quality);
    if (!fr->grid_started) {
        fr->grid_started = 1;
        fr->origin = f->pts;
        fr->next_slot = 0;
    }
    hasp_err err = HASP_OK;
    if (fr->held) {
        /* Now that the next frame's time is known, the held one's slots are. */
        err = fill_slots(fr, f->pts);
        av_frame_free(&fr->held);
    }
    if (err != HASP_OK)
        return err;
    fr->held = av_frame_clone(f->frame);
    if (!fr->held)
        return HASP_ERR_NOMEM;
    fr->held_pts = f->pts;
    fr->held_duration = f->duration;
    fr->held_quality = f->quality;
    return HASP_OK;
}

hasp_err framer_flush(framer *fr)
{
    if (!fr->held)
        return HASP_OK;
    double step = 1.0 / fr->fmt.frame_rate;
    hasp_err err = fill_slots(fr, fr->held_pts + (fr->held_duration > 0 ? fr->held_duration
                                                                           : step));
    av_frame_free(&fr->held);
    return err;
}

void framer_reset(framer *fr)
{
    av_frame_free(&fr->held);
    fr->grid_started = 0;
}

void framer_close(framer *fr)
{
    av_frame_free(&fr->held);
    vconv_close(&fr->conv);
}
