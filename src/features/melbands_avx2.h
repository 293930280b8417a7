/* The mel bands' codes of four frames with AVX2 (melbands_avx2.c, built
 * with -mavx2; called only when the CPU has it). */
#ifndef VMCHECK_MELBANDS_AVX2_H
#define VMCHECK_MELBANDS_AVX2_H

#include "features/melbands.h"

/* The codes of four frames' mean squares t[band][frame] into out[frame],
 * as vmc_mel_code. */
void vmc_mel_codes4_avx2(const VmcMelBands *m, unsigned char *const out[4], const double t[VMC_MEL_BANDS][4]);

#endif
