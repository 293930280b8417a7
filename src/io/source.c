/* The audio source: three ways to open the bytes (path, memory, file
 * descriptor), one dispatch to the backends, one read loop that checks,
 * counts clipping and mixes to mono.  See source.h. */
#include "io/source.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/common.h"
#include "common/fmt.h"
#include "io/source_backend.h"

/* Bytes of a stream read ahead before a backend is chosen: far more than
 * any header needs (a WAV's, an Ogg page, an MP4's leading boxes), little
 * memory. */
#define PREFIX_BYTES (64 * 1024)
/* A regular file is read this much at a time: the backends ask for a few
 * kilobytes at a time (libsndfile 4 KiB for a block of 16-bit mono), and a
 * system call for each cost 7 % of an analysis. */
#define READ_AHEAD_BYTES (128 * 1024)

struct VmcSource {
    VmcInput in;
    int own_fd; /* opened by open_path: closed at close */
    const VmcBackend *be;
    void *st;
    VmcSourceInfo info;
    VmcheckLogger lg;
    float *buf;  /* VMC_SOURCE_BLOCK * channels */
    float *mono; /* VMC_SOURCE_BLOCK */
    unsigned long long frames;
    float clip_level;
};

/* ---------------------------------------------------------------- bytes */

/* read(2) that retries on EINTR and waits on EAGAIN (a descriptor left
 * non-blocking by whoever gave it to us). */
static ssize_t read_some(int fd, void *buf, size_t n)
{
    for (;;) {
        ssize_t k = read(fd, buf, n);
        if (k >= 0) return k;
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            struct pollfd p = {fd, POLLIN, 0};
            if (poll(&p, 1, -1) >= 0 || errno == EINTR) continue;
        }
        return -1;
    }
}

void vmc_input_read_ahead(VmcInput *in)
{
    if (!in->ra) in->ra = malloc(sizeof(VmcReadAhead) + READ_AHEAD_BYTES);
    if (in->ra) in->ra->off = 0, in->ra->len = 0;
}

int64_t vmc_input_read(VmcInput *in, void *buf, int64_t n)
{
    if (n <= 0) return 0;
    unsigned char *out = buf;
    if (in->mem) {
        if (in->pos >= in->size) return 0;
        if (n > in->size - in->pos) n = in->size - in->pos;
        memcpy(out, in->mem + in->pos, (size_t)n);
        in->pos += n;
        return n;
    }
    if (in->size >= 0) { /* a regular file */
        if (in->pos >= in->size) return 0;
        if (n > in->size - in->pos) n = in->size - in->pos;
        int64_t done = 0;
        while (done < n) {
            const int64_t at = in->pos + done;
            VmcReadAhead *ra = in->ra;
            if (ra && at >= ra->off && at < ra->off + (int64_t)ra->len) {
                const int64_t k =
                    ra->off + (int64_t)ra->len - at < n - done ? ra->off + (int64_t)ra->len - at : n - done;
                memcpy(out + done, ra->data + (at - ra->off), (size_t)k);
                done += k;
                continue;
            }
            /* a large read goes straight into the caller's buffer, a small
             * one fills the read-ahead first */
            const int fill = ra && n - done < READ_AHEAD_BYTES;
            unsigned char *dst = fill ? ra->data : out + done;
            const int64_t want =
                fill ? (in->size - at < READ_AHEAD_BYTES ? in->size - at : READ_AHEAD_BYTES) : n - done;
            if (fill) ra->len = 0;
            ssize_t k = pread(in->fd, dst, (size_t)want, (off_t)(in->base + at));
            if (k < 0 && errno == EINTR) continue;
            if (k < 0) {
                in->read_errno = errno;
                in->pos += done;
                return done ? done : -1;
            }
            if (k == 0) break; /* the file shrank under us */
            if (fill) {
                ra->off = at;
                ra->len = (size_t)k;
            } else {
                done += k;
            }
        }
        in->pos += done;
        return done;
    }
    /* a stream: the prefix, then the descriptor in order */
    int64_t done = 0;
    if ((size_t)in->pos < in->prefix_len) {
        size_t k = in->prefix_len - (size_t)in->pos;
        if ((int64_t)k > n) k = (size_t)n;
        memcpy(out, in->prefix + in->pos, k);
        in->pos += (int64_t)k;
        done = (int64_t)k;
    }
    while (done < n && !in->stream_eof) {
        ssize_t k = read_some(in->fd, out + done, (size_t)(n - done));
        if (k < 0) {
            in->read_errno = errno;
            in->stream_eof = 1;
            return done ? done : -1;
        }
        if (k == 0) {
            in->stream_eof = 1;
            break;
        }
        in->spent = 1;
        done += k;
        in->pos += k;
    }
    return done;
}

