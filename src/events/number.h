/* Finding the phone number in the audio when nobody said where it is
 * (segments with source "auto").  A spoken phone number is a run of about
 * 7-15 short, regular syllables, usually in digit groups separated by short
 * pauses, usually in the second half of the message, sometimes said twice.
 * The finder works on the events already measured: nuclei, activity, the
 * level and pitch tracks. */
#ifndef VMCHECK_NUMBER_H
#define VMCHECK_NUMBER_H

#include <stddef.h>

#include "events/activity.h"
#include "events/nuclei.h"
#include "vmcheck/vmcheck.h"

typedef struct VmcNumberInput {
    const VmcActivity *act;
    const VmcNuclei *nu;
    const float *energy_db; /* frame level, dBFS */
    const float *band_db;   /* 300-1200 Hz level, dBFS */
    const float *f0_hz;     /* pitch path, 0 unvoiced */
    size_t n_frames;
    double hop_s;
} VmcNumberInput;

/* Every stretch that sounds like a phone number, in time order, as
 * VMCHECK_SEGMENT_NUMBER specs in *out (malloc'd; free() it; NULL when
 * none).  0 or VMCHECK_ENOMEM. */
int vmc_number_find(VmcheckSegmentSpec **out, size_t *n_out, const VmcNumberInput *in);

#endif
