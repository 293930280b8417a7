#include "events/activity.h"

#include <math.h>
#include <string.h>

#include "common/common.h"
#include "common/stats.h"
#include "features/energy.h"

/* Below this spread between floor and peak nothing stands out of the noise. */
#define MIN_DYNAMIC_DB 10.0
/* Peak level under this is not speech however clean the background. */
#define MIN_PEAK_DBFS (-75.0)
/* Shortest active run kept: 40 ms (4 frames at 10 ms). */
#define MIN_RUN_S 0.04
/* Steady voicing a stretch of sound needs to be speech: 50 ms, a short vowel. */
#define MIN_VOICED_S 0.05
/* Unvoiced sound kept before the first and after the last voicing of a stretch. */
#define MAX_UNVOICED_EDGE_S 0.3
/* Longest stop closure: silences shorter than this do not separate sounds. */
#define CLOSURE_S 0.12

void vmc_activity_free(VmcActivity *a)
{
    free(a->pauses);
    free(a->active);
    memset(a, 0, sizeof(*a));
}

static double power_mean_db(const float *e, const unsigned char *mask, unsigned char want, size_t n, int *found)
{
    double acc = 0.0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (mask[i] == want) {
            acc += pow(10.0, (double)e[i] / 10.0);
            m++;
        }
    *found = m > 0;
    return m ? vmc_db_from_power(acc / (double)m) : VMCHECK_TRACK_FLOOR_DB;
}

/* Local sound level near an edge: the loudest frame within 40 ms on the
 * sound side of it. */
static double local_level(const float *e, size_t n, size_t from, int dir)
{
    double m = VMCHECK_TRACK_FLOOR_DB;
    for (int k = 0; k < 4; k++) {
        long i = (long)from + dir * k;
        if (i < 0 || (size_t)i >= n) break;
        if ((double)e[i] > m) m = (double)e[i];
    }
    return m;
}

/* Edge between frame i-1 and frame i, where the level crosses thr: going
 * up (onset, i active) or down (offset, i silent). */
static double refine_edge(const float *e, size_t n, size_t i, double thr, double floor_db, double hop_s, double win_s,
                          int onset)
{
    if (i == 0 || i >= n) return (double)i * hop_s;
    double lo = (double)e[i - 1], hi = (double)e[i];
    double frac = hi != lo ? (thr - lo) / (hi - lo) : 0.5;
    if (frac < 0.0) frac = 0.0;
    if (frac > 1.0) frac = 1.0;
    double t_cross = ((double)(i - 1) + frac) * hop_s;
    double ls = local_level(e, n, onset ? i : i - 1, onset ? 1 : -1);
    double pl = pow(10.0, ls / 10.0), pn = pow(10.0, floor_db / 10.0), pt = pow(10.0, thr / 10.0);
    double f = pl > pn ? (pt - pn) / (pl - pn) : 0.5; /* window coverage at the crossing */
    if (f < 0.0) f = 0.0;
    if (f > 0.5) f = 0.5;
    double shift = (0.5 - f) * win_s;
    return onset ? t_cross + shift : t_cross - shift;
}

