/* An audio source: the one object every decoder hides behind (STYLE P8).
 *
 * A source is opened from a path, a memory image or a file descriptor (a
 * file, a pipe, standard input); a backend is chosen at open: libsndfile
 * first, FFmpeg's libraries when libsndfile cannot open the bytes (and the
 * build has them).  Whatever the backend, the source checks the same hard
 * limits (channels 1..8, rate 8000..192000 Hz, the duration cap) before
 * the caller allocates anything, refuses NaN and infinite samples, counts
 * clipping per channel against the encoding's largest value, and hands out
 * blocks of mono float (the channels' mean).  Only src/io/source_*.c know an
 * audio library (as aubio's source.c dispatches to source_sndfile.c and
 * source_avcodec.c). */
#ifndef VMCHECK_SOURCE_H
#define VMCHECK_SOURCE_H

#include <stddef.h>

#include "vmcheck/vmcheck.h"

/* Frames handed out per read, at most. */
#define VMC_SOURCE_BLOCK 2048

typedef struct VmcSource VmcSource;

typedef struct VmcSourceInfo {
    unsigned rate_hz;
    unsigned channels;
    /* The length the file's header promises, s; negative when unknown: a
     * stream (its length is whatever arrives), or a header without one. */
    double promised_s;
    /* How far the decoded length may fall short of the promise without
     * the file being cut short (a codec's padding), s. */
    double promise_slack_s;
    /* Frames the header says the file holds (what is really there, for a
     * file): sizes the analyser's tracks; 0 when unknown. */
    unsigned long long frames_hint;
    float largest;   /* the largest magnitude the encoding holds (full scale 1.0) */
    char format[48]; /* container and codec, e.g. "WAV PCM 16", "M4A AAC", "AMR-NB" */
} VmcSourceInfo;

/* Which backends open may try (the fuzz harness drives each alone). */
enum VmcBackendMask {
    VMC_BACKEND_SNDFILE = 1,
    VMC_BACKEND_FFMPEG = 2,
    VMC_BACKEND_ANY = 3,
};

/* Open a file by path: opened once and judged on what was opened (fstat);
 * a FIFO is read as a stream.  0, VMCHECK_EIO, VMCHECK_EEMPTY,
 * VMCHECK_EFORMAT, VMCHECK_ERANGE or VMCHECK_ENOMEM; the reason goes to lg. */
int vmc_source_open_path(VmcSource **out, const char *path, const VmcheckLogger *lg);
/* Open an encoded image of size bytes at data (kept by the caller until
 * close); backends: VMC_BACKEND_*. */
int vmc_source_open_memory(VmcSource **out, const void *data, size_t size, unsigned backends, const VmcheckLogger *lg);
/* Open what fd reads (a regular file from its current offset, or a pipe,
 * socket or terminal as a stream); fd stays the caller's. */
int vmc_source_open_fd(VmcSource **out, int fd, const VmcheckLogger *lg);

const VmcSourceInfo *vmc_source_info(const VmcSource *s);

/* The next block: *mono points at up to VMC_SOURCE_BLOCK mono frames (owned
 * by the source, valid until the next call), *n of them, 0 at the end;
 * *clipped of the block's *samples samples (every channel) were clipped.
 * 0, VMCHECK_EDATA (a NaN or infinite sample), VMCHECK_EFORMAT (a read
 * error) or VMCHECK_ENOMEM; the reason goes to the logger. */
int vmc_source_read(VmcSource *s, const float **mono, size_t *n, size_t *clipped, size_t *samples);

/* Frames handed out so far. */
unsigned long long vmc_source_frames(const VmcSource *s);

/* Close; accepts NULL and *s == NULL, sets *s to NULL. */
void vmc_source_close(VmcSource **s);

#endif
