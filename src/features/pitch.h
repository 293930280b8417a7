/* Pitch: per-frame candidates from the shared spectrum (streaming), then a
 * Viterbi path through them on the whole track (offline).
 *
 * Method: Boersma (1993), "Accurate short-term analysis of the fundamental
 * frequency and the harmonics-to-noise ratio of a sampled sound", the
 * algorithm behind Praat's To Pitch (ac).  The autocorrelation of the
 * Hann-windowed frame is the inverse FFT of the frame's power spectrum (the
 * one FFT every feature shares, so pitch costs one extra inverse FFT);
 * dividing it by the window's own autocorrelation undoes the window's taper,
 * so a periodic signal scores ~1 at its period.  The power spectrum is real
 * and even, so its inverse transform is a DCT-I, computed with a real FFT of
 * half the length and O(n) pre- and post-processing (Press et al.,
 * Numerical Recipes, "cosft1"): half the cost of a full inverse FFT.
 * Local maxima in the lag range
 * of [floor, ceiling] become candidates, refined by a parabola through the
 * three lags around each peak.  The path finder then trades candidate
 * strength against octave jumps and voicing changes, with Praat's costs.
 *
 * Praat judges a frame's loudness against the loudest frame of the whole
 * recording, so that near-silence counts as unvoiced.  A stretch said 20-25
 * dB quieter than the rest (the caller turned away, trailed off) then loses
 * most of its voicing.  Here each frame is judged against a local
 * reference: the loudest frame within local_reach_frames, but never more than
 * local_drop_db under the loudest of the recording, and never less than
 * noise_margin_db over the noise floor (the 10th percentile of frame peaks),
 * so what is at the noise floor stays silence.  The analyser runs both
 * paths over the same candidates: Praat's (local_reach_frames 0) for the
 * reported pitch track and its statistics (whispers, breath and creak
 * stay unvoiced, as Praat has them), the local one as the voicing speech
 * activity and the syllable nuclei go by. */
#ifndef VMCHECK_PITCH_H
#define VMCHECK_PITCH_H

#include <stddef.h>

#include "common/pool.h"
#include "common/track.h"
#include "dsp/spectrum.h"

/* Voiced candidates kept per frame. */
#define VMC_PITCH_CANDS 6
/* Floats stored per frame in the candidate track: count, local peak,
 * then frequency and strength of each candidate. */
#define VMC_PITCH_STRIDE (2 + 2 * VMC_PITCH_CANDS)

typedef struct VmcPitchParams {
    double floor_hz, ceiling_hz;
    double silence_threshold;    /* 0.03: frames this far under the loudest peak are silent */
    double voicing_threshold;    /* 0.45: strength a frame needs to count as voiced */
    double octave_cost;          /* 0.01 per octave: favours the higher of octave-related candidates */
    double octave_jump_cost;     /* 0.35 per octave of frame-to-frame change */
    double voiced_unvoiced_cost; /* 0.14 per voicing change */
    size_t local_reach_frames;   /* 50 (0.5 s): the local reference's reach; 0: the global peak (Praat) */
    double local_drop_db;        /* 30: the local reference lies at most this under the global peak */
    double noise_margin_db;      /* 34: ... and at least this over the noise floor's peaks */
} VmcPitchParams;

void vmc_pitch_params_default(VmcPitchParams *p, double floor_hz, double ceiling_hz);

typedef struct VmcPitch {
    VmcPitchParams par;
    double rate;
    size_t lag_min, lag_max; /* lag search range, in lag steps */
    float *irw;              /* 1 / window autocorrelation (normalised), lags 0..lag_max+1 */
    size_t half;             /* nfft / 2: the DCT's length */
    float *sn, *cs;          /* sin, cos of j*pi/half, j < half/2 */
    float *y;                /* scratch: half samples */
    VmcCpx *bins;            /* scratch: half/2 + 1 bins */
    float *ac;               /* autocorrelation, lags 0..half */
    VmcFft *fft;             /* real FFT of half points */
    VmcFft4 *fft4;           /* the same, four frames at once (NULL: a size it cannot do) */
    int lanes8;              /* fft4 does eight at once (vmc_pitch_process8) */
    float *y4;               /* scratch: 4 (8 with lanes8) * half samples */
    VmcCpx *bins4;           /* scratch: 4 (8) * (half/2 + 1) bins */
    float sum4[8];
} VmcPitch;

/* The lag range must fit the spectrum: nfft >= win + lag_max/2 (see the
 * analyser for why half the lag suffices), nfft a multiple of 4.
 * 0, VMCHECK_EINVAL or VMCHECK_ENOMEM. */
int vmc_pitch_init(VmcPitch *p, const VmcPitchParams *par, const VmcSpectrum *s);
void vmc_pitch_free(VmcPitch *p);
/* Candidates of the frame whose spectrum s holds, into out.  peak: the
 * frame's local peak; max_peak: a local peak of this frame or an earlier one
 * (at most the loudest up to here; frames too far under it to be voiced
 * against any reference the path can take are skipped, see pitch.c). */
