/* Syllable nuclei: peaks of the voiced, band-limited loudness.
 *
 * After de Jong & Wempe (2009): a syllable's vowel is a local maximum of
 * intensity that stands out from its neighbours by a dip on both sides and is
 * voiced.  Differences that make it more accurate:
 *  - the envelope is the 300-1200 Hz band level from the shared per-frame
 *    spectrum: the first formant's range, where a vowel's sonority peaks
 *    and sonorant consonants (l, r, n, w) already dip.  Measured on the tune
 *    split, it counts real speech markedly better than de Jong's later
 *    300-3300 Hz band (median count error 4.2 % against 6.5 %); it also
 *    fits inside the telephone band;
 *  - a nucleus must come within 20 dB of the loudest frame within 150 ms
 *    (a weak bump beside a stressed vowel is not a syllable);
 *  - thresholds come from this recording's band floor and speech peak level:
 *    a nucleus lies within below_peak_db of the message's speech peak level,
 *    or, in a quiet passage (the loudest speech within local_reach_s either
 *    side is quiet_passage_db or more under it: the caller turned away,
 *    trailed off; grown from there while the speech within local_own_s of
 *    a frame stays that quiet, so a quiet number run straight into loud
 *    words keeps its first and last digits), within below_peak_db of that
 *    passage's own peak, so a stretch said 20-25 dB quieter than the rest
 *    keeps its syllables (its voiced ones: voicing judged against the
 *    level around it, see pitch.h); always over_floor_db over the noise
 *    floor, so noise stays out;
 *  - a nucleus must be voiced (pitch path) near its peak, or else be
 *    vowel-like: at least half its frame's power (-3 dB) in the band, as
 *    in a creaky or whispered vowel; and it must lie in speech, not in a
 *    pause;
 *  - two nuclei closer than a minimum syllable duration are one. */
#ifndef VMCHECK_NUCLEI_H
#define VMCHECK_NUCLEI_H

#include <stddef.h>

#include "events/activity.h"

typedef struct VmcNucleiParams {
    double min_dip_db;       /* valley needed on both sides of a peak */
    double below_peak_db;    /* nuclei lie within this of the band's speech peak level, or of the local one */
    double local_reach_s;    /* a passage's peak level: the loudest speech frame within this (0: none) */
    double quiet_passage_db; /* a passage this far under the message's peak level is judged by its own */
    double local_own_s;      /* a quiet passage grows while the speech within this of a frame stays quiet */
    double over_floor_db;    /* ... and at least this over the band's noise floor */
    double min_gap_s;        /* nuclei closer than this merge */
    double voicing_reach_s;  /* a voiced frame within this of the peak */
    double below_local_db;   /* nuclei lie within this of the loudest frame within 150 ms */
    double min_sonority_db;  /* an unvoiced peak counts when its band level is within this of the full level */
    int smooth;              /* smooth the envelope [1 2 1]/4 (off: the 50 ms window already smooths) */
} VmcNucleiParams;

void vmc_nuclei_params_default(VmcNucleiParams *p);

typedef struct VmcNuclei {
    size_t *frames;
    size_t n;
} VmcNuclei;

/* band_db, energy_db (full-band level), f0_hz (the pitch path judged as
 * Praat does), f0_local_hz (judged against the level around each frame; used
 * in quiet passages; NULL: f0_hz throughout): n frames.  quiet_mask: the
 * frames where a quiet passage may be judged by its own level (NULL: all).
 * 0 or VMCHECK_ENOMEM. */
int vmc_nuclei_detect(VmcNuclei *out, const float *band_db, const float *energy_db, const float *f0_hz,
                      const float *f0_local_hz, const unsigned char *quiet_mask, const VmcActivity *act, size_t n,
                      double hop_s, const VmcNucleiParams *p);
void vmc_nuclei_free(VmcNuclei *nu);

#endif
