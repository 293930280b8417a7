#include "events/nuclei.h"

#include <math.h>
#include <string.h>

#include "common/common.h"
#include "common/stats.h"

void vmc_nuclei_params_default(VmcNucleiParams *p)
{
    /* chosen on the tune split of tools/bench-rate (see README) */
    p->min_dip_db = 3.0;
    p->below_peak_db = 25.0;
    /* a quiet passage: no speech within 0.6 s either side louder than 19
     * dB under the message's peak level, grown while the speech within
     * 0.1 s stays that quiet; its nuclei lie within below_peak_db of its
     * own level.  Chosen on the tune splits of bench-segments --set quiet
     * and bench-rate (see README): at 18 dB soft stretches of ordinary
     * read speech gain nuclei (Pearson r 0.9715 -> 0.9695 on bench-rate);
     * from 22 dB numbers said 20 dB down start losing theirs again (quiet
     * set 98.6 -> 98.1 %, and a number run into loud words loses three
     * of eleven); the reach (0.6 s) and the growth's 0.1 s: 0.1-0.15 s
     * measure the same */
    p->local_reach_s = 0.6;
    p->quiet_passage_db = 19.0;
    p->local_own_s = 0.1;
    p->over_floor_db = 6.0;
    p->min_gap_s = 0.06;
    p->voicing_reach_s = 0.06;
    p->below_local_db = 20.0;
    p->min_sonority_db = -3.0;
    p->smooth = 0;
}

void vmc_nuclei_free(VmcNuclei *nu)
{
    free(nu->frames);
    memset(nu, 0, sizeof(*nu));
}

static float range_min(const float *e, size_t a, size_t b)
{
    float m = e[a];
    for (size_t i = a + 1; i <= b; i++)
        if (e[i] < m) m = e[i];
    return m;
}

/* The loudest speech within g frames of frame i (-INFINITY: none). */
static float speech_max(const float *e, const unsigned char *active, size_t n, size_t i, size_t g)
{
    float m = -INFINITY;
    const size_t hi = g < n - i ? i + g : n - 1;
    for (size_t k = i > g ? i - g : 0; k <= hi; k++)
        if (active[k] && e[k] > m) m = e[k];
    return m;
}

