/* What a source backend (source_sndfile.c, source_ffmpeg.c) sees: the bytes
 * to decode, and the three functions it provides.  Internal to src/io. */
#ifndef VMCHECK_SOURCE_BACKEND_H
#define VMCHECK_SOURCE_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "io/source.h"

/* A regular file's bytes [off, off + len) (positions from VmcInput.base). */
typedef struct VmcReadAhead {
    int64_t off;
    size_t len;
    unsigned char data[];
} VmcReadAhead;

/* The bytes: a regular file (read with pread, so copies of the input read
 * independently, through a read-ahead block they share: it holds its own
 * offset, so whichever copy filled it, it holds the file's bytes there), a
 * memory image, or a stream (a pipe, a FIFO, standard
 * input), read once, in order.  A stream's first bytes are read ahead into
 * prefix so that a backend can look at them and, when it cannot open them,
 * leave them for the next backend: every backend reads the prefix first,
 * then the rest of the stream. */
typedef struct VmcInput {
    int fd;                   /* file or stream; -1 for memory */
    const unsigned char *mem; /* memory image, or NULL */
    int64_t size;             /* bytes (file: from base on); -1 for a stream */
    int64_t base;             /* offset in fd of byte 0 (standard input part-read) */
    int64_t pos;              /* next byte a read returns */
    unsigned char *prefix;    /* a stream's first bytes, read ahead */
    size_t prefix_len;
    int stream_eof;   /* the stream has ended (within or after the prefix) */
    int spent;        /* a backend took bytes past the prefix: no other can start over */
    int read_errno;   /* a stream or file read failed: errno */
    int spool_fd;     /* a stream copied to a temporary file (vmc_input_spool), or -1 */
    int from_stream;  /* the bytes came from a stream (even once spooled): no length is promised */
    VmcReadAhead *ra; /* a regular file's read-ahead (owned by the source; NULL: none, reads go straight) */
} VmcInput;

/* Read up to n bytes: the count, 0 at the end, -1 on a read error. */
int64_t vmc_input_read(VmcInput *in, void *buf, int64_t n);
/* Seek (SEEK_SET, SEEK_CUR, SEEK_END): the new position, or -1 (a stream
 * cannot seek; a position past the end is allowed, reads there give 0). */
int64_t vmc_input_seek(VmcInput *in, int64_t off, int whence);
/* Give a regular file (or a spooled stream) its read-ahead block, emptied;
 * without the memory its reads go straight to the file.  The source frees
 * it at close. */
void vmc_input_read_ahead(VmcInput *in);
static inline int vmc_input_seekable(const VmcInput *in) { return in->size >= 0; }
/* Make a stream seekable: copy it, from its first byte, to an unlinked
 * temporary file ($TMPDIR, else /tmp) and read that instead, from its
 * start.  Only before any backend took bytes past the prefix.  0, or
 * VMCHECK_EIO with the reason in why. */
int vmc_input_spool(VmcInput *in, char *why, size_t why_size);

typedef struct VmcBackend {
    const char *name; /* as the open error names it: "libsndfile", "FFmpeg" */
    /* Open what in holds from its start.  Fill info (rate, channels,
     * format, promise, largest code) and *state.  On failure a negative
     * VMCHECK_E* code, and the library's own words in why. */
    int (*open)(void **state, VmcInput *in, VmcSourceInfo *info, char *why, size_t why_size);
    /* Up to n frames, interleaved float (info->channels a frame), into buf:
     * the number read, 0 at the end of the audio, or a negative VMCHECK_E*
     * code with the reason in why. */
    long (*read)(void *state, float *buf, size_t n, char *why, size_t why_size);
    void (*close)(void *state);
} VmcBackend;

extern const VmcBackend vmc_backend_sndfile;
#ifdef VMC_HAVE_FFMPEG
extern const VmcBackend vmc_backend_ffmpeg;
#endif

#endif
