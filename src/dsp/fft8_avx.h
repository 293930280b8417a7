/* The lane-parallel FFT's eight-lane path (dsp/fft8_avx.c, built with
 * -mavx); called through vmc_fft4_power8 / vmc_fft4_forward8 only where
 * the object was made for eight lanes (the CPU has AVX). */
#ifndef VMCHECK_FFT8_AVX_H
#define VMCHECK_FFT8_AVX_H

#include "dsp/fft4.h"

void vmc_fft8_power_avx(VmcFft4 *f, float *const power[8], const float *const in[8]);
void vmc_fft8_forward_avx(VmcFft4 *f, VmcCpx *const out[8], const float *const in[8]);

#endif
