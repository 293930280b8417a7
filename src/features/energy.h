/* Frame level: the mean square over 20 ms around each frame centre, in
 * dBFS, measured on the input samples themselves (before decimation, so a
 * fricative's energy above 4 kHz counts).  Streaming: the meter keeps sums
 * over 5 ms blocks; frame i is blocks 2i-2 .. 2i+1, i.e. [t-10 ms, t+10 ms). */
#ifndef VMCHECK_ENERGY_H
#define VMCHECK_ENERGY_H

#include <stddef.h>

#include "common/track.h"

typedef struct VmcEnergyMeter {
    double rate;
    long long next_block; /* the block being filled */
    long long block_end;  /* its end, in samples */
    long long pos;        /* samples seen */
    float p0, p1;         /* the block's sums of squares so far (even and odd samples) */
    float held;           /* a sample waiting for its pair (has_held) */
    int has_held;
    double sums[4];            /* the last four complete blocks (ring by block index) */
    size_t frames;             /* frames emitted */
    double b0, b1, b2, a1, a2; /* rumble high-pass (biquad, direct form I) */
    double x1, x2, y1, y2;
} VmcEnergyMeter;

void vmc_energy_init(VmcEnergyMeter *m, double rate_hz);
/* Feed n samples; complete frames go to t.  0 or VMCHECK_ENOMEM.  The
 * track is the same however the samples are split into pushes. */
int vmc_energy_push(VmcEnergyMeter *m, VmcTrack *t, const float *x, size_t n);
/* Emit frames up to n_frames in all, treating samples past the end as zero. */
int vmc_energy_flush(VmcEnergyMeter *m, VmcTrack *t, size_t n_frames);

/* Power (linear) to dB, floored at VMCHECK_TRACK_FLOOR_DB. */
double vmc_db_from_power(double p);

#endif
