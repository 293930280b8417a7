/* The mel bands' sums of four frames with AVX (melbands_avx.c, built with
 * -mavx; called only when the CPU has it). */
#ifndef VMCHECK_MELBANDS_AVX_H
#define VMCHECK_MELBANDS_AVX_H

#include <stddef.h>

#include "features/melbands.h"

/* Each band's mean square of the four frames laid out [bin][frame] in il
 * from bin lo: t[band][frame], as vmc_melbands_sums4. */
void vmc_mel_sums4_avx(const VmcMelBands *m, const float *il, size_t lo, double t[VMC_MEL_BANDS][4]);

#endif
