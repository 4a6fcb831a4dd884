/*
 * Local files as a hasp_io, run by the I/O thread (io.c) like the app's
 * callbacks, so that playing local media never starts libcurl.
 *
 * URLs are read as libcurl 7.88 read them, which served them before: no
 * host, "localhost" or "127.0.0.1"; the path percent-decoded and ending at
 * a query or a fragment, which are ignored (file:///a.mpd?v=2 is /a.mpd).
 * Only regular files are read: a FIFO would block the I/O thread until a
 * writer came, and a device may never end (/dev/zero).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/internal.h"

typedef struct file_handle {
    int fd;
    int64_t size;
} file_handle;

static void *refuse(hasp_err *err, hasp_err code, char *msg, size_t size, const char *why)
{
    *err = code;
    snprintf(msg, size, "%s", why);
    return NULL;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Where the path of a file URL starts, after its host; NULL if the host is
 * not this one or there is no absolute path. */
static const char *path_part(const char *url)
{
    if (strncasecmp(url, "file:", 5) != 0)
        return NULL;
    const char *p = url + 5;
    if (strncmp(p, "//", 2) == 0) {
        const char *host = p + 2;
        size_t n = strcspn(host, "/?#");
        if (n && !(n == 9 && strncasecmp(host, "localhost", 9) == 0)
            && !(n == 9 && strncmp(host, "127.0.0.1", 9) == 0))
            return NULL;
        p = host + n;
    }
    return *p == '/' ? p : NULL;
}

/* The decoded path of a file URL (malloc'd), or NULL with *err and msg.
 * A "%" not followed by two hex digits stays as it is, as in libcurl. */
static char *url_path(const char *url, hasp_err *err, char *msg, size_t size)
{
    const char *p = path_part(url);
    if (!p)
        return refuse(err, HASP_ERR_INVALID, msg, size,
                      "refused: a file URL is file:///path or file://localhost/path");
    size_t len = strcspn(p, "?#");
    char *path = malloc(len + 1);
    if (!path)
        return refuse(err, HASP_ERR_NOMEM, msg, size, "out of memory");
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        int hi, lo;
        if (p[i] != '%' || (hi = hex_digit(p[i + 1])) < 0 || (lo = hex_digit(p[i + 2])) < 0) {
            path[o++] = p[i];
            continue;
        }
        path[o] = (char)(hi << 4 | lo);
        if (!path[o++]) {
            free(path);
            return refuse(err, HASP_ERR_INVALID, msg, size, "refused: an encoded NUL in the path");
        }
        i += 2;
    }
    path[o] = '\0';
    return path;
}

/* What no retry will change is HASP_ERR_INVALID, as a 404. */
static void *os_error(int e, hasp_err *err, char *msg, size_t size)
{
    int final = e == ENOENT || e == ENOTDIR || e == EACCES || e == EISDIR;
    return refuse(err, final ? HASP_ERR_INVALID : HASP_ERR_IO, msg, size, strerror(e));
}

static void *not_regular(hasp_err *err, char *msg, size_t size)
{
    return refuse(err, HASP_ERR_INVALID, msg, size, "not a regular file");
}

/* The file's type is looked at before it is opened, as opening a device
 * can act (a tape rewinds, a watchdog starts), and again on what was
 * opened; O_NONBLOCK keeps a FIFO put there meanwhile from blocking. */
static int open_regular(const char *path, int64_t *file_size, hasp_err *err, char *msg,
                        size_t size)
{
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        not_regular(err, msg, size);
        return -1;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        os_error(errno, err, msg, size);
        return -1;
    }
    if (fstat(fd, &st) != 0 || fcntl(fd, F_SETFL, 0) != 0)
        os_error(errno, err, msg, size);
    else if (!S_ISREG(st.st_mode))
        not_regular(err, msg, size);
    else {
        *file_size = (int64_t)st.st_size;
        return fd;
    }
    close(fd);
    return -1;
}

static void *file_open(void *opaque, const char *url, hasp_err *err, char *msg, size_t size)
{
    char *path = url_path(url, err, msg, size);
    if (!path)
        return NULL;
    file_handle *h = malloc(sizeof(*h));
    if (!h) {
        free(path);
        return refuse(err, HASP_ERR_NOMEM, msg, size, "out of memory");
    }
    h->fd = open_regular(path, &h->size, err, msg, size);
    free(path);
    if (h->fd < 0) {
        free(h);
        return NULL;
    }
    return h;
}

static int64_t file_read(void *opaque, void *handle, uint8_t *buf, size_t size)
{
    file_handle *h = handle;
    ssize_t got;
    while ((got = read(h->fd, buf, size)) < 0 && errno == EINTR)
        ;
    return got;
}

static int file_seek(void *opaque, void *handle, int64_t offset)
{
    file_handle *h = handle;
    return lseek(h->fd, (off_t)offset, SEEK_SET) == (off_t)offset ? 0 : -1;
}

static int64_t file_size(void *opaque, void *handle) { return ((file_handle *)handle)->size; }

static void file_close(void *opaque, void *handle)
{
    file_handle *h = handle;
    close(h->fd);
    free(h);
}

/* No prefix nor handles(): the URL policy routes local URLs here. */
const hasp_io net_file_io = {
    .version = HASP_IO_VERSION, .open = file_open, .read = file_read, .seek = file_seek,
    .size = file_size, .close = file_close,
};
