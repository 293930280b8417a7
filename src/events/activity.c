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

int vmc_activity_detect(VmcActivity *a, const float *e, size_t n, double hop_s, double min_pause_s)
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
    size_t first = n, last = 0;
    for (size_t i = 0; i < n; i++)
        if (a->active[i]) {
            if (first == n) first = i;
            last = i;
        }
    int found;
    a->noise_db = power_mean_db(e, a->active, 0, n, &found);
    if (!found) a->noise_db = floor_db;
    if (first == n) return VMCHECK_OK;
    a->has_speech = 1;
    a->start = first;
    a->end = last + 1;
    a->speech_db = power_mean_db(e, a->active, 1, n, &found);

    /* pauses: silent runs inside the span, min_pause or longer.  The frame
     * count is rounded up, with a small tolerance so 0.25 s is 25 frames. */
    const size_t min_pause = (size_t)ceil(min_pause_s / hop_s - 1e-6);
    size_t cap = 0;
    for (size_t i = a->start; i < a->end;) {
        if (a->active[i]) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < a->end && !a->active[j]) j++;
        if (j - i >= min_pause && j - i > 0) {
            if (vmc_grow((void **)&a->pauses, &cap, a->n_pauses + 1, sizeof(VmcRange))) return VMCHECK_ENOMEM;
            a->pauses[a->n_pauses++] = (VmcRange){i, j};
        }
        i = j;
    }
    return VMCHECK_OK;
}
