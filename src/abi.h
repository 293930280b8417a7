/* The 0.1 layouts of the structs that may grow (include/vmcheck/vmcheck.h,
 * "ABI"), frozen: what programs built against 0.1 pass in (VmcheckConfig)
 * and index (r->segments, r->flags).  The current structs must begin with
 * them, field for field; api.c asserts it. */
#ifndef VMCHECK_ABI_H
#define VMCHECK_ABI_H

#include <stddef.h>

#include "vmcheck/vmcheck.h"

typedef struct VmcConfig01 {
    VmcheckLogger logger;
    double min_pause_s, max_number_rate, max_name_rate, pitch_floor_hz, pitch_ceiling_hz, baseline_f0_hz;
    double min_lift_st, max_lift_st, monotone_range_st, long_message_s, late_start_s, low_level_dbfs;
    double clipping_ratio, noisy_snr_db;
    int keep_tracks, threads, digit_detector;
} VmcConfig01;

typedef struct VmcSegment01 {
    enum VmcheckSegmentKind kind;
    enum VmcheckSegmentSource source;
    double start_s, end_s;
    size_t syllables;
    double syllables_per_s;
    int too_fast;
    double median_f0_hz;
    size_t groups, gap_count;
    VmcheckPause *gaps;
    char text[48];
    size_t digits;
    double digits_per_s;
    char heard[32];
} VmcSegment01;

typedef struct VmcFlag01 {
    enum VmcheckFlagCode code;
    enum VmcheckSeverity severity;
    double start_s, end_s;
    char message[200];
} VmcFlag01;

/* The arrays in the current layout, when the report's own arrays had to be
 * copied into the 0.1 layout (an element has grown). */
struct VmcheckReportInternal {
    VmcheckSegment *segments;
    VmcheckFlag *flags;
};

/* Give the report arrays in the 0.1 layout if the elements have grown
 * (nothing to do otherwise).  0 or VMCHECK_ENOMEM (the report unchanged). */
int vmc_report_publish(VmcheckReport *r);
/* Undo vmc_report_publish (before the report is released). */
void vmc_report_unpublish(VmcheckReport *r);

#endif
