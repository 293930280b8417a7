/* The decimator's AVX tap loop (dsp/decimate_avx.c, built with -mavx). */
#ifndef VMCHECK_DECIMATE_AVX_H
#define VMCHECK_DECIMATE_AVX_H

#include <stddef.h>

/* out[q] for q < the returned count (a multiple of 32, at most k): ph0[q] h0
 * plus, tap by tap, h[j] (ph[ta[j] + q] + ph[tb[j] + q]). */
size_t vmc_decimate_taps_avx(float *out, const float *ph, const float *ph0, const ptrdiff_t *ta, const ptrdiff_t *tb,
                             const float *h, size_t nh, float h0, size_t k);

#endif
