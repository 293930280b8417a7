/* The framer: turns pushes of any length into windows of win samples whose
 * centres lie on the 10 ms grid (frame i centred on sample round(i*rate*hop)),
 * zero-padded before the first and after the last sample.  Framing happens
 * once; every feature reads the same frame (STYLE P4). */
#ifndef VMCHECK_FRAMER_H
#define VMCHECK_FRAMER_H

#include <stddef.h>

typedef struct VmcFramer VmcFramer;

/* Called once per complete frame with its index. */
typedef int (*VmcFrameFn)(void *ctx, const float *frame, size_t index);

/* rate_hz > 0, hop_s > 0, win even, win/2 >= rate*hop (frames overlap or touch),
 * chunk = the most samples one push() may take.  NULL on a bad argument. */
VmcFramer *vmc_framer_create(double rate_hz, double hop_s, size_t win, size_t chunk);
void vmc_framer_destroy(VmcFramer **f);
/* n <= chunk.  Stops at and returns the first non-zero callback result. */
int vmc_framer_push(VmcFramer *f, const float *x, size_t n, VmcFrameFn fn, void *ctx);
/* Emit the remaining frames (centres before the end of the signal). */
int vmc_framer_flush(VmcFramer *f, VmcFrameFn fn, void *ctx);
/* Frames emitted so far. */
size_t vmc_framer_count(const VmcFramer *f);
/* The signal position of frame i's first sample (negative: in the zeros
 * before time 0).  Frames start in order, consecutive ones at most
 * ceil(rate*hop) + 1 apart (the +1 for the rounding of far positions). */
long long vmc_framer_start(const VmcFramer *f, size_t i);

#endif