int64_t vmc_input_seek(VmcInput *in, int64_t off, int whence)
{
    if (in->size < 0) return -1;
    int64_t base = whence == SEEK_CUR ? in->pos : whence == SEEK_END ? in->size : 0;
    if (whence != SEEK_SET && whence != SEEK_CUR && whence != SEEK_END) return -1;
    if ((off > 0 && base > INT64_MAX - off) || base + off < 0) return -1;
    return in->pos = base + off;
}

int vmc_input_spool(VmcInput *in, char *why, size_t why_size)
{
    char eb[128];
    if (in->size >= 0) return VMCHECK_OK;
    if (in->spent) {
        snprintf(why, why_size, "cannot read this format from a stream");
        return VMCHECK_EIO;
    }
    const char *dir = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof(path), "%s/vmcheck-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) {
        snprintf(why, why_size, "cannot make a temporary file to read the stream into (%s): %s", path,
                 vmc_strerror(errno, eb, sizeof(eb)));
        return VMCHECK_EIO;
    }
    unlink(path);
    unsigned char *chunk = vmc_calloc(PREFIX_BYTES, 1);
    int64_t total = 0;
    int err = chunk ? 0 : ENOMEM;
    in->pos = 0;
    for (;;) {
        if (err) break;
        int64_t k = vmc_input_read(in, chunk, PREFIX_BYTES);
        if (k < 0) {
            err = in->read_errno ? in->read_errno : EIO;
            break;
        }
        if (k == 0) break;
        for (int64_t done = 0; done < k;) {
            ssize_t w = write(fd, chunk + done, (size_t)(k - done));
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) {
                err = w < 0 ? errno : ENOSPC;
                break;
            }
            done += w;
        }
        total += k;
    }
    free(chunk);
    if (err) {
        close(fd);
        snprintf(why, why_size, "cannot copy the stream to a temporary file: %s", vmc_strerror(err, eb, sizeof(eb)));
        return VMCHECK_EIO;
    }
    in->spool_fd = fd;
    in->fd = fd;
    in->base = 0;
    in->size = total;
    vmc_input_read_ahead(in);
    in->pos = 0;
    in->from_stream = 1;
    in->read_errno = 0;
    return VMCHECK_OK;
}

/* Read a stream's first bytes ahead (all of it when it is shorter). */
static int read_prefix(VmcInput *in)
{
    in->prefix = vmc_calloc(PREFIX_BYTES, 1);
    if (!in->prefix) return VMCHECK_ENOMEM;
    while (in->prefix_len < PREFIX_BYTES) {
        ssize_t k = read_some(in->fd, in->prefix + in->prefix_len, PREFIX_BYTES - in->prefix_len);
        if (k < 0) {
            in->read_errno = errno;
            in->stream_eof = 1;
            break;
        }
        if (k == 0) {
            in->stream_eof = 1;
            break;
        }
        in->prefix_len += (size_t)k;
    }
    return VMCHECK_OK;
}

/* ------------------------------------------------------------ dispatch */

static void cut_dot(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '.' || s[n - 1] == ' ')) s[--n] = 0;
}

