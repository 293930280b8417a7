/* Aligning the prepared script to the recording, without a recogniser:
 * the expected syllables (with phrase breaks at punctuation and between
 * digit groups) are matched to the detected nuclei (with the silences
 * between them) by dynamic programming, monotonic, tolerant of missed and
 * extra nuclei and of pauses the text does not have.  The name and number
 * spans are read off the nuclei their syllables matched. */
#ifndef VMCHECK_ALIGN_H
#define VMCHECK_ALIGN_H

#include <stddef.h>

#include "events/activity.h"
#include "events/nuclei.h"
#include "text/script.h"
#include "vmcheck/vmcheck.h"

typedef struct VmcAlignment {
    VmcheckSegmentSpec *segs; /* name and number spans found (malloc'd) */
    unsigned *syllables;      /* the script's syllables in each, fewest: a written 0 said "oh" */
    unsigned *syllables_max;  /* ... and most: each written 0 said "zero" */
    char (*text)[48];         /* numbers: the digits as written, grouped; names: "" */
    size_t n_segs;
    int mismatch;  /* the recording does not follow the script */
    char why[160]; /* what did not fit, for the flag */
    size_t matched, missed, extra, merged, split;
} VmcAlignment;

/* 0 or VMCHECK_ENOMEM.  band_db: the syllable envelope (for boundaries). */
int vmc_align(VmcAlignment *out, const VmcScript *script, const VmcActivity *act, const VmcNuclei *nu,
              const float *band_db, size_t n_frames, double hop_s);
void vmc_alignment_free(VmcAlignment *a);

#endif
