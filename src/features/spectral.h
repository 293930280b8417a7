/* Spectral features read from the shared per-frame power spectrum. */
#ifndef VMCHECK_SPECTRAL_H
#define VMCHECK_SPECTRAL_H

#include <stddef.h>

#include "common/track.h"
#include "dsp/spectrum.h"

typedef struct VmcBand {
    size_t k0, k1; /* bins [k0, k1) */
    double scale;  /* turns the bin sum into a mean square comparable to energy_db */
} VmcBand;

/* The band lo_hz..hi_hz of spectrum s (clamped to Nyquist). */
void vmc_band_init(VmcBand *b, const VmcSpectrum *s, double lo_hz, double hi_hz);
/* Level of the band in dB (floored like every track). */
float vmc_band_db(const VmcBand *b, const float *power);

/* Spectral change: how much the shape of the spectrum (levels of
 * VMC_SHAPE_BANDS log-spaced bands from 250 Hz to 3.6 kHz, each side's mean
 * level removed) differs between the VMC_CHANGE_REACH frames before a frame
 * and the VMC_CHANGE_REACH after it; the RMS difference in dB.  High where
 * one sound turns into another (vowel into vowel, "go-ing", or into a
 * sonorant, "ve-ry") even when the loudness does not dip; near zero inside a
 * steady vowel.  Loudness changes alone do not move it. */
#define VMC_SHAPE_BANDS 8
#define VMC_CHANGE_REACH 5

typedef struct VmcShapeBands {
    size_t k[VMC_SHAPE_BANDS + 1]; /* band q is bins [k[q], k[q+1]) */
} VmcShapeBands;

void vmc_shape_init(VmcShapeBands *b, const VmcSpectrum *s);
/* The band levels of one frame's power spectrum, dB (unscaled: only
 * differences between frames are used). */
void vmc_shape_db(const VmcShapeBands *b, const float *power, float out[VMC_SHAPE_BANDS]);

/* Streaming: shapes go in frame by frame, the change track comes out
 * VMC_CHANGE_REACH frames behind; the first and last VMC_CHANGE_REACH frames
 * (no context on one side) are 0. */
typedef struct VmcChange {
    float ring[2 * VMC_CHANGE_REACH + 1][VMC_SHAPE_BANDS];
    size_t seen; /* frames pushed */
} VmcChange;

/* 0 or VMCHECK_ENOMEM (the track could not grow). */
int vmc_change_push(VmcChange *c, VmcTrack *t, const float shape[VMC_SHAPE_BANDS]);
/* Complete the track to n_frames values. */
int vmc_change_flush(VmcChange *c, VmcTrack *t, size_t n_frames);

#endif
