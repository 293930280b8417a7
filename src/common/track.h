/* The track store: per-frame feature values appended by the streaming
 * stages and read whole by the events and scoring stages (STYLE P5). */
#ifndef VMCHECK_TRACK_H
#define VMCHECK_TRACK_H

#include <stddef.h>

typedef struct VmcTrack {
    float *v;
    size_t n, cap;
} VmcTrack;

/* Append one value; 0 or VMCHECK_ENOMEM. */
int vmc_track_push(VmcTrack *t, float x);
/* Append k values. */
int vmc_track_push_n(VmcTrack *t, const float *x, size_t k);
void vmc_track_free(VmcTrack *t);

/* A track of `width` bytes per frame (quantised features). */
typedef struct VmcTrack8 {
    unsigned char *v;
    size_t width; /* bytes per frame */
    size_t n;     /* frames */
    size_t cap;   /* bytes */
} VmcTrack8;

/* Append k frames (k * width bytes).  0 or VMCHECK_ENOMEM. */
int vmc_track8_push_n(VmcTrack8 *t, const unsigned char *x, size_t k);
/* Room for `frames` frames in all.  0 or VMCHECK_ENOMEM. */
int vmc_track8_reserve(VmcTrack8 *t, size_t frames);
void vmc_track8_free(VmcTrack8 *t);

#endif
