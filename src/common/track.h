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

#endif
