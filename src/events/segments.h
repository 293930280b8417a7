/* Name and number segments: where they are (given by the caller; later also
 * from the script or found in the audio) and what is inside them: syllables,
 * rate, digit groups and the gaps between them. */
#ifndef VMCHECK_SEGMENTS_H
#define VMCHECK_SEGMENTS_H

#include <stddef.h>

#include "events/activity.h"
#include "events/nuclei.h"
#include "vmcheck/vmcheck.h"

/* A gap between digit groups: a silence of at least this inside the segment
 * (and, where every digit is followed by a silence, clearly longer than those). */
#define VMC_GROUP_GAP_S 0.12

typedef struct VmcSegments {
    VmcheckSegment *v;
    size_t n;
} VmcSegments;

/* Measure each given segment on the events.  0 or VMCHECK_ENOMEM. */
int vmc_segments_measure(VmcSegments *out, const VmcheckSegmentSpec *specs, size_t n_specs,
                         enum VmcheckSegmentSource source, const VmcActivity *act, const VmcNuclei *nu, size_t n_frames,
                         double hop_s);
/* Move the segments of *more to the end of *s (more is emptied).  0 or VMCHECK_ENOMEM. */
int vmc_segments_append(VmcSegments *s, VmcSegments *more);
void vmc_segments_free(VmcSegments *s);

#endif