/* Try the backends in order; check the limits of what opened. */
static int open_backend(VmcSource *s, unsigned backends)
{
    static const VmcBackend *const all[] = {
        &vmc_backend_sndfile,
#ifdef VMC_HAVE_FFMPEG
        &vmc_backend_ffmpeg,
#endif
    };
    static const unsigned bits[] = {VMC_BACKEND_SNDFILE, VMC_BACKEND_FFMPEG};
    const size_t n_all = sizeof(all) / sizeof(all[0]);
    char why[2][256] = {"", ""};
    const char *tried[2] = {NULL, NULL};
    size_t n_tried = 0;
    int r = VMCHECK_EFORMAT;
    for (size_t k = 0; k < n_all; k++) {
        if (!(backends & bits[k])) continue;
        s->in.pos = 0;
        memset(&s->info, 0, sizeof(s->info));
        s->info.promised_s = -1.0;
        s->info.largest = 1.0f;
        tried[n_tried] = all[k]->name;
        r = all[k]->open(&s->st, &s->in, &s->info, why[n_tried], sizeof(why[0]));
        cut_dot(why[n_tried]);
        n_tried++;
        if (r == VMCHECK_OK) {
            s->be = all[k];
            break;
        }
        if (r != VMCHECK_EFORMAT) {
            vmc_log(&s->lg, VMCHECK_LOG_ERROR, "%s", why[n_tried - 1]);
            return r;
        }
        /* a stream read past its prefix cannot be offered to the next one */
        if (s->in.spent) break;
    }
    if (!s->be) {
        if (s->in.read_errno) {
            char eb[128];
            vmc_log(&s->lg, VMCHECK_LOG_ERROR, "cannot read: %s", vmc_strerror(s->in.read_errno, eb, sizeof(eb)));
            return VMCHECK_EIO;
        }
        if (n_tried == 2)
            vmc_log(&s->lg, VMCHECK_LOG_ERROR, "not a readable audio file (%s: %s; %s: %s)", tried[0], why[0], tried[1],
                    why[1]);
        else
            vmc_log(&s->lg, VMCHECK_LOG_ERROR, "not a readable audio file (%s: %s)", tried[0] ? tried[0] : "", why[0]);
        return VMCHECK_EFORMAT;
    }
    const VmcSourceInfo *i = &s->info;
    if (i->channels < 1 || i->channels > VMCHECK_MAX_CHANNELS) {
        vmc_log(&s->lg, VMCHECK_LOG_ERROR, "%u channels; vmcheck reads 1 to %d", i->channels, VMCHECK_MAX_CHANNELS);
        return VMCHECK_ERANGE;
    }
    if (i->rate_hz < VMCHECK_MIN_RATE_HZ || i->rate_hz > VMCHECK_MAX_RATE_HZ) {
        vmc_log(&s->lg, VMCHECK_LOG_ERROR, "sample rate %u Hz is outside 8000-192000 Hz", i->rate_hz);
        return VMCHECK_ERANGE;
    }
    if ((double)i->frames_hint / (double)i->rate_hz > VMCHECK_MAX_DURATION_S) {
        vmc_log(&s->lg, VMCHECK_LOG_ERROR, "longer than %d hours", (int)(VMCHECK_MAX_DURATION_S / 3600.0));
        return VMCHECK_ERANGE;
    }
    s->buf = vmc_calloc((size_t)VMC_SOURCE_BLOCK * i->channels, sizeof(float));
    s->mono = vmc_calloc(VMC_SOURCE_BLOCK, sizeof(float));
    if (!s->buf || !s->mono) return VMCHECK_ENOMEM;
    /* a hair under the largest code (1e-4 of it, 0.001 dB): far above the
     * next code down in any encoding of 13 bits or fewer */
    s->clip_level = i->largest * (1.0f - 1e-4f);
    return VMCHECK_OK;
}

static VmcSource *source_new(const VmcheckLogger *lg)
{
    VmcSource *s = vmc_calloc(1, sizeof(*s));
    if (!s) return NULL;
    s->in.fd = -1;
    s->in.spool_fd = -1;
    s->own_fd = -1;
    if (lg) s->lg = *lg;
    return s;
}

static int finish_open(VmcSource **out, VmcSource *s, unsigned backends)
{
    int r = open_backend(s, backends);
    if (r) {
        vmc_source_close(&s);
        return r;
    }
    *out = s;
    return VMCHECK_OK;
}

/* s->in.fd is open: a regular file from its current offset (or from 0 when
 * from_start), else a stream. */
static int open_descriptor(VmcSource **out, VmcSource *s, int from_start)
{
    char eb[128];
    struct stat st;
    if (fstat(s->in.fd, &st) != 0) {
        vmc_log(&s->lg, VMCHECK_LOG_ERROR, "cannot read: %s", vmc_strerror(errno, eb, sizeof(eb)));
        vmc_source_close(&s);
        return VMCHECK_EIO;
    }
    if (S_ISDIR(st.st_mode)) {
        vmc_log(&s->lg, VMCHECK_LOG_ERROR, "is a directory, not an audio file");
        vmc_source_close(&s);
        return VMCHECK_EIO;
    }
    if (S_ISREG(st.st_mode)) {
        off_t at = from_start ? 0 : lseek(s->in.fd, 0, SEEK_CUR);
        s->in.base = at > 0 && at <= st.st_size ? (int64_t)at : 0;
        s->in.size = (int64_t)st.st_size - s->in.base;
        if (s->in.size == 0) {
            vmc_log(&s->lg, VMCHECK_LOG_ERROR, "empty file");
            vmc_source_close(&s);
            return VMCHECK_EEMPTY;
        }
        vmc_input_read_ahead(&s->in);
        return finish_open(out, s, VMC_BACKEND_ANY);
    }
    /* a pipe, FIFO, socket or device: a stream */
    s->in.size = -1;
    int r = read_prefix(&s->in);
    if (r) {
        vmc_source_close(&s);
        return r;
    }
    if (s->in.prefix_len == 0) {
        r = s->in.read_errno ? VMCHECK_EIO : VMCHECK_EEMPTY;
        if (s->in.read_errno)
            vmc_log(&s->lg, VMCHECK_LOG_ERROR, "cannot read: %s", vmc_strerror(s->in.read_errno, eb, sizeof(eb)));
        else
            vmc_log(&s->lg, VMCHECK_LOG_ERROR, "empty: nothing to read");
        vmc_source_close(&s);
        return r;
    }
    return finish_open(out, s, VMC_BACKEND_ANY);
}

