/* The analysis pipeline behind the public VmcheckAnalyzer:
 * samples -> decimator -> framer -> per-frame features (energy, shared
 * spectrum, band level) -> track store; at finish, events then scoring. */
#ifndef VMCHECK_ANALYZER_H
#define VMCHECK_ANALYZER_H

#include <stdatomic.h>

#include "analysis.h"
#include "common/pool.h"
#include "dsp/decimate.h"
#include "dsp/framer.h"
#include "dsp/spectrum.h"
#include "features/energy.h"
#include "features/pitch.h"
#include "features/spectral.h"
#include "vmcheck/vmcheck.h"

/* Input samples handled per step: bounds every stage's scratch. */
#define VMC_CHUNK 4096
/* Frames per batch: while the pool analyses one batch the framer fills the
 * next (5 s of audio: few hand-overs, bounded memory). */
#define VMC_BATCH 512
/* Frames a worker claims at a time. */
#define VMC_CLAIM 8

/* What one thread needs to analyse frames: its own FFT scratch. */
typedef struct VmcFrameWork {
    VmcSpectrum spec;
    VmcPitch pitch;
} VmcFrameWork;

/* A batch of frames waiting for the per-frame features, and their results. */
typedef struct VmcBatch {
    size_t n;
    float *frames; /* VMC_BATCH * win */
    float *peak;   /* each frame's local peak */
    float *band_db;
    float *cands; /* VMC_BATCH * VMC_PITCH_STRIDE */
} VmcBatch;

struct VmcheckAnalyzer {
    VmcheckConfig cfg;
    unsigned rate;         /* input rate */
    unsigned decim;        /* input rate / analysis rate */
    double arate;          /* analysis rate */
    VmcEnergyMeter energy; /* on the input samples */
    VmcDecimator *dec;
    VmcFramer *framer;
    size_t win;         /* analysis window, samples */
    VmcFrameWork *work; /* one per thread */
    unsigned n_work;    /* of which initialised */
    VmcPool *pool;
    VmcBatch batches[2];
    VmcBatch *filling;        /* the framer's */
    VmcBatch *busy;           /* the pool's, or NULL */
    atomic_size_t next_claim; /* next frame of *busy to analyse */
    float max_peak;           /* loudest frame peak of the batches committed so far */
    VmcBand band;             /* 300-1200 Hz: the band of syllable nuclei */
    VmcPitchParams pitch_par;
    float *dec_out;
    VmcTracks tracks;
    unsigned long long n_in;
    unsigned long long clipped, clip_total;
    int clip_external;
    int finished;
    int status; /* sticky error */
};

int vmc_analyzer_create(VmcheckAnalyzer **out, const VmcheckConfig *cfg, unsigned rate);
void vmc_analyzer_destroy(VmcheckAnalyzer **a);
int vmc_analyzer_push(VmcheckAnalyzer *a, const float *x, size_t n);
/* As push; checked != 0: the caller has already refused non-finite samples
 * and counted clipping (the decoder does, on the channels before the mix). */
int vmc_analyzer_push_checked(VmcheckAnalyzer *a, const float *x, size_t n, int checked);
void vmc_analyzer_add_clipping(VmcheckAnalyzer *a, size_t clipped, size_t total);
/* The stream will be about this many samples: size the tracks once, exactly,
 * instead of doubling them (which can leave half their memory unused). */
int vmc_analyzer_reserve(VmcheckAnalyzer *a, unsigned long long samples);
int vmc_analyzer_finish(VmcheckAnalyzer *a, VmcheckReport **out, const VmcheckSegmentSpec *segs, size_t n_segs,
                        const char *script);

#endif
