/*
 * Application-supplied I/O, in the spirit of GPAC's FileIO: a set of
 * callbacks that serves some URLs (manifests, playlists, index and media
 * segments) instead of HTTP. Use it to play from memory, from an archive,
 * from an encrypted store or through the application's own network stack.
 *
 * hasp calls these functions from one internal I/O thread of the session,
 * one call at a time: open handles are read in turn (round robin, up to
 * 64 KiB per call), so parallel groups progress together, but callbacks
 * never run concurrently with each other and need no locking among
 * themselves. The exception is handles(), which hasp asks from whichever
 * thread starts a transfer, possibly concurrently: make it a pure test of
 * the URL string.
 *
 * The URL policy still applies (see README, "Security policy: network"):
 * the callbacks are asked only about URLs a manifest may refer to, so a
 * manifest loaded over http(s) or through these callbacks can never reach
 * a file:// URL, even one the callbacks would serve.
 */
#ifndef HASP_IO_H
#define HASP_IO_H

#include <stddef.h>
#include <stdint.h>

#include "hasp/hasp.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The layout described here; set hasp_io.version to it. */
#define HASP_IO_VERSION 1

/*
 * Every callback receives the opaque pointer given to hasp_session_set_io().
 * There is no separate exists(): open() failing with HASP_ERR_INVALID says
 * "no such resource", and asking first would race with the open anyway.
 */
typedef struct hasp_io {
    int version;                /* HASP_IO_VERSION */

    /* Which URLs these callbacks serve: those starting with prefix (if not
     * NULL), and those for which handles() (if not NULL) returns nonzero.
     * At least one of the two must be set. prefix is copied. */
    const char *prefix;
    int (*handles)(void *opaque, const char *url);

    /* Open url for reading. Return a handle (any non-NULL pointer), or NULL
     * and set *err: HASP_ERR_INVALID when there is no such resource (like
     * an HTTP 404: not retried), HASP_ERR_IO when trying again later may
     * work; optionally write a reason (NUL-terminated) into msg. Required. */
    void *(*open)(void *opaque, const char *url, hasp_err *err, char *msg, size_t msg_size);

    /* Read up to size bytes: the count read, 0 at the end of the resource,
     * or a negative value on failure. Required. */
    int64_t (*read)(void *opaque, void *handle, uint8_t *buf, size_t size);

    /* Move to the absolute byte offset: 0 on success. Byte ranges use it;
     * may be NULL, then hasp reads and drops the bytes before a range. */
    int (*seek)(void *opaque, void *handle, int64_t offset);

    /* The resource's size in bytes, or -1 if unknown; may be NULL. It feeds
     * download progress (the total) the way Content-Length does. */
    int64_t (*size)(void *opaque, void *handle);

    /* Release the handle; called once for every successful open(). Required. */
    void (*close)(void *opaque, void *handle);
} hasp_io;

typedef struct hasp_session hasp_session;

/*
 * Serve matching URLs through io instead of HTTP. Call before
 * hasp_session_open(); the struct is copied, opaque must outlive the
 * session. NULL io removes earlier callbacks. Fails with HASP_ERR_INVALID
 * for an unknown version or missing required callbacks, HASP_ERR_STATE once
 * a presentation is open.
 */
HASP_API hasp_err hasp_session_set_io(hasp_session *s, const hasp_io *io, void *opaque);

#ifdef __cplusplus
}
#endif

#endif
