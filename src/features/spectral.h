/* Spectral features read from the shared per-frame power spectrum. */
#ifndef VMCHECK_SPECTRAL_H
#define VMCHECK_SPECTRAL_H

#include <stddef.h>

#include "dsp/spectrum.h"

typedef struct VmcBand {
    size_t k0, k1; /* bins [k0, k1) */
    double scale;  /* turns the bin sum into a mean square comparable to energy_db */
} VmcBand;

/* The band lo_hz..hi_hz of spectrum s (clamped to Nyquist). */
void vmc_band_init(VmcBand *b, const VmcSpectrum *s, double lo_hz, double hi_hz);
/* Level of the band in dB (floored like every track). */
float vmc_band_db(const VmcBand *b, const float *power);

#endif
