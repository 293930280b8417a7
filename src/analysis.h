/* What the streaming stages leave behind for the offline ones: the track
 * store and the events found on it.  Scoring reads this and nothing else. */
#ifndef VMCHECK_ANALYSIS_H
#define VMCHECK_ANALYSIS_H

#include <stddef.h>

#include "common/track.h"
#include "events/activity.h"
#include "events/digits.h"
#include "events/nuclei.h"
#include "events/segments.h"
#include "vmcheck/vmcheck.h"

typedef struct VmcTracks {
    double hop_s;
    VmcTrack energy_db;    /* frame level, dBFS, 20 ms centre of the frame */
    VmcTrack band_db;      /* 300-1200 Hz level from the shared spectrum */
    VmcTrack pitch_peak;   /* each frame's local peak (features/pitch.h) */
    VmcTrack8 pitch_count; /* each frame's number of pitch candidates */
    VmcTrack pitch_fr;     /* the candidates' (frequency, strength), frame after frame */
    VmcTrack8 mel;         /* VMC_MEL_BANDS band codes per frame: the digit detector's input */
} VmcTracks;

typedef struct VmcAnalysis {
    const VmcTracks *tracks;
    size_t n_frames;
    double duration_s;
    unsigned sample_rate_hz;
    unsigned long long clipped, total_samples;
    VmcActivity activity;
    float *f0_hz;         /* per frame, 0 where unvoiced (the pitch path) */
    float *f0_local_hz;   /* the same, each frame's loudness judged against its surroundings (pitch.h) */
    VmcNuclei nuclei;     /* syllable nuclei (frames) */
    VmcDigitWords digits; /* digit words heard (empty without the detector) */
    VmcSegments segments; /* name and number */
    int script_mismatch;  /* the recording does not follow the script */
    char script_why[160];
    double syllables_per_word; /* from the script; 0: none (1.4 assumed) */
    int has_script;            /* a script was given */
    char script_number[48];    /* the script's (first) number as written, or "" */
    int has_labels;            /* segments were given */
    double promised_s;         /* > 0: the file's header promised this much, more than it held (truncated) */
} VmcAnalysis;

#endif
