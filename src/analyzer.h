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
#include "events/digits.h"
#include "features/energy.h"
#include "features/melbands.h"
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
    /* the frames' samples once, in signal order (frames overlap: a batch's
     * is its hop times VMC_BATCH, not win times), from signal position
     * pos0; frame i starts at samples + off[i] */
    float *samples;
    size_t *off;
    size_t len, cap;
    long long pos0;
    float *peak; /* each frame's local peak */
    float *band_db;
    float *cands;       /* VMC_BATCH * VMC_PITCH_STRIDE */
    unsigned char *mel; /* VMC_BATCH * VMC_MEL_BANDS */
} VmcBatch;

/* What the digit detector saw, for tools/digits (training and its checks). */
typedef struct VmcDigitsTap {
    size_t n_frames, n_steps;
    float *x;              /* network inputs, n_frames * VMC_DN_INPUTS */
    float *logp;           /* network outputs, n_steps * VMC_DN_CLASSES */
    unsigned char *active; /* activity per frame */
    float *energy_db;      /* frame level */
    VmcDigitWords words;   /* the decoded words */
    /* settings to try instead of the defaults (tools/bench-digits --tune), or NULL */
    const VmcDigitsParams *digits_params;
    const struct VmcNumberParams *number_params;
} VmcDigitsTap;

/* What a pass over the input computes.  One pass does everything; a long
 * file (io/decode.c) is read five times instead, so that neither its pitch
 * candidates nor its band codes are ever held whole: the level, band level
 * and frame peaks; the pitch paths' forward pass; their frequencies; the
 * detector's normalisation sums over the speech; the detector. */
enum VmcPass { VMC_PASS_ALL = 0, VMC_PASS_LEVEL, VMC_PASS_PATH, VMC_PASS_F0, VMC_PASS_SUMS, VMC_PASS_DIGITS };

/* Push the whole input again, as the first time (set by the driver).
 * 0 or an error status. */
typedef int (*VmcRefeed)(void *ctx, VmcheckAnalyzer *a);

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
    VmcMelBands mel;          /* the digit detector's bands */
    VmcPitchParams pitch_par;
    float *dec_out;
    /* With a pool the level (a recursion over the input, a sixth of the
     * work at 48 kHz) is measured on the pool too: the input since the
     * last hand-over goes with the batch, and one thread takes it while the
     * others analyse frames.  Batches are finished in order, so the level
     * still sees the samples in order, one run at a time. */
    float *lvl[2]; /* input samples waiting for the level */
    size_t lvl_n[2], lvl_cap[2];
    int lvl_fill;         /* the buffer pushes append to */
    int lvl_busy;         /* the busy batch's buffer, or -1 */
    atomic_int lvl_claim; /* 1 while the busy batch's level is untaken */
    int lvl_err;          /* the level's track could not grow */
    VmcTracks tracks;
    unsigned long long n_in;
    unsigned long long clipped;                /* full-scale samples pushed */
    unsigned long long ext_clipped, ext_total; /* as counted by the caller (add_clipping) */
    int clip_external;                         /* add_clipping was called: its counts are the ones */
    int finished;
    int status;        /* sticky error */
    VmcDigitsTap *tap; /* filled at finish when set (tools only) */
    double promised_s; /* the decoder's: the header promised this much more audio than came (0: none) */
    /* passes over a long file (VmcPass): set by vmc_analyzer_set_refeed */
    int pass;
    VmcRefeed refeed;
    void *refeed_ctx;
    size_t frame_at;            /* frames committed in this pass */
    size_t n_frames;            /* the first pass's */
    VmcPitchTrellis trellis[2]; /* one for both rules, or one each */
    int n_trellis;
    float *f0[2];                /* the paths' choices, then their frequencies */
    const unsigned char *active; /* speech activity, for the detector's sums */
    unsigned long long sum_speech[VMC_MEL_BANDS], sum_all[VMC_MEL_BANDS];
    size_t n_speech;
    VmcDigitsStream *dstream;
};

int vmc_analyzer_create(VmcheckAnalyzer **out, const VmcheckConfig *cfg, unsigned rate);
void vmc_analyzer_destroy(VmcheckAnalyzer **a);
int vmc_analyzer_push(VmcheckAnalyzer *a, const float *x, size_t n);
/* As push; checked != 0: the caller has already refused non-finite samples
 * and counted clipping (the decoder does, on the channels before the mix). */
int vmc_analyzer_push_checked(VmcheckAnalyzer *a, const float *x, size_t n, int checked);
/* The caller's own count of clipped samples (of every channel, before any
 * mix): once called, the report's clipped ratio is the sum of these counts
 * over the sum of their totals, and the pushed samples are not counted as
 * well, in whatever order pushes and calls come. */
void vmc_analyzer_add_clipping(VmcheckAnalyzer *a, size_t clipped, size_t total);
/* The stream will be about this many samples: size the tracks once, exactly,
 * instead of doubling them (which can leave half their memory unused). */
int vmc_analyzer_reserve(VmcheckAnalyzer *a, unsigned long long samples);
/* The file's header promised promised_s seconds and less came: the report
 * is flagged truncated (the decoder judges it; pushes know no header). */
void vmc_analyzer_set_promise(VmcheckAnalyzer *a, double promised_s);
/* Fill *tap at finish (the detector must be on).  Free it with vmc_digits_tap_free(). */
void vmc_analyzer_set_tap(VmcheckAnalyzer *a, VmcDigitsTap *tap);
void vmc_digits_tap_free(VmcDigitsTap *t);
/* Analyse in passes (VmcPass): fn pushes the whole input again each time it
 * is called.  Before the first push; not with a tap. */
void vmc_analyzer_set_refeed(VmcheckAnalyzer *a, VmcRefeed fn, void *ctx);
int vmc_analyzer_finish(VmcheckAnalyzer *a, VmcheckReport **out, const VmcheckSegmentSpec *segs, size_t n_segs,
                        const char *script);

#endif
