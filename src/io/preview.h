/* A small playable copy of a recording, for the HTML report's player.
 *
 * The recording is opened as any input is (a source, STYLE P8), mixed to
 * mono, resampled to 16 kHz, up or down (a windowed-sinc low-pass at 0.45
 * of the lower rate) and encoded through libsndfile as constant-bit-rate MP3 (MPEG-2
 * layer III, 32 kbit/s: about 240 KB a minute, played by every major
 * browser), or, where the installed libsndfile has no MP3 encoder, as
 * 8 kHz FLAC.  Internal to the CLI: the library's analysis never calls it. */
#ifndef VMCHECK_PREVIEW_H
#define VMCHECK_PREVIEW_H

#include <stddef.h>

#include "vmcheck/vmcheck.h"

typedef struct VmcPreview {
    unsigned char *data; /* the encoded file (malloc'd) */
    size_t size;         /* its bytes */
    const char *mime;    /* "audio/mpeg" or "audio/flac" */
    unsigned rate_hz;    /* its sample rate */
    double duration_s;   /* the frames encoded / rate_hz */
} VmcPreview;

/* Encode the recording at path.  max_s: refuse (VMCHECK_ERANGE) a
 * recording longer than this many seconds before encoding any of it.
 * 0, or the source's errors (VMCHECK_EIO, VMCHECK_EFORMAT, ...),
 * VMCHECK_ERANGE, VMCHECK_ENOMEM; *out untouched on failure. */
int vmc_preview_encode(VmcPreview *out, const char *path, double max_s, const VmcheckLogger *lg);

/* Free what vmc_preview_encode() gave; accepts NULL. */
void vmc_preview_free(VmcPreview *p);

#endif
