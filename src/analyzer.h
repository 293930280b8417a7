/* The analysis pipeline behind the public VmcheckAnalyzer:
 * samples -> decimator -> framer -> per-frame features (energy, shared
 * spectrum, band level) -> track store; at finish, events then scoring. */
#ifndef VMCHECK_ANALYZER_H
#define VMCHECK_ANALYZER_H

#include "analysis.h"
#include "dsp/decimate.h"
#include "dsp/framer.h"
#include "dsp/spectrum.h"
#include "features/pitch.h"
#include "features/spectral.h"
#include "vmcheck/vmcheck.h"

/* Input samples handled per step: bounds every stage's scratch. */
#define VMC_CHUNK 4096

struct VmcheckAnalyzer {
    VmcheckConfig cfg;
    unsigned rate;            /* input rate */
    unsigned decim;           /* input rate / analysis rate */
    double arate;             /* analysis rate */
    size_t energy_win;        /* samples of the frame centre used for the level: 20 ms */
    VmcDecimator *dec;
    VmcFramer *framer;
    VmcSpectrum spec;
    VmcBand band;             /* 300-3300 Hz: the band of syllable nuclei */
    VmcPitch pitch;
    float *dec_out;
    VmcTracks tracks;
    unsigned long long n_in;
    unsigned long long clipped, clip_total;
    int clip_external;
    int finished;
    int status;               /* sticky error */
};

int vmc_analyzer_create(VmcheckAnalyzer **out, const VmcheckConfig *cfg, unsigned rate);
void vmc_analyzer_destroy(VmcheckAnalyzer **a);
int vmc_analyzer_push(VmcheckAnalyzer *a, const float *x, size_t n);
void vmc_analyzer_add_clipping(VmcheckAnalyzer *a, size_t clipped, size_t total);
int vmc_analyzer_finish(VmcheckAnalyzer *a, VmcheckReport **out, const VmcheckSegmentSpec *segs, size_t n_segs,
                        const char *script);

#endif
