/* One windowed FFT per frame, shared by every spectral feature (pitch,
 * band levels): Hann window, zero-padded to a fast size, power per bin. */
#ifndef VMCHECK_SPECTRUM_H
#define VMCHECK_SPECTRUM_H

#include <stddef.h>

#include "dsp/fft.h"
#include "dsp/fft4.h"

typedef struct VmcSpectrum {
    size_t win, nfft, nbins; /* nbins = nfft/2 + 1 */
    double rate_hz;
    float *window;  /* Hann, win samples */
    float *scratch; /* nfft samples */
    VmcCpx *bins;
    float *power; /* |X|^2 per bin, the frame's result (own, or one of the lanes) */
    float *own;   /* nbins: what vmc_spectrum_process fills */
    VmcFft *fft;
    VmcFft4 *fft4;     /* four frames at once; NULL where the size needs a radix of 5 */
    int lanes8;        /* fft4 does eight frames at once (vmc_spectrum_process8) */
    float *lanes;      /* 4 (8 with lanes8) * nfft windowed samples */
    float *lane_power; /* 4 (8) * nbins: vmc_spectrum_process4's (8's) results */
} VmcSpectrum;

/* nfft >= win, even. 0 or VMCHECK_ENOMEM / VMCHECK_EINVAL. */
int vmc_spectrum_init(VmcSpectrum *s, double rate_hz, size_t win, size_t nfft);
void vmc_spectrum_free(VmcSpectrum *s);
/* Mean and local peak (largest |x - mean|) of n samples. */
void vmc_frame_stats(const float *x, size_t n, float *mean, float *peak);

/* Remove the frame's mean (speech has no meaningful DC, and autocorrelation
 * pitch needs it gone), window and transform one frame of win samples into
 * s->power. */
void vmc_spectrum_process(VmcSpectrum *s, const float *frame, float mean);
/* The same for four frames at once (s->fft4 must be there), into
 * s->lane_power; then vmc_spectrum_lane(s, k) makes frame k's the power
 * spectrum s->power.  Equal to four vmc_spectrum_process to float rounding
 * (see dsp/fft4.h). */
void vmc_spectrum_process4(VmcSpectrum *s, const float *const frames[4], const float mean[4]);
/* The same for eight frames (s->lanes8 must be set), to the bit: one
 * eight-lane FFT (AVX). */
void vmc_spectrum_process8(VmcSpectrum *s, const float *const frames[8], const float mean[8]);
void vmc_spectrum_lane(VmcSpectrum *s, int k);

#endif
