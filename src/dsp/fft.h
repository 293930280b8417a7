/* Real FFT of a fixed even size.  The only view of kissfft the rest of the
 * code has (STYLE P2): vmc_fft_* and plain float arrays. */
#ifndef VMCHECK_FFT_H
#define VMCHECK_FFT_H

#include <stddef.h>

typedef struct VmcCpx {
    float re, im;
} VmcCpx;

typedef struct VmcFft VmcFft;

/* n must be even and >= 2.  Returns NULL on bad n or out of memory. */
VmcFft *vmc_fft_create(size_t n);
void vmc_fft_destroy(VmcFft **f);
/* out: n/2 + 1 bins.  Unscaled. */
void vmc_fft_forward(VmcFft *f, VmcCpx *out, const float *in);

#endif