int vmc_nuclei_detect(VmcNuclei *out, const float *band, const float *energy, const float *f0, const float *f0_local,
                      const unsigned char *quiet_mask, const VmcActivity *act, size_t n, double hop_s,
                      const VmcNucleiParams *p)
{
    memset(out, 0, sizeof(*out));
    if (!act->has_speech || n < 3) return VMCHECK_OK;
    float *e = vmc_calloc(n, sizeof(float));
    /* a peak rises over the frame before it, so no two are neighbours */
    size_t *pk = vmc_calloc(n / 2 + 1, sizeof(size_t));
    float *near = NULL; /* a passage's level, per frame (below) */
    int r = VMCHECK_ENOMEM;
    if (!e || !pk) goto done;
    /* light smoothing, [1 2 1]/4: one frame either side (10 ms) */
    e[0] = band[0];
    e[n - 1] = band[n - 1];
    for (size_t i = 1; i + 1 < n; i++)
        e[i] = p->smooth ? 0.25f * band[i - 1] + 0.5f * band[i] + 0.25f * band[i + 1] : band[i];

    double q[2];
    const double ps[2] = {5.0, 99.0};
    r = vmc_percentiles(q, e, NULL, n, ps, 1);
    if (r) goto done;
    r = vmc_percentiles(q + 1, e, act->active, n, ps + 1, 1);
    if (r) goto done;
    const double thr_floor = q[0] + p->over_floor_db;
    const double thr_global = fmax(q[1] - p->below_peak_db, thr_floor);
    /* A quiet passage: speech with nothing louder than quiet_passage_db
     * under the message's peak level within local_reach_s either side (its
     * core), grown on both sides while the speech within local_own_s of a
     * frame stays that quiet, so that a number said quietly but run
     * straight into loud words keeps its first and last syllables.  Its
     * level (near): the loudest speech within the reach of the core frame
     * it grew from; elsewhere the loudest speech within the reach. */
    float *own = NULL;
    const float quiet = (float)(q[1] - p->quiet_passage_db);
    /* a mask marking nothing leaves every frame as loud as the peak (below):
     * no passage to find (and two tracks less to hold) */
    int marked = !quiet_mask;
    for (size_t i = 0; !marked && i < n; i++) marked = quiet_mask[i] != 0;
    if (p->local_reach_s > 0.0 && marked && quiet < (float)q[1]) {
        const size_t reach = (size_t)floor(p->local_reach_s / hop_s + 0.5); /* nearest frame */
        const size_t g = (size_t)floor(p->local_own_s / hop_s + 0.5);
        near = vmc_calloc(n, sizeof(float));
        own = vmc_calloc(n, sizeof(float));
        r = near && own ? VMCHECK_OK : VMCHECK_ENOMEM;
        if (!r) r = vmc_sliding_max(near, e, act->active, n, reach, reach, (float)q[1]);
        if (r) {
            free(own);
            goto done;
        }
        float *grown = own; /* the level carried from the core, from the left then the right; NAN: none */
        float carry = NAN;
        for (size_t i = 0; i < n; i++) {
            if (act->active[i] && near[i] <= quiet)
                carry = near[i];
            else if (speech_max(e, act->active, n, i, g) > quiet)
                carry = NAN;
            grown[i] = carry;
        }
        carry = NAN;
        for (size_t i = n; i-- > 0;) {
            if (act->active[i] && near[i] <= quiet)
                carry = near[i];
            else if (speech_max(e, act->active, n, i, g) > quiet)
                carry = NAN;
            if (!isnan(carry) && (isnan(grown[i]) || carry < grown[i])) grown[i] = carry;
        }
        for (size_t i = 0; i < n; i++)
            if (!isnan(grown[i])) near[i] = grown[i];
        free(own);
        /* only where the caller asks for it: elsewhere as loud as the peak */
        if (quiet_mask)
            for (size_t i = 0; i < n; i++)
                if (!quiet_mask[i]) near[i] = (float)q[1];
    }

    /* local maxima in speech, over the threshold */
    size_t np = 0;
    for (size_t i = act->start > 0 ? act->start : 1; i < act->end && i + 1 < n; i++) {
        if (!act->active[i]) continue;
        double thr = thr_global;
        if (near && near[i] <= quiet) thr = fmax((double)near[i] - p->below_peak_db, thr_floor);
        if ((double)e[i] < thr) continue;
        if (e[i] > e[i - 1] && e[i] >= e[i + 1]) {
            /* merge with the previous kept peak while the valley between is too shallow */
            int keep = 1;
            while (np > 0) {
                size_t a = pk[np - 1];
                float valley = range_min(e, a, i);
                float lower = e[a] < e[i] ? e[a] : e[i];
                int silent_between = 0;
                for (size_t k = a; k <= i; k++)
                    if (!act->active[k]) {
                        silent_between = 1;
                        break;
                    }
                if (silent_between || (double)(lower - valley) >= p->min_dip_db) break;
                if (e[a] >= e[i]) {
                    keep = 0;
                    break;
                }
                np--; /* the new peak is higher: it replaces the old one */
            }
            if (keep) pk[np++] = i;
        }
    }
    /* voicing on the peak's hill: between the valleys either side of it,
     * at most voicing_reach away (creaky or breathy vowels lose their
     * pitch for a few frames right at the loudness peak); then the
     * minimum spacing */
    const size_t reach = (size_t)floor(p->voicing_reach_s / hop_s + 0.5);
    const size_t gap = (size_t)ceil(p->min_gap_s / hop_s - 1e-9);
    const size_t span = (size_t)floor(0.15 / hop_s + 0.5);
    size_t m = 0;
    for (size_t j = 0; j < np; j++) {
        size_t i = pk[j];
        size_t lo = i > reach ? i - reach : 0, hi = i + reach < n ? i + reach : n - 1;
        size_t vl = i, vr = i; /* the valleys */
        if (j > 0) {
            for (size_t k = pk[j - 1]; k < i; k++)
                if (e[k] < e[vl]) vl = k;
            if (vl > lo) lo = vl;
        }
        if (j + 1 < np) {
            for (size_t k = i; k < pk[j + 1]; k++)
                if (e[k] < e[vr]) vr = k;
            if (vr < hi && vr > i) hi = vr;
        }
        /* in a quiet passage the voicing judged against the level around
         * it (f0_local), elsewhere Praat's, judged against the loudest of
         * the message (f0): a weak bump in ordinary speech stays as it was */
        const float *fv = near && near[i] <= quiet && f0_local ? f0_local : f0;
        int voiced = 0;
        for (size_t k = lo; k <= hi; k++) voiced |= fv[k] > 0.0f;
        /* a creaky or whispered vowel loses its pitch but keeps its
         * formants: unvoiced, it still counts when the syllable band holds
         * most of the frame's power (fricatives and bursts put theirs
         * higher up) */
        if (!voiced && (double)(band[i] - energy[i]) < p->min_sonority_db) continue;
        /* in a quiet passage only a voiced peak: an unvoiced bump there is
         * more likely noise or voices far off (a crowd) than a creaky vowel */
        if (!voiced && (double)e[i] < thr_global) continue;
        /* prominence: within below_local_db of the loudest frame nearby */
        float local = e[i];
        for (size_t k = i > span ? i - span : 0; k <= i + span && k < n; k++)
            if (e[k] > local) local = e[k];
        if ((double)(local - e[i]) > p->below_local_db) continue;
        if (m > 0 && i - pk[m - 1] < gap) {
            if (e[i] > e[pk[m - 1]]) pk[m - 1] = i;
            continue;
        }
        pk[m++] = i;
    }
    out->frames = pk;
    out->n = m;
    pk = NULL;
    r = VMCHECK_OK;
done:
    free(near);
    free(e);
    free(pk);
    return r;
}
