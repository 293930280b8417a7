/* The digit detector's input: log levels of VMC_MEL_BANDS triangular bands
 * on a mel scale over the telephone band (300-3400 Hz), read from the shared
 * per-frame power spectrum.
 *
 * Why this band: a telephone line passes 300-3400 Hz, so a recording at
 * 8 kHz, one through a phone and one at 48 kHz give the same bands (every
 * analysis rate is at least 8 kHz, its Nyquist above 3400 Hz).  Why levels
 * as Parseval mean squares: they do not depend on the FFT size or the
 * analysis rate, only on the signal.  Each level is stored as one byte
 * (VMC_MEL_STEP_DB steps from VMC_MEL_BASE_DB): an hour costs 7 MB, and the
 * quantisation (at most a quarter dB) is far under what the detector can
 * tell apart. */
#ifndef VMCHECK_MELBANDS_H
#define VMCHECK_MELBANDS_H

#include <stddef.h>

#include "dsp/spectrum.h"

#define VMC_MEL_BANDS 20
#define VMC_MEL_LO_HZ 300.0
#define VMC_MEL_HI_HZ 3400.0
#define VMC_MEL_BASE_DB (-120.0) /* code 0 (the track floor) */
#define VMC_MEL_STEP_DB 0.5      /* one code step */

typedef struct VmcMelBands {
    size_t k0[VMC_MEL_BANDS], k1[VMC_MEL_BANDS]; /* bins [k0, k1) of each band */
    float *w;                                    /* weights, band b at w + off[b] */
    size_t off[VMC_MEL_BANDS];
    double scale;   /* bin sum -> mean square, as the 300-1200 Hz band level */
    double up[260]; /* code c + 1 from this mean square up (see vmc_mel_code); [255..260) infinite */
    int avx512;     /* 1: vmc_melbands_process4 sums with AVX-512F (the CPU has it; tests clear it) */
    int avx;        /* 1: ... else with AVX (the same) */
    int avx2;       /* 1: vmc_melbands_codes4 with AVX2 where not AVX-512F (the same codes) */
} VmcMelBands;

/* The code of a band's mean square p (see vmc_mel_db), exactly
 * floor((10 log10 p - VMC_MEL_BASE_DB) / VMC_MEL_STEP_DB + 1/2) clamped to
 * 0..255 (0 under the track floor), found without a logarithm. */
unsigned char vmc_mel_code(const VmcMelBands *m, double p);

/* Filters for spectrum s.  0, VMCHECK_ENOMEM. */
int vmc_melbands_init(VmcMelBands *m, const VmcSpectrum *s);
void vmc_melbands_free(VmcMelBands *m);
/* The frame's band levels from its power spectrum, as codes. */
void vmc_melbands_process(const VmcMelBands *m, unsigned char out[VMC_MEL_BANDS], const float *power);
/* Four frames at once: the same codes as four vmc_melbands_process. */
void vmc_melbands_process4(const VmcMelBands *m, unsigned char *const out[4], const float *const power[4]);
/* The mean squares the codes are of: the frame's t[band], and four frames'
 * t[band][frame], the same bits (with AVX-512F where m->avx512, AVX where
 * m->avx, SSE2, or one frame at a time). */
void vmc_melbands_sums(const VmcMelBands *m, double t[VMC_MEL_BANDS], const float *power);
void vmc_melbands_sums4(const VmcMelBands *m, double t[VMC_MEL_BANDS][4], const float *const power[4]);
/* The codes of four frames' mean squares t[band][frame] into out[frame],
 * each vmc_mel_code's (eight at a time with AVX-512F where m->avx512, four
 * with AVX2 where m->avx2). */
void vmc_melbands_codes4(const VmcMelBands *m, unsigned char *const out[4], const double t[VMC_MEL_BANDS][4]);
/* A code back to dBFS. */
static inline float vmc_mel_db(unsigned char code) { return (float)(VMC_MEL_BASE_DB + VMC_MEL_STEP_DB * code); }

#endif
