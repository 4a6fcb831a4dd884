/*
 * Transfers served by a hasp_io: the application's callbacks, or local
 * files (file.c). One I/O thread per net runs them, started at the first:
 * reads may block, and on the network thread they would stall every HTTP
 * transfer. It reads each open transfer in turn, a chunk at a time, so
 * parallel groups progress together and callers get the same on_data /
 * on_size / on_progress / abort / result behaviour as over HTTP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "net/internal.h"

/* Bytes asked of read() at a time: big enough to be cheap, small enough
 * that other transfers and aborts are not kept waiting. */
#define IO_CHUNK 65536

static void *io_thread(void *opaque);

hasp_err net_io_check(const hasp_io *io, char *errbuf)
{
    if (io->version != HASP_IO_VERSION)
        return hs_fail(errbuf, HASP_ERR_INVALID, "hasp_io version %d, expected %d", io->version,
                       HASP_IO_VERSION);
    if (!io->open || !io->read || !io->close || (!io->prefix && !io->handles))
        return hs_fail(errbuf, HASP_ERR_INVALID,
                       "hasp_io needs open, read, close and a prefix or handles()");
    if (io->prefix && !io->prefix[0])
        return hs_fail(errbuf, HASP_ERR_INVALID, "hasp_io prefix is empty: use handles()");
    return HASP_OK;
}

hasp_err net_io_init(net *n, const hasp_io *io, void *opaque, char *errbuf)
{
    hasp_err err = net_io_check(io, errbuf);
    if (err != HASP_OK)
        return err;
    n->io = *io;
    if (io->prefix && !(n->io_prefix = strdup(io->prefix)))
        return hs_fail(errbuf, HASP_ERR_NOMEM, "out of memory");
    n->io.prefix = n->io_prefix;
    n->io_opaque = opaque;
    n->has_io = 1;
    return HASP_OK;
}

int net_io_serves(const net *n, const char *url)
{
    const hasp_io *io = &n->io;
    if (io->prefix && strncmp(url, io->prefix, strlen(io->prefix)) == 0)
        return 1;
    return io->handles && io->handles(n->io_opaque, url);
}

hasp_err net_io_submit(net *n, net_req *r)
{
    if (!n->io_thread_started) {
        if (pthread_create(&n->io_thread, NULL, io_thread, n) != 0)
            return hs_fail(r->res.message, HASP_ERR_IO, "%s: cannot start the I/O thread",
                           r->url);
        n->io_thread_started = 1;
    }
    r->next = n->io_live;
    n->io_live = r;
    pthread_cond_broadcast(&n->io_cond);
    return HASP_OK;
}

void net_io_shutdown(net *n)
{
    if (!n->io_thread_started)
        return;
    pthread_mutex_lock(&n->lock);
    n->quit = 1;
    pthread_cond_broadcast(&n->io_cond);
    pthread_mutex_unlock(&n->lock);
    pthread_join(n->io_thread, NULL);
    n->io_thread_started = 0;
}

/* ---- on the I/O thread, without the lock ---- */

static int fail(net_req *r, hasp_err err, const char *why)
{
    r->res.err = hs_fail(r->res.message, err, "%s: %s", r->url, why);
    return 0;
}

/* Position at the range and work out how much is wanted; 0 when done. */
static int io_position(net_req *r)
{
    const hasp_io *io = r->io;
    int64_t size = io->size ? io->size(r->io_opaque, r->io_handle) : -1;
    int64_t first = r->desc.range.first, last = r->desc.range.last;
    if (first < 0) {
        r->total = size;
        return 1;
    }
    /* As a server does: a range past the end is refused, one running over
     * it is cut to the end. */
    if (size >= 0 && first >= size)
        return fail(r, HASP_ERR_INVALID, "the range starts after the end of the resource");
    if (size >= 0 && (last < 0 || last >= size))
        last = size - 1;
    if (first > 0 && io->seek) {
        if (io->seek(r->io_opaque, r->io_handle, first) != 0)
            return fail(r, HASP_ERR_IO, "seek failed");
    } else {
        r->skip = first;        /* no seek: read and drop */
    }
    r->keep = last >= 0 ? last - first + 1 : -1;
    r->total = r->keep;
    return 1;
}

