/* Four real FFTs at once: kissfft's own algorithm (the mixed-radix
 * decimation in time of kiss_fft, radix 4, 2 and 3, with its twiddles, and
 * kiss_fftr's split of the half-length complex transform), each operation
 * done on four frames in the four lanes of a vector, so four cost about
 * what kissfft takes for one.  The operations are kissfft's, in its order;
 * Debian builds kissfft with -ffast-math, whose reassociations move the
 * last bit of some bins, so the two agree to float rounding, not to the bit
 * (tests/unit/test_fft4.c bounds the difference for every size the analysis
 * uses).  Sizes kissfft would factor with a radix of 5 or more are refused
 * (the scalar vmc_fft_forward serves them).
 *
 * Where the CPU has AVX (asked at run time) the object also does eight
 * frames at once in 256-bit vectors (dsp/fft8_avx.c): the same code
 * (dsp/fft4_impl.h) with eight lanes, no FMA, so each frame's bins are the
 * same bits as the four-lane path's (tests/unit/test_fft4.c checks every
 * size). */
#ifndef VMCHECK_FFT4_H
#define VMCHECK_FFT4_H

#include <stddef.h>

#include "dsp/fft.h"

typedef struct VmcFft4 VmcFft4;

/* 0: vmc_fft4_create refuses every size, so the analysis takes the scalar
 * path (kissfft one frame at a time).  For the test that compares the two
 * paths' reports; 1 otherwise.  Process-wide: set it before any analysis. */
extern int vmc_fft4_allowed;
/* 0: objects made from now on have no eight-lane path (vmc_fft4_lanes8
 * says 0, the *8 calls take two four-lane passes).  For tests; 1 otherwise. */
extern int vmc_fft8_allowed;

/* n: even, n/2 a product of 2s and 3s.  NULL on other n or out of memory. */
VmcFft4 *vmc_fft4_create(size_t n);
void vmc_fft4_destroy(VmcFft4 **f);
/* in[k]: n real samples of transform k; power[k]: n/2 + 1 bins of
 * |X|^2 (as re*re + im*im of kiss_fftr's unscaled output). */
void vmc_fft4_power(VmcFft4 *f, float *const power[4], const float *const in[4]);
/* The same, giving kiss_fftr's n/2 + 1 complex bins of each transform. */
void vmc_fft4_forward(VmcFft4 *f, VmcCpx *const out[4], const float *const in[4]);
/* 1 where f computes eight frames at once (AVX), else 0. */
int vmc_fft4_lanes8(const VmcFft4 *f);
/* The same as vmc_fft4_power / vmc_fft4_forward on frames 0-3 and 4-7, to
 * the bit: in one eight-lane pass where vmc_fft4_lanes8, else two
 * four-lane passes. */
void vmc_fft4_power8(VmcFft4 *f, float *const power[8], const float *const in[8]);
void vmc_fft4_forward8(VmcFft4 *f, VmcCpx *const out[8], const float *const in[8]);

#endif
