/* The mel bands' sums of four frames with AVX-512F (melbands_avx512.c,
 * built with -mavx512f; called only when the CPU has it). */
#ifndef VMCHECK_MELBANDS_AVX512_H
#define VMCHECK_MELBANDS_AVX512_H

#include <stddef.h>

#include "features/melbands.h"

/* Each band's mean square of the four frames laid out [bin][frame] in il
 * from bin lo: t[band][frame]. */
void vmc_mel_sums4_avx512(const VmcMelBands *m, const float *il, size_t lo, double t[VMC_MEL_BANDS][4]);

/* Their codes, out[frame][band], as vmc_mel_code. */
void vmc_mel_codes4_avx512(const VmcMelBands *m, unsigned char *const out[4], const double t[VMC_MEL_BANDS][4]);

#endif