static int io_open(net_req *r)
{
    hasp_err err = HASP_ERR_IO;
    char msg[256] = "";
    r->io_handle = r->io->open(r->io_opaque, r->fetch_url, &err, msg, sizeof(msg));
    r->io_started = 1;
    if (!r->io_handle) {
        msg[sizeof(msg) - 1] = '\0';
        /* Anything but "no such resource" may be worth a retry. */
        if (err != HASP_ERR_INVALID)
            err = HASP_ERR_IO;
        return fail(r, err, msg[0] ? msg : "cannot open");
    }
    return io_position(r);
}

/* One step of r: open it, or read one chunk. Nonzero while it goes on. */
static int io_step(net_req *r, uint8_t *buf)
{
    if (!r->io_started)
        return io_open(r);
    if (r->keep == 0) {
        r->res.err = HASP_OK;
        return 0;
    }
    size_t want = IO_CHUNK;
    if (r->skip == 0 && r->keep >= 0 && r->keep < (int64_t)want)
        want = (size_t)r->keep;
    int64_t got = r->io->read(r->io_opaque, r->io_handle, buf, want);
    if (got < 0 || got > (int64_t)want)
        return fail(r, HASP_ERR_IO, "read failed");
    if (got == 0) {
        if (r->keep > 0 || r->skip > 0)
            return fail(r, HASP_ERR_IO, "body ended before the range did");
        r->res.err = HASP_OK;
        return 0;
    }
    if (r->res.t_first_byte == 0)
        r->res.t_first_byte = clk_now();
    if (net_deliver(r, buf, (size_t)got))
        return fail(r, HASP_ERR_ABORTED, "stopped by the receiver");
    return 1;
}

static void io_end(net *n, net_req *r)
{
    if (r->io_handle)
        r->io->close(r->io_opaque, r->io_handle);
    r->io_handle = NULL;
    pthread_mutex_lock(&n->lock);
    if (atomic_load(&r->aborting))
        r->res.err = hs_fail(r->res.message, HASP_ERR_ABORTED, "%s: aborted", r->url);
    net_req_done(n, r);
    pthread_mutex_unlock(&n->lock);
}

/* One pass over the transfers that were there when it began. Walking
 * without the lock is safe: only this thread unlinks them, and a transfer
 * is not freed before it is done. */
static void io_pass(net *n, net_req *head, int quit, uint8_t *buf)
{
    for (net_req *r = head, *next; r; r = next) {
        next = r->next;         /* read first: once done, r may be freed */
        if (quit)
            atomic_store(&r->aborting, 1);
        if (atomic_load(&r->aborting) || !io_step(r, buf))
            io_end(n, r);
        else
            net_progress_tick(r, clk_now());
    }
}

static void *io_thread(void *opaque)
{
    net *n = opaque;
    uint8_t *buf = malloc(IO_CHUNK);
    pthread_mutex_lock(&n->lock);
    for (;;) {
        while (!n->quit && !n->io_live)
            pthread_cond_wait(&n->io_cond, &n->lock);
        net_req *head = n->io_live;
        int quit = n->quit;
        if (quit && !head)
            break;
        pthread_mutex_unlock(&n->lock);
        if (!buf) {             /* cannot read anything: fail what comes */
            for (net_req *r = head, *next; r; r = next) {
                next = r->next;
                fail(r, HASP_ERR_NOMEM, "out of memory");
                io_end(n, r);
            }
        } else {
            io_pass(n, head, quit, buf);
        }
        pthread_mutex_lock(&n->lock);
    }
    pthread_mutex_unlock(&n->lock);
    free(buf);
    return NULL;
}