int vmc_activity_detect(VmcActivity *a, const float *e, const float *f0, size_t n, double hop_s, double win_s,
                        double min_pause_s)
{
    memset(a, 0, sizeof(*a));
    a->n = n;
    a->noise_db = a->speech_db = VMCHECK_TRACK_FLOOR_DB;
    a->active = vmc_calloc(n, 1);
    if (!a->active) return VMCHECK_ENOMEM;
    if (n == 0) return VMCHECK_OK;

    double pc[2];
    const double ps[2] = {5.0, 99.0};
    int r = vmc_percentiles(pc, e, NULL, n, ps, 2);
    if (r) return r;
    const double floor_db = pc[0], peak_db = pc[1], dyn = peak_db - floor_db;

    a->noise_db = power_mean_db(e, a->active, 0, n, &(int){0});
    if (dyn < MIN_DYNAMIC_DB || peak_db < MIN_PEAK_DBFS) return VMCHECK_OK;

    /* "on": a quarter of the way from floor to peak, at least 6 dB over the
     * floor, never more than 40 dB under the peak (weak consonants of clean
     * speech lie 30-40 dB under the vowels).  "off": 4 dB lower, but 3 dB
     * over the floor at least, so noise never holds a frame active. */
    double on = floor_db + fmax(6.0, 0.25 * dyn);
    on = fmin(on, peak_db - 6.0);
    on = fmax(on, fmin(peak_db - 40.0, peak_db - 6.0));
    on = fmax(on, floor_db + 6.0);
    double off = fmax(on - 4.0, floor_db + 3.0);
    a->on_db = on;
    a->off_db = off;

    int state = 0;
    for (size_t i = 0; i < n; i++) {
        state = state ? (double)e[i] >= off : (double)e[i] >= on;
        a->active[i] = (unsigned char)state;
    }
    /* drop clicks */
    const size_t min_run = (size_t)ceil(MIN_RUN_S / hop_s - 1e-9);
    for (size_t i = 0; i < n;) {
        if (!a->active[i]) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < n && a->active[j]) j++;
        if (j - i < min_run) memset(a->active + i, 0, j - i);
        i = j;
    }
    /* Sounds without voice.  Stretches of sound closer than a stop closure
     * (120 ms) belong together ("a-sk", "the cur-tain"); such a cluster is
     * speech when it holds 50 ms of steady voicing somewhere.  Unvoiced
     * sound more than 0.3 s before its first or after its last voicing is
     * something else: breath, handling noise, the room. */
    if (f0) {
        const size_t min_voiced = (size_t)ceil(MIN_VOICED_S / hop_s - 1e-9);
        const size_t max_edge = (size_t)ceil(MAX_UNVOICED_EDGE_S / hop_s - 1e-9);
        const size_t bridge = (size_t)ceil(CLOSURE_S / hop_s - 1e-9);
        for (size_t i = 0; i < n;) {
            if (!a->active[i]) {
                i++;
                continue;
            }
            /* the cluster [i, j): active runs joined across short gaps */
            size_t j = i, gap = 0;
            for (size_t k = i; k < n; k++) {
                if (a->active[k]) {
                    j = k + 1;
                    gap = 0;
                } else if (++gap > bridge) {
                    break;
                }
            }
            size_t run = 0, best = 0, v0 = n, v1 = 0;
            for (size_t k = i; k < j; k++) {
                /* steady voicing: consecutive voiced frames whose pitch moves
                 * less than 2 semitones a frame (noise "voicing" jumps about) */
                int voiced = a->active[k] && f0[k] > 0.0f;
                int steady = voiced && (run == 0 || fabs(log2((double)f0[k] / (double)f0[k - 1])) < 2.0 / 12.0);
                run = steady ? run + 1 : (voiced ? 1 : 0);
                if (run > best) best = run;
                if (run >= min_voiced) {
                    if (v0 == n) v0 = k + 1 - run;
                    v1 = k;
                }
            }
            if (best < min_voiced) {
                memset(a->active + i, 0, j - i);
            } else {
                if (v0 > i + max_edge) memset(a->active + i, 0, v0 - max_edge - i);
                if (v1 + 1 + max_edge < j) memset(a->active + v1 + 1 + max_edge, 0, j - (v1 + 1 + max_edge));
            }
            i = j;
        }
    }
    size_t first = n, last = 0;
    for (size_t i = 0; i < n; i++)
        if (a->active[i]) {
            if (first == n) first = i;
            last = i;
        }
    /* the background: frames under the "off" threshold (not every frame
     * that is not speech: a breath or a door is not the background) */
    int found;
    unsigned char *quiet = vmc_calloc(n, 1);
    if (!quiet) return VMCHECK_ENOMEM;
    for (size_t i = 0; i < n; i++) quiet[i] = (double)e[i] < off;
    a->noise_db = power_mean_db(e, quiet, 1, n, &found);
    free(quiet);
    if (!found) a->noise_db = floor_db;
    if (first == n) return VMCHECK_OK;
    a->has_speech = 1;
    a->start = first;
    a->end = last + 1;
    a->start_s = refine_edge(e, n, first, on, floor_db, hop_s, win_s, 1);
    a->end_s = refine_edge(e, n, last + 1, off, floor_db, hop_s, win_s, 0);
    if (a->start_s < 0.0) a->start_s = 0.0;
    a->speech_db = power_mean_db(e, a->active, 1, n, &found);

    /* pauses: silent runs inside the span whose refined length is min_pause
     * or longer (a millisecond of slack for rounding). */
    size_t cap = 0;
    for (size_t i = a->start; i < a->end;) {
        if (a->active[i]) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < a->end && !a->active[j]) j++;
        double s = refine_edge(e, n, i, off, floor_db, hop_s, win_s, 0);
        double t = refine_edge(e, n, j, on, floor_db, hop_s, win_s, 1);
        if (t - s >= min_pause_s - 0.001) {
            if (vmc_grow((void **)&a->pauses, &cap, a->n_pauses + 1, sizeof(VmcRange))) return VMCHECK_ENOMEM;
            a->pauses[a->n_pauses++] = (VmcRange){i, j, s, t};
        }
        i = j;
    }
    return VMCHECK_OK;
}