void vmc_pitch_process(VmcPitch *p, float out[VMC_PITCH_STRIDE], const VmcSpectrum *s, float peak, float max_peak);
/* The same for four frames at once (p->fft4 must be there): power[k] is
 * frame k's power spectrum; equal to four vmc_pitch_process to float
 * rounding (dsp/fft4.h). */
void vmc_pitch_process4(VmcPitch *p, float *const out[4], const float *const power[4], const float peak[4],
                        const float max_peak[4]);
/* The same for eight frames (p->lanes8 must be set), to the bit. */
void vmc_pitch_process8(VmcPitch *p, float *const out[8], const float *const power[8], const float peak[8],
                        const float max_peak[8]);

/* The candidates of a whole recording, stored compactly (an hour: 9 bytes a
 * frame plus 8 a candidate, instead of VMC_PITCH_STRIDE floats): each
 * frame's local peak and candidate count, and the candidates' (frequency,
 * strength) pairs one frame after another. */
typedef struct VmcPitchCands {
    const float *peak;          /* per frame */
    const unsigned char *count; /* per frame, 0..VMC_PITCH_CANDS */
    const float *fr;            /* f, r of every candidate, in frame order */
} VmcPitchCands;

/* The best path through n frames of candidates: f0_hz[i] is the pitch of
 * frame i, 0 where unvoiced.  0 or VMCHECK_ENOMEM. */
int vmc_pitch_path(float *f0_hz, const VmcPitchCands *cands, size_t n, const VmcPitchParams *par);
/* Two paths through the same candidates under two rules (as two calls of
 * vmc_pitch_path, to the bit), in one pass when only their references
 * differ: the moves' costs are computed once. */
/* The moves cost the same under both rules: one pass can find both paths. */
int vmc_pitch_paths_share(const VmcPitchParams *par_a, const VmcPitchParams *par_b);
int vmc_pitch_paths(float *f0_a, const VmcPitchParams *par_a, float *f0_b, const VmcPitchParams *par_b,
                    const VmcPitchCands *cands, size_t n);
/* As vmc_pitch_paths (the same bits), with the pool's first thread computing
 * the moves' costs a block of frames ahead of this thread's steps when the
 * two rules share them; without a pool thread, or when they do not, it is
 * vmc_pitch_paths. */
int vmc_pitch_paths_pool(float *f0_a, const VmcPitchParams *par_a, float *f0_b, const VmcPitchParams *par_b,
                         const VmcPitchCands *cands, size_t n, VmcPool *pool);

/* The same paths fed one frame at a time (the analysis of a long file
 * recomputes the candidates on a second pass over the audio instead of
 * holding them): the peaks of every frame first, then each frame's
 * candidates in order, then the back-trace gives each frame's choice. */
#define VMC_TRELLIS_K (VMC_PITCH_CANDS + 1) /* states: unvoiced, then each candidate */
typedef struct VmcPitchTrellis {
    int m; /* rules: 1 or 2 (sharing the moves' costs) */
    const VmcPitchParams *pars[2];
    size_t n, i;                   /* frames in all, frames stepped */
    const float *peak;             /* every frame's local peak (until released) */
    float gref;                    /* the global rule's reference: the loudest peak */
    float *ref[2];                 /* the local rule's reference per frame, or NULL */
    unsigned char *from[2];        /* back-pointers, four bits a state */
    float score[2][VMC_TRELLIS_K]; /* the last frame's scores */
    float prev_fr[2 * VMC_PITCH_CANDS];
    size_t prev_count;
} VmcPitchTrellis;

/* m rules (two only when vmc_pitch_paths would take one pass) over n frames
 * whose peaks are peak[0..n), held by pointer until the back-trace.
 * 0 or VMCHECK_ENOMEM (nothing left to free). */
int vmc_pitch_trellis_init(VmcPitchTrellis *T, const VmcPitchParams *const pars[], int m, const float *peak, size_t n);
/* The next frame's count candidates, fr their (frequency, strength) pairs. */
void vmc_pitch_trellis_step(VmcPitchTrellis *T, size_t count, const float *fr);
/* The peaks and references are no longer read (frees the references). */
void vmc_pitch_trellis_release(VmcPitchTrellis *T);
/* After n steps: choice[p][i] = frame i's state on rule p's path (0
 * unvoiced, j its j-th candidate), as a float; frees the back-pointers. */
void vmc_pitch_trellis_back(VmcPitchTrellis *T, float *const choice[]);
void vmc_pitch_trellis_free(VmcPitchTrellis *T);
/* A frame's pitch from its choice and its candidates' pairs. */
static inline float vmc_pitch_choice_hz(float choice, const float *fr)
{
    return choice == 0.0f ? 0.0f : fr[2 * ((size_t)choice - 1)];
}

#endif
