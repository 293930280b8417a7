/* Speech activity and pauses from the frame-level track.
 *
 * Thresholds adapt to the recording: the noise floor is the 5th percentile
 * of frame levels, the speech peak level the 99th.  A frame turns active
 * above the "on" threshold and stays active down to the lower "off"
 * threshold (hysteresis), so level dips inside words (stop closures) do not
 * split speech; active runs shorter than 40 ms (clicks) are dropped; a
 * silence inside the speech span of at least min_pause is a pause.
 *
 * Edges are refined below the frame grid: the threshold crossing is
 * interpolated between the two frames around it, then moved by the part of
 * the energy window the sound covered at that level, so a step edge lands
 * where it truly is rather than half a window early (onsets) or late. */
#ifndef VMCHECK_ACTIVITY_H
#define VMCHECK_ACTIVITY_H

#include <stddef.h>

typedef struct VmcRange {
    size_t start, end;     /* frames [start, end) */
    double start_s, end_s; /* edges refined between frames, seconds */
} VmcRange;

typedef struct VmcActivity {
    int has_speech;
    size_t start, end;     /* speech span, frames [start, end) */
    double start_s, end_s; /* the same, edges refined, seconds */
    VmcRange *pauses;
    size_t n_pauses;
    unsigned char *active; /* per frame: 1 speech, 0 silence */
    size_t n;
    double noise_db;      /* mean power of the frames under the off threshold, dB (track floor for digital silence) */
    double speech_db;     /* mean power of the active frames, dB */
    double on_db, off_db; /* thresholds used */
} VmcActivity;

/* energy_db: n frames on the hop_s grid, each the mean square over a
 * rectangular window of win_s around the frame centre.  f0_hz (may be NULL):
 * the pitch path; a stretch of sound between silences without 50 ms of
 * steady voicing (a breath, a click, a door, a burst of noise) is not speech.  0, or VMCHECK_ENOMEM. */
int vmc_activity_detect(VmcActivity *a, const float *energy_db, const float *f0_hz, size_t n, double hop_s,
                        double win_s, double min_pause_s);
void vmc_activity_free(VmcActivity *a);

#endif