int vmc_source_open_path(VmcSource **out, const char *path, const VmcheckLogger *lg)
{
    VmcSource *s = source_new(lg);
    if (!s) return VMCHECK_ENOMEM;
    char eb[128];
    /* opened once; the open does not wait for a FIFO's writer, the first
     * read then does */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int err = errno;
        if (err == ENOENT)
            vmc_log(&s->lg, VMCHECK_LOG_ERROR, "no such file");
        else
            vmc_log(&s->lg, VMCHECK_LOG_ERROR, "cannot read: %s", vmc_strerror(err, eb, sizeof(eb)));
        vmc_source_close(&s);
        return VMCHECK_EIO;
    }
    s->in.fd = s->own_fd = fd;
    struct stat st;
    if (fstat(fd, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) vmc_wait_readable(fd);
    return open_descriptor(out, s, 1);
}

int vmc_source_open_fd(VmcSource **out, int fd, const VmcheckLogger *lg)
{
    VmcSource *s = source_new(lg);
    if (!s) return VMCHECK_ENOMEM;
    s->in.fd = fd;
    return open_descriptor(out, s, 0);
}

int vmc_source_open_memory(VmcSource **out, const void *data, size_t size, unsigned backends, const VmcheckLogger *lg)
{
    VmcSource *s = source_new(lg);
    if (!s) return VMCHECK_ENOMEM;
    if (size == 0) {
        vmc_log(&s->lg, VMCHECK_LOG_ERROR, "empty file");
        vmc_source_close(&s);
        return VMCHECK_EEMPTY;
    }
    s->in.mem = data;
    s->in.size = (int64_t)size;
    return finish_open(out, s, backends);
}

const VmcSourceInfo *vmc_source_info(const VmcSource *s) { return &s->info; }

unsigned long long vmc_source_frames(const VmcSource *s) { return s->frames; }

int vmc_source_read(VmcSource *s, const float **mono, size_t *n_out, size_t *clipped_out, size_t *samples_out)
{
    *n_out = *clipped_out = *samples_out = 0;
    *mono = s->mono;
    char why[256] = "";
    long got = s->be->read(s->st, s->buf, VMC_SOURCE_BLOCK, why, sizeof(why));
    if (got < 0) {
        vmc_log(&s->lg, VMCHECK_LOG_ERROR, "%s", why);
        return (int)got;
    }
    if (s->in.read_errno) { /* the bytes could not be read: not the file's fault, not its end */
        char eb[128];
        vmc_log(&s->lg, VMCHECK_LOG_ERROR, "read error: %s", vmc_strerror(s->in.read_errno, eb, sizeof(eb)));
        return VMCHECK_EIO;
    }
    const size_t n = (size_t)got, ch = s->info.channels;
    const float *buf = s->buf;
    if (ch == 1) *mono = buf;
    /* NaN and infinity have an all-ones exponent: one integer test per
     * sample that vectorises, and only then look for where */
    unsigned bad = 0;
    size_t clipped = 0;
    for (size_t i = 0; i < n * ch; i++) {
        uint32_t u;
        memcpy(&u, &buf[i], sizeof(u));
        bad |= (u & 0x7f800000u) == 0x7f800000u;
        clipped += fabsf(buf[i]) >= s->clip_level;
    }
    if (bad) {
        size_t i = 0;
        while (isfinite(buf[i])) i++;
        char t[32];
        vmc_fmt_fixed(t, sizeof(t), (double)(s->frames + i / ch) / (double)s->info.rate_hz, 3);
        vmc_log(&s->lg, VMCHECK_LOG_ERROR, "a non-finite sample (not a number, or infinite) at %s s", t);
        return VMCHECK_EDATA;
    }
    if (ch > 1) {
        for (size_t i = 0; i < n; i++) {
            float acc = 0.0f;
            for (size_t c = 0; c < ch; c++) acc += buf[i * ch + c];
            s->mono[i] = acc / (float)ch;
        }
    }
    s->frames += n;
    *n_out = n;
    *clipped_out = clipped;
    *samples_out = n * ch;
    return VMCHECK_OK;
}

void vmc_source_close(VmcSource **ps)
{
    if (!ps || !*ps) return;
    VmcSource *s = *ps;
    if (s->be) s->be->close(s->st);
    if (s->own_fd >= 0) close(s->own_fd);
    if (s->in.spool_fd >= 0) close(s->in.spool_fd);
    free(s->in.prefix);
    free(s->in.ra);
    free(s->buf);
    free(s->mono);
    free(s);
    *ps = NULL;
}
