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
    /* a quiet passage: judged by its own loudest speech within 0.6 s, when
     * that is 18 dB or more under the message's (chosen on the tune splits
     * of bench-segments --set quiet and bench-rate: shorter reaches or
     * smaller drops also lower the threshold among the softer syllables of
     * ordinary speech, whose level wanders by 10-15 dB, and over-count) */
    p->local_reach_s = 0.6;
    p->quiet_passage_db = 18.0;
    {
        const char *x = getenv("VMC_NUC_D");
        if (x) p->quiet_passage_db = atof(x);
    } /*XXX*/
    {
        const char *x = getenv("VMC_NUC_REACH");
        if (x) p->local_reach_s = atof(x);
    } /*XXX*/
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

int vmc_nuclei_detect(VmcNuclei *out, const float *band, const float *energy, const float *f0, const VmcActivity *act,
                      size_t n, double hop_s, const VmcNucleiParams *p)
{
    memset(out, 0, sizeof(*out));
    if (!act->has_speech || n < 3) return VMCHECK_OK;
    float *e = vmc_calloc(n, sizeof(float));
    size_t *pk = vmc_calloc(n, sizeof(size_t));
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
    /* the loudest speech nearby: a quiet stretch is judged by its own peak */
    float *near_peak = NULL;
    if (p->local_reach_s > 0.0) {
        near_peak = vmc_calloc(n, sizeof(float));
        if (!near_peak) goto done;
        const size_t reach = (size_t)floor(p->local_reach_s / hop_s + 0.5);
        r = vmc_sliding_max(near_peak, e, act->active, n, reach, (float)q[1]);
        if (r) {
            free(near_peak);
            goto done;
        }
        if (getenv("VMC_NUC_SIDES")) { /*XXX*/
            for (size_t i = 0; i < n; i++) {
                float lm = -1e9f, rm = -1e9f;
                int la = 0, ra = 0;
                for (size_t k = i > reach ? i - reach : 0; k <= i; k++)
                    if (act->active[k]) {
                        la = 1;
                        if (e[k] > lm) lm = e[k];
                    }
                for (size_t k = i; k <= i + reach && k < n; k++)
                    if (act->active[k]) {
                        ra = 1;
                        if (e[k] > rm) rm = e[k];
                    }
                float v = (float)q[1];
                if (la && ra)
                    v = lm < rm ? lm : rm;
                else if (la)
                    v = lm;
                else if (ra)
                    v = rm;
                near_peak[i] = v;
            }
        }
    }

    /* local maxima in speech, over the threshold */
    size_t np = 0;
    for (size_t i = act->start > 0 ? act->start : 1; i < act->end && i + 1 < n; i++) {
        double thr = thr_global;
        if (near_peak && (double)near_peak[i] <= q[1] - p->quiet_passage_db)
            thr = fmax((double)near_peak[i] - p->below_peak_db, thr_floor);
        if (!act->active[i] || (double)e[i] < thr) continue;
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
    free(near_peak);
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
        int voiced = 0;
        for (size_t k = lo; k <= hi; k++) voiced |= f0[k] > 0.0f;
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
    free(e);
    free(pk);
    return r;
}
